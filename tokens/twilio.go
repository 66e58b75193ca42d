package tokens

import (
	_ "embed"
	"time"
)

// Twilio Access Token (Sources below). Twilio's docs: header cty
// "twilio-fpa;v=1"; jti, iss the API key SID, sub the Account SID, iat, nbf,
// exp, grants; lifetime up to 24 hours (error 20157 beyond); "Voice tokens
// may only contain alpha-numeric and underscore characters" in identity.
// twilio-node's AccessToken.ts: jti "<API key SID>-<iat>", default ttl 3600,
// HS256/HS384/HS512. twilio-go v1.31.0 client/jwt: the grants' JSON names.
//
// Our choices, where the sources leave room:
//   - Twilio has no canonical token endpoint (its quickstarts answer the
//     JWT in JSON of varying shape): this preset answers {"token"}, and
//     reads identity and room from the request (query or body), as the
//     Video quickstarts do. Unconfirmed.
//   - A grant object appears when one of its members is set: the video
//     grant needs a room (from the request or the config); a Video grant
//     for any room ("video": {}) cannot be expressed.
//   - Service and application SIDs are config only, checked for their
//     prefixes (AP, CR, IS); the Account SID must start with AC.
//   - The voice rule on identity is enforced when a voice grant is set.
//   - ttl limits: 1m..24h.

//go:embed guides/twilio.md
var twilioGuide string

var twilioVoiceIdentity = NewCharset("letters, digits and _ (Twilio Voice identities)", "a-zA-Z0-9_", false)

var twilioSID = NewCharset("letters and digits", "a-zA-Z0-9", false)

func twilioSIDLimits(prefix string) Limits {
	return Limits{MaxLen: 34, Chars: twilioSID, Prefixes: []string{prefix}}
}

// twilioFinish enforces the voice rule on identity.
func twilioFinish(m *Mint) *Error {
	voice := false
	for _, name := range []string{"grants.voice.incoming.allow", "grants.voice.outgoing.application_sid", "grants.voice.push_credential_sid"} {
		if _, ok := m.Get(name); ok {
			voice = true
		}
	}
	if !voice {
		return nil
	}
	if id, ok := m.Get("grants.identity"); ok && !twilioVoiceIdentity.Allows(id.Str) {
		param := ""
		if m.in.Contract {
			param = "identity"
		}
		return Invalid("grants.identity", param, "may hold only "+twilioVoiceIdentity.Doc)
	}
	return nil
}

func init() {
	Register(&Preset{
		Name:    "twilio",
		Summary: "Twilio Access Token (Video, Voice, Conversations, Sync)",
		Guide:   twilioGuide,
		Sources: []string{
			"https://www.twilio.com/docs/iam/access-tokens",
			"https://github.com/twilio/twilio-node/blob/5110f2b64bcd807ce3e1892c84d9f3c33e89cb5f/src/jwt/AccessToken.ts",
			"https://github.com/twilio/twilio-go/tree/v1.31.0/client/jwt",
		},
		Algorithms:  []string{"HS256", "HS384", "HS512"},
		Header:      []HeaderField{{Name: "cty", Value: `"twilio-fpa;v=1"`}},
		RequiresKey: true,
		KeyDoc:      "the API key SID (SK…), whose secret signs the token",
		Claims: []Claim{
			{Name: "jti", Type: String, Gen: GenKeyIssuedAt},
			{Name: "iss", Type: String, Key: true, Required: true, Doc: "the API key SID (SK…)"},
			{Name: "sub", Type: String, Required: true, Limits: twilioSIDLimits("AC"), Doc: "the Account SID (AC…)"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "nbf", Type: Time, Gen: GenNotBefore},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "grants", Type: Object, Required: true},
			{Name: "grants.identity", Type: String, User: true, Required: true, Param: []string{"identity"},
				Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "the user's identity"},
			{Name: "grants.video.room", Type: String, Param: []string{"room"},
				Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "the Video room the token may join"},
			{Name: "grants.voice.incoming.allow", Type: Bool, Privileged: true, Doc: "receive incoming calls"},
			{Name: "grants.voice.outgoing.application_sid", Type: String, Privileged: true, Limits: twilioSIDLimits("AP"),
				Doc: "the TwiML app (AP…) for outgoing calls"},
			{Name: "grants.voice.push_credential_sid", Type: String, Privileged: true, Limits: twilioSIDLimits("CR"),
				Doc: "the push credential (CR…)"},
			{Name: "grants.chat.service_sid", Type: String, Privileged: true, Limits: twilioSIDLimits("IS"),
				Doc: "the Conversations service (IS…)"},
			{Name: "grants.data_sync.service_sid", Type: String, Privileged: true, Limits: twilioSIDLimits("IS"),
				Doc: "the Sync service (IS…)"},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Finish:   twilioFinish,
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
