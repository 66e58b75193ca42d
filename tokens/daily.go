package tokens

import (
	_ "embed"
	"strings"
	"time"
)

// Daily self-signed meeting token (Sources below). Daily's self-signing
// guide: HS256 with the domain's API key as the secret; r, iat and d
// required; the abbreviated property names, which are mandatory. Its
// meeting-token guide: "always set an expiry", "specify a room name" (a
// token without r is valid for every room). Its token reference: the
// properties' types. Daily's REST endpoint POST /meeting-tokens answers
// {"token"}, and so does this preset.
//
// Daily defines no endpoint for self-signed tokens; the request contract is
// this preset's: room (or room_name) names the room, user_name the display
// name, is_owner asks for owner rights (only among `allow o` values), and
// user_id is the user's id with session anonymous. Everything else is
// config.
//
// Readings where the sources are loose or silent:
//   - r: Daily room names are letters, digits, "-" and "_"; at most 128
//     characters (the length is unconfirmed).
//   - ud (user_id): at most 36 characters (a third-party summary of Daily's
//     reference; the safe reading).
//   - er (enable_recording): "cloud", "cloud-audio-only", "local",
//     "raw-tracks", "rtp-tracks" or "output-byte-stream" (Daily's recording
//     guide names the first four; the others appear in summaries of the
//     token reference).
//   - p (permissions): the documented abbreviations p.hp (hasPresence),
//     p.cs (canSend: true, false or a comma list of v, a, sv, sa) and p.cr
//     (canReceive, an object). canAdmin's abbreviation is not documented, so
//     it is not offered.
//   - nbf is not written: nbf = iat only risks refusal by a clock behind
//     ours, and exp bounds the token.
//   - Rights (o, k, sr, sro, ast, er, ss, erui, mjh, p.*) are privileged:
//     config only, and a request may choose o only within allow.

//go:embed guides/daily.md
var dailyGuide string

// dailyCanSendKinds are the documented abbreviations of canSend's kinds.
var dailyCanSendKinds = []string{"v", "a", "sv", "sa"}

// normalizeDailyCanSend writes canSend as JSON: true, false, or a string
// such as "v,a" (spaces dropped).
func normalizeDailyCanSend(v Value) (Value, string) {
	if v.Kind != Scalar {
		return v, "must be true, false or a comma list of " + strings.Join(dailyCanSendKinds, ", ")
	}
	s := strings.TrimSpace(v.Str)
	switch s {
	case "true", "false":
		return S(s), ""
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1] // already a JSON string
	}
	var kinds []string
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		if !contains(dailyCanSendKinds, k) {
			return v, "must be true, false or a comma list of " + strings.Join(dailyCanSendKinds, ", ")
		}
		kinds = append(kinds, k)
	}
	return S(string(appendString(nil, strings.Join(kinds, ",")))), ""
}

func init() {
	url := Limits{MaxLen: 2048, Prefixes: []string{"https://", "http://"}, Chars: printable}
	Register(&Preset{
		Name:    "daily",
		Summary: "Daily self-signed meeting token",
		Guide:   dailyGuide,
		Sources: []string{
			"https://docs.daily.co/guides/privacy-and-security/self-signing-tokens",
			"https://docs.daily.co/guides/privacy-and-security/meeting-tokens",
			"https://docs.daily.co/reference/rest-api/meeting-tokens/config",
		},
		Claims: []Claim{
			{Name: "r", Type: String, Required: true, Param: []string{"room", "room_name"},
				Limits: Limits{MaxLen: 128, Chars: NewCharset("letters, digits, - and _", "a-zA-Z0-9-_", false)},
				Doc:    "room_name: the room this token admits to"},
			{Name: "d", Type: String, Required: true,
				Limits: Limits{MaxLen: 36, Chars: NewCharset("hexadecimal digits and -", "0-9abcdefABCDEF-", false)},
				Doc:    "domain_id, from Daily's domain configuration endpoint"},
			{Name: "ud", Type: String, User: true, Param: []string{"user_id"},
				Limits: Limits{MaxLen: 36, Chars: printable}, Doc: "user_id"},
			{Name: "u", Type: String, Param: []string{"user_name"},
				Limits: Limits{MaxLen: 200, Chars: printable}, Doc: "user_name, shown in the call"},
			{Name: "o", Type: Bool, Privileged: true, Param: []string{"is_owner"}, Doc: "is_owner: meeting owner rights"},
			{Name: "k", Type: Bool, Privileged: true, Doc: "knocking: may knock on a private room"},
			{Name: "ctoe", Type: Bool, Doc: "close_tab_on_exit"},
			{Name: "rome", Type: String, Limits: url, Doc: "redirect_on_meeting_exit"},
			{Name: "ij", Type: Bool, Doc: "intercom_join_alert"},
			{Name: "sr", Type: Bool, Privileged: true, Doc: "start_cloud_recording"},
			{Name: "sro", Type: Object, Privileged: true, Doc: "start_cloud_recording_opts"},
			{Name: "ast", Type: Bool, Privileged: true, Doc: "auto_start_transcription"},
			{Name: "er", Type: String, Privileged: true, Doc: "enable_recording",
				Limits: Limits{Enum: []string{"cloud", "cloud-audio-only", "local", "raw-tracks", "rtp-tracks", "output-byte-stream"}}},
			{Name: "ss", Type: Bool, Privileged: true, Doc: "enable_screenshare"},
			{Name: "vo", Type: Bool, Doc: "start_video_off"},
			{Name: "ao", Type: Bool, Doc: "start_audio_off"},
			{Name: "mjh", Type: String, Privileged: true, Limits: url, Doc: "meeting_join_hook"},
			{Name: "ejt", Type: Bool, Doc: "eject_at_token_exp"},
			{Name: "eje", Type: Int, Limits: Limits{HasRange: true, Min: 1, Max: 1 << 31}, Doc: "eject_after_elapsed, in seconds"},
			{Name: "uil", Type: String, Limits: Limits{MaxLen: 16, Chars: idChars}, Doc: "lang: en, de, fr, ..., or user"},
			{Name: "erui", Type: Bool, Privileged: true, Doc: "enable_recording_ui"},
			{Name: "p.hp", Type: Bool, Privileged: true, Doc: "permissions.hasPresence"},
			{Name: "p.cs", Type: JSON, Privileged: true, Normalize: normalizeDailyCanSend,
				Doc: "permissions.canSend: true, false or a comma list of v, a, sv, sa"},
			{Name: "p.cr", Type: Object, Privileged: true, Doc: "permissions.canReceive"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
