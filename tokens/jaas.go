package tokens

import (
	_ "embed"
	"strings"
	"time"
)

// Jitsi as a Service (8x8 JaaS) token, as 8x8's docs and official JWT
// samples make it (Sources below): RS256 with the private key whose public
// half was uploaded in the JaaS console; header kid
// "vpaas-magic-cookie-<AppID>/<keyId>"; aud "jitsi" and iss "chat" fixed;
// sub the AppID; room "*" or a room name; nbf now - 10 s; context.user with
// moderator as the string "true"/"false"; context.features with string
// "true"/"false" values, which JaaS honours for moderators only.
//
// Choices where the sources differ or say nothing:
//   - exp: the Go sample's 2h (7200 s), not the JS sample's 3h: the shorter.
//     Limits 1m..24h are this preset's, not JaaS's (it documents none).
//   - iat: the JS sample carries one (jsonwebtoken adds it). The minter
//     back-dates iat and nbf together, so both are now - 10 s and exp is
//     iat + ttl: 7190 s after now by default, 10 s short of the sample's.
//   - the kid is required by JaaS, but a preset cannot require a header
//     field at compile time yet: the config must set `kid`.
//   - name is a request field when the config sets none (a display name,
//     as a lobby's "your name" box gives); avatar and email come from the
//     config only, since they are shown to others as the user's.
//   - context.features and context.room.regex appear only when configured.

//go:embed guides/jaas.md
var jaasGuide string

var jaasFlag = Limits{Enum: []string{"true", "false"}}

// jaasFeatures are the documented feature keys (send-groupchat and
// create-polls are the advanced-branding ones).
var jaasFeatures = []string{"livestreaming", "recording", "transcription", "sip-inbound-call", "sip-outbound-call",
	"inbound-call", "outbound-call", "file-upload", "list-visitors", "send-groupchat", "create-polls"}

const jaasAppIDPrefix = "vpaas-magic-cookie-"

// checkJaaSAppID checks an AppID: vpaas-magic-cookie- and hex digits.
func checkJaaSAppID(v Value) (Value, string) {
	if v.Kind != Scalar {
		return v, "must be a string"
	}
	hex, ok := strings.CutPrefix(v.Str, jaasAppIDPrefix)
	if !ok || hex == "" || strings.Trim(hex, "0123456789abcdefABCDEF") != "" {
		return v, "must be the JaaS AppID, " + jaasAppIDPrefix + "<hex digits>"
	}
	return v, ""
}

func init() {
	claims := []Claim{
		{Name: "aud", Type: String, Const: true, Default: []string{"jitsi"}},
		{Name: "iss", Type: String, Const: true, Default: []string{"chat"}},
		{Name: "sub", Type: String, Required: true, Normalize: checkJaaSAppID,
			Doc: "the AppID, vpaas-magic-cookie-<hex>; the kid must start with it"},
		{Name: "room", Type: String, Required: true, Default: []string{"*"}, Param: []string{"room"},
			Limits: Limits{MaxLen: 256, Chars: printable}, Doc: `the room name, or "*" for every room`},
		{Name: "iat", Type: Time, Gen: GenIssuedAt},
		{Name: "nbf", Type: Time, Gen: GenNotBefore},
		{Name: "exp", Type: Time, Gen: GenExpiry},
		{Name: "context.user.id", Type: String, User: true, Limits: Limits{MaxLen: 256, Chars: printable}},
		{Name: "context.user.name", Type: String, Param: []string{"name"}, Limits: Limits{MaxLen: 256, Chars: printable},
			Doc: "the display name"},
		{Name: "context.user.avatar", Type: String, Limits: Limits{MaxLen: 2048, Chars: printable}, Doc: "a public URL of the user's picture"},
		{Name: "context.user.email", Type: String, Limits: Limits{MaxLen: 256, Chars: printable}},
		{Name: "context.user.moderator", Type: String, Privileged: true, Default: []string{"false"}, Param: []string{"moderator"},
			Limits: jaasFlag, Doc: `"true" or "false", a string`},
		{Name: "context.user.hidden-from-recorder", Type: Bool, Privileged: true,
			Doc: "true keeps the user out of recordings and streams"},
	}
	for _, f := range jaasFeatures {
		claims = append(claims, Claim{Name: "context.features." + f, Type: String, Privileged: true, Limits: jaasFlag,
			Doc: `"true" or "false", a string; moderators only`})
	}
	claims = append(claims, Claim{Name: "context.room.regex", Type: Bool, Privileged: true,
		Doc: "true makes room a regular expression"})

	Register(&Preset{
		Name:    "jaas",
		Summary: "8x8 Jitsi as a Service (JaaS) token, RS256 (set kid vpaas-magic-cookie-<AppID>/<keyId>)",
		Guide:   jaasGuide,
		Sources: []string{
			"https://developer.8x8.com/jaas/docs/api-keys-jwt",
			"https://github.com/8x8/jaas_demo/blob/ef49036907142792437d97984ca01ef322d97385/jaas-jwt-samples/js/index.js",
			"https://github.com/8x8/jaas_demo/blob/0663f2da3da23c5974b45a32c72f74e74531e2c1/jaas-jwt-samples/go/jaas-jwt.go",
		},
		Algorithms:    []string{"RS256"},
		RequireHeader: []string{"kid"},
		Claims:        claims,
		IssuedAtSkew:  10 * time.Second,
		TTL:           TTL{Default: 2 * time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Envelope:      Envelope{Token: TokenJSON("token")},
	})
}
