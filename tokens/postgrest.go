package tokens

import (
	_ "embed"
	"time"
)

// PostgREST JWT, for role switching. Sources: PostgREST/postgrest
// docs/references/auth.rst (the role claim picks the database role for
// SET LOCAL ROLE; a token without it gets db-anon-role; exp, nbf and iat
// are checked when present, with 30 s of clock skew; aud is checked
// against jwt-aud when that is set, string equality against a string or
// any element of an array; a kid must name one of the configured keys,
// and without one every key is tried; every claim reaches SQL as
// current_setting('request.jwt.claims')), docs/references/configuration.rst
// (jwt-secret: an HMAC passphrase of at least 32 characters, or a JWK or
// JWKS for RS*/ES*; jwt-role-claim-key: where the role is, $.role by
// default), src/library/PostgREST/Auth/Jwt.hs.
//
// The client sends `Authorization: Bearer <token>` on every request;
// PostgREST defines no token endpoint, so the answer is {"token"}.
//
// Choices:
//   - role is privileged: config only (or a request within allow lists;
//     there are no request fields). Without it the token is anonymous.
//     A role kept elsewhere (jwt-role-claim-key $.app.role) is a
//     free-form claim: `claim app.role webuser`.
//   - Free-form claims are privileged: SQL and RLS policies read them.
//   - sub is the session's user (a convention: PostgREST ignores it).
//   - exp is always set (PostgREST enforces none of its own): 1 hour by
//     default, 1 minute to 30 days. The secret's 32-character minimum is
//     PostgREST's, checked when it starts.

//go:embed guides/postgrest.md
var postgrestGuide string

func init() {
	Register(&Preset{
		Name:    "postgrest",
		Summary: "PostgREST JWT: the database role to switch to, and claims SQL reads (HS256 secret of 32+ characters, or RS/ES with its JWK)",
		Guide:   postgrestGuide,
		Sources: []string{
			"https://docs.postgrest.org/en/latest/references/auth.html",
			"https://docs.postgrest.org/en/latest/references/configuration.html",
			"https://github.com/PostgREST/postgrest/blob/48346789/src/library/PostgREST/Auth/Jwt.hs",
		},
		Algorithms:         []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"},
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "role", Type: String, Privileged: true, Limits: Limits{MaxLen: 63, Chars: printable},
				Doc: "the database role PostgREST switches to (jwt-role-claim-key $.role); unset: db-anon-role"},
			{Name: "sub", Type: String, User: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "the user, for SQL (request.jwt.claims); PostgREST itself ignores it"},
			{Name: "aud", Type: String, Privileged: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "the audience, when PostgREST's jwt-aud is set"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
