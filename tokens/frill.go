package tokens

import (
	_ "embed"
	"time"
)

// Frill SSO token. Sources: help.frill.co/article/65-sso-implementation
// (the server signs {email, id, name} with the Frill SSO key:
// jwt.sign(user, FrillSSOKey, {algorithm: 'HS256'}); the widget takes it
// as window.Frill('container', {key, ssoToken}) or Frill('identify',
// {ssoToken})) and developers.frill.co (identifying users).
//
// The answer is {"ssoToken"}, for the widget.
//
// Readings and choices (the sources leave these open):
//   - email, id and name are required (the docs' sample sets all three).
//     id is the session's user; email (the account's key) is privileged and
//     comes from the config, a trusted placeholder.
//   - The avatar's field name is unconfirmed, so the preset has none; and
//     the SSO redirect flow's parameter names are unconfirmed, so the
//     preset answers only the widget's {ssoToken}.
//   - exp is set, though how Frill treats it is unconfirmed: a token that
//     expires is the safe reading (jsonwebtoken, which verifies the docs'
//     tokens, refuses an expired one). 1 hour by default, 1 minute to 30
//     days; iat as jsonwebtoken adds it.

//go:embed guides/frill.md
var frillGuide string

func init() {
	name := Limits{MaxLen: 256, Chars: printable}
	Register(&Preset{
		Name:    "frill",
		Summary: "Frill SSO token, answered {ssoToken} for the widget",
		Guide:   frillGuide,
		Sources: []string{
			"https://help.frill.co/article/65-sso-implementation",
			"https://developers.frill.co",
		},
		Claims: []Claim{
			{Name: "email", Type: String, Privileged: true, Required: true, Limits: Limits{MaxLen: 320, Chars: printable},
				Doc: "the user's email, from a trusted placeholder ({http.auth.user.email})"},
			{Name: "id", Type: String, User: true, Required: true, Limits: name, Doc: "your user id"},
			{Name: "name", Type: String, Required: true, Limits: name, Doc: "the display name"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("ssoToken")},
	})
}
