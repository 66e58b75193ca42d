package tokens

import (
	_ "embed"
	"time"
)

// Zendesk messaging end-user authentication JWT (Sources below). Zendesk's
// Web Widget auth guide: signing keys are a key id and a shared secret
// (Admin Center > Security > End user authentication > Messaging), and the
// header's kid names the key. Its help article: external_id on every
// token; an email identity is optional and a verified one may merge with
// an existing user. The widget's API: zE('messenger', 'loginUser',
// jwtCallback) gives the callback the bare JWT string, and calls it again
// when the token expires. The claim table, as copied in a third-party
// README [sample-only]: HS256 only; scope "user" (the only value);
// external_id at most 255 characters; name, email, email_verified; exp.
//
// Our choices, where the sources leave room:
//   - The answer is the bare token as text/plain, which the jwtCallback
//     hands to Zendesk as it is (fetch(...).then(r => r.text())).
//   - external_id is the authenticated user. name, email and
//     email_verified are config only: a verified email lets the token claim
//     an existing Zendesk user, so it must come from a trusted source.
//   - No iat (the claim table has none); exp is always set: 1h by default,
//     1m..24h (Zendesk documents no lifetime).
//   - kid is required (Zendesk picks the secret by it).

//go:embed guides/zendesk.md
var zendeskGuide string

func init() {
	text := Limits{MaxLen: 255, Chars: printable}
	Register(&Preset{
		Name:    "zendesk",
		Summary: "Zendesk messaging end-user JWT (set kid to the signing key's id), answered as text for loginUser's callback",
		Guide:   zendeskGuide,
		Sources: []string{
			"https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/web/enabling_auth_visitors/",
			"https://support.zendesk.com/hc/en-us/articles/7554200230170",
			"https://developer.zendesk.com/api-reference/widget-messaging/web/authentication/",
			"https://github.com/mochila-ai/zd-jwt-generate/blob/00ffe620/README.md",
		},
		RequireHeader: []string{"kid"},
		Claims: []Claim{
			{Name: "scope", Type: String, Const: true, Default: []string{"user"}},
			{Name: "external_id", Type: String, User: true, Required: true, Limits: text,
				Doc: "your user id: the authenticated user"},
			{Name: "name", Type: String, Limits: text, Doc: "the display name (config only)"},
			{Name: "email", Type: String, Privileged: true, Limits: text, Doc: "the user's email (config only)"},
			{Name: "email_verified", Type: Bool, Privileged: true,
				Doc: "true: Zendesk treats the email as verified and may merge the user with an existing one"},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: TextEnvelope,
	})
}
