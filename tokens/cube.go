package tokens

import (
	_ "embed"
	"time"
)

// Cube (Cube.js) API token. Sources: cube-js/cube
// packages/cubejs-api-gateway/src/gateway.ts (the token from
// X-Cube-Authorization or Authorization, the part after the first space
// when there is one, so both "<token>" and "Bearer <token>" work; the
// default checkAuth verifies it with jsonwebtoken against CUBEJS_API_SECRET
// or the JWK set of CUBEJS_JWK_URL, whose tokens need a kid, under
// CUBEJS_JWT_ALGS, and checks iss, aud and sub when CUBEJS_JWT_ISSUER,
// CUBEJS_JWT_AUDIENCE and CUBEJS_JWT_SUBJECT are set; the payload, or its
// CUBEJS_JWT_CLAIMS_NAMESPACE member, is the security context; 403
// "Invalid token" otherwise), cube.dev/docs/product/auth/methods/jwt and
// cube.dev/docs/product/auth/context. @cubejs-client/core's cube(token,
// {apiUrl}) sends it as Authorization: <token>.
//
// Cube defines no token endpoint; the answer is {"token"}.
//
// Readings and choices:
//   - The security context is free-form and privileged: queryRewrite and
//     access policies read it (tenant, role, groups), so a client
//     placeholder needs an allow list. Declare types with `type`
//     (`type user_id integer`).
//   - sub is the session's user; iss and aud are privileged, set when
//     Cube checks them.
//   - A claims namespace is a member of its own: `claim ns.tenant_id acme`
//     with CUBEJS_JWT_CLAIMS_NAMESPACE=ns. A namespace holding dots (a URL)
//     cannot be written: keep the context at the top level.
//   - HS256 by default; with a JWKS (CUBEJS_JWK_URL), sign with a key pair
//     and set `kid`.
//   - ttl: 1 hour by default, 1 minute to 30 days (Cube sets none).

//go:embed guides/cube.md
var cubeGuide string

func init() {
	text := Limits{MaxLen: 2048, Chars: printable}
	Register(&Preset{
		Name:    "cube",
		Summary: "Cube API token: the security context for queryRewrite and access policies (HS256 CUBEJS_API_SECRET, or RS/ES with a JWKS)",
		Guide:   cubeGuide,
		Sources: []string{
			"https://cube.dev/docs/product/auth/methods/jwt",
			"https://cube.dev/docs/product/auth/context",
			"https://github.com/cube-js/cube/blob/f49302e2fc0950d5adb040b9e236895460a94e26/packages/cubejs-api-gateway/src/gateway.ts",
		},
		Algorithms:         []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"},
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "sub", Type: String, User: true, Limits: text, Doc: "the user (CUBEJS_JWT_SUBJECT, when set, must match)"},
			{Name: "iss", Type: String, Privileged: true, Limits: text, Doc: "CUBEJS_JWT_ISSUER, when set"},
			{Name: "aud", Type: String, Privileged: true, Limits: text, Doc: "CUBEJS_JWT_AUDIENCE, when set"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
