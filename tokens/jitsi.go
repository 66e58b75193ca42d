package tokens

import (
	_ "embed"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Jitsi Meet (self-hosted) token, for Prosody's token authentication.
// Sources: jitsi/lib-jitsi-meet doc/tokens.md (claims: iss the app id,
// aud, sub the tenant or domain, room, exp, nbf; context.user {id, name,
// email, avatar}, context.group, context.features; the token travels as
// https://meet.example.com/<room>?jwt=<token>, JitsiMeetExternalAPI's jwt
// option or JitsiConnection's token; ASAP: RS256 with the header's kid
// naming the public key on asap_key_server), jitsi/jitsi-meet
// resources/prosody-plugins/token/util.lib.lua (iss among
// asap_accepted_issuers, default the app_id; aud among
// asap_accepted_audiences, default any; room required unless
// asap_require_room_claim is false, "*" for any room, compared lower-cased;
// sub checked with enable_domain_verification; context.user's fields must
// be strings) and luajwtjitsi.lib.lua (typ must be "JWT", alg the
// configured one; exp and nbf checked when present, with no clock skew).
// Moderator rights come from community modules: jitsi-contrib/
// prosody-plugins token_affiliation reads context.user.affiliation
// (owner, moderator, teacher) or context.user.moderator ("true").
//
// The answer is {"token", "url"}: url is option url (the Jitsi Meet
// address, with a tenant path if any) + "/" + room + "?jwt=" + token, so a
// page can open it; without option url, or for room "*", only {"token"}.
//
// Readings and choices:
//   - iss is the config's key (Prosody's app_id); aud defaults to "jitsi";
//     sub (the tenant or domain, lower case) must be configured: "*"
//     would pass domain verification for every tenant, so it is never a
//     default.
//   - room is privileged: the config names it ("*" for every room), and a
//     request's room field may choose another only within `allow room`.
//     Rooms are lower-cased (Prosody compares them so) and limited to
//     letters, digits and - _ . ~ *.
//   - context.user.id is the session's user; name, email and avatar come
//     from the config (trusted placeholders), not the request, since other
//     participants see them as the user's. moderator ("true"/"false"),
//     affiliation and context.group are privileged, and so are free-form
//     claims (context.features.<name>, whose keys depend on the
//     deployment's modules).
//   - nbf is iat - 10 s: Prosody allows no clock skew. exp: 1 hour by
//     default, 1 minute to 24 hours (Prosody sets no limit).
//   - Public-key (ASAP) tokens need the header's kid.

// jitsiRoom lower-cases a room name, as Prosody compares it.
func jitsiRoom(v Value) (Value, string) {
	if v.Kind != Scalar {
		return v, "must be a string"
	}
	return S(strings.ToLower(v.Str)), ""
}

func jitsiCheck(c *Compiled) error {
	if u := c.Option("url"); u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("option url must be the Jitsi Meet address, http:// or https://")
	}
	return kidForKeyPair(c)
}

var jitsiEnvelope = Envelope{
	Echo: []string{"room"},
	Token: func(dst []byte, t *Minted) []byte {
		dst = append(dst, `{"token":`...)
		dst = appendString(dst, t.Token)
		if base, room := t.Option("url"), t.Claim("room"); base != "" && room != "" && room != "*" {
			dst = append(dst, `,"url":`...)
			dst = appendString(dst, strings.TrimRight(base, "/")+"/"+url.PathEscape(room)+"?jwt="+t.Token)
		}
		return append(dst, '}')
	},
}

//go:embed guides/jitsi.md
var jitsiGuide string

func init() {
	user := Limits{MaxLen: 256, Chars: printable}
	Register(&Preset{
		Name:    "jitsi",
		Summary: "self-hosted Jitsi Meet token (Prosody token auth): app_secret HS256, or ASAP RS256 with kid; answered with the meeting URL",
		Guide:   jitsiGuide,
		Sources: []string{
			"https://github.com/jitsi/lib-jitsi-meet/blob/0186f97e/doc/tokens.md",
			"https://github.com/jitsi/jitsi-meet/blob/0c48e205/resources/prosody-plugins/token/util.lib.lua",
			"https://github.com/jitsi/jitsi-meet/blob/287058a4/resources/prosody-plugins/luajwtjitsi.lib.lua",
			"https://github.com/jitsi-contrib/prosody-plugins/blob/0c7a732929082874c0f69689e653c5dd9be903f4/token_affiliation/mod_token_affiliation.lua",
		},
		Algorithms:         []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512"},
		RequiresKey:        true,
		KeyDoc:             "Prosody's app_id (one of asap_accepted_issuers), written as iss",
		NotBeforeSkew:      10 * time.Second,
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "iss", Type: String, Key: true, Required: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the app_id"},
			{Name: "aud", Type: String, Privileged: true, Required: true, Default: []string{"jitsi"},
				Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "one of asap_accepted_audiences (any, by default)"},
			{Name: "sub", Type: String, Privileged: true, Required: true,
				Limits: Limits{MaxLen: 256, Chars: NewCharset("lower-case letters, digits and . - _ *", "a-z0-9.-_*", false)},
				Doc:    "the tenant (for https://meet.example.com/<tenant>/<room>) or the domain; checked with enable_domain_verification"},
			{Name: "room", Type: String, Privileged: true, Required: true, Param: []string{"room"}, Normalize: jitsiRoom,
				Limits: Limits{MaxLen: 256, Chars: NewCharset("letters, digits and - _ . ~ *", "a-zA-Z0-9-_.~*", true)},
				Doc:    `the room name (lower-cased), or "*" for every room; a request's room must be in allow room`},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "nbf", Type: Time, Gen: GenNotBefore},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "context.user.id", Type: String, User: true, Limits: user, Doc: "the user"},
			{Name: "context.user.name", Type: String, Limits: user, Doc: "the display name, from a trusted placeholder"},
			{Name: "context.user.email", Type: String, Limits: user},
			{Name: "context.user.avatar", Type: String, Limits: Limits{MaxLen: 2048, Chars: printable}, Doc: "a public URL of the user's picture"},
			{Name: "context.user.moderator", Type: String, Privileged: true, Limits: Limits{Enum: []string{"true", "false"}},
				Doc: `"true" makes the user a moderator (token_affiliation and similar modules)`},
			{Name: "context.user.affiliation", Type: String, Privileged: true,
				Limits: Limits{Enum: []string{"owner", "moderator", "teacher", "member"}}, Doc: "the MUC affiliation token_affiliation grants"},
			{Name: "context.group", Type: String, Privileged: true, Limits: user, Doc: "the group id"},
		},
		Options: []Option{{Name: "url",
			Doc: "the Jitsi Meet address (https://meet.example.com, or with /<tenant>); when set, the answer adds url: <url>/<room>?jwt=<token>"}},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Check:    jitsiCheck,
		Envelope: jitsiEnvelope,
	})
}
