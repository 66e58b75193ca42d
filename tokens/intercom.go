package tokens

import (
	_ "embed"
	"time"
)

// Intercom Messenger user JWT (Messenger security) (Sources below).
// intercom-rails's script_tag.rb: JWT.encode(payload, secret, 'HS256'); the
// signed user fields move out of the page's settings; exp only when
// config.jwt.expiry is set. Intercom's install guide: user_id required,
// email and name recommended, exp 2 hours; its endpoint GET
// /api/intercom-jwt answers {"token"}, which the page passes to
// Intercom('boot', {app_id, intercom_user_jwt}); its Node sample uses
// jsonwebtoken, which adds iat. Intercom's help: tokens without user_id
// are refused.
//
// Our choices, where the sources leave room:
//   - user_id is the authenticated user; email, name and any further
//     signed attribute (free-form claims: company, plan, session_duration,
//     ...) come from the config only, typically from trusted placeholders
//     of the session. A request cannot set any of them: a signed attribute
//     is what Intercom trusts about the user.
//   - exp is always set: 2 hours by default, 1m..24h.
//   - The answer is the guide's {"token"}.

//go:embed guides/intercom.md
var intercomGuide string

func init() {
	Register(&Preset{
		Name:    "intercom",
		Summary: "Intercom Messenger user JWT (intercom_user_jwt), answered as the install guide's {token}",
		Guide:   intercomGuide,
		Sources: []string{
			"https://www.intercom.com/help/en/articles/10589769-authenticating-users-in-the-messenger-with-json-web-tokens-jwts",
			"https://github.com/intercom/intercom-rails/blob/b361369a/lib/intercom-rails/script_tag.rb",
			"https://github.com/intercom/intercom-rails/blob/b361369a/README.md",
			"https://github.com/intercom/claude-plugin-external/blob/07741de2/skills/install-messenger/SKILL.md",
		},
		FreeForm: true,
		Claims: []Claim{
			{Name: "user_id", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "your stable user id: the authenticated user"},
			{Name: "email", Type: String, Privileged: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the user's email, signed (config only)"},
			{Name: "name", Type: String, Privileged: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the user's name, signed (config only)"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: 2 * time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
