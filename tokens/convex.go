package tokens

import (
	_ "embed"
	"time"
)

// Convex custom JWT provider token. Sources: get-convex/convex-backend
// npm-packages/docs/docs/auth/advanced/custom-jwt.mdx
// (docs.convex.dev/auth/advanced/custom-jwt: "Custom JWTs are required
// only to have header fields kid, alg and typ, and payload fields sub,
// iss, and exp. An iat field is also expected by Convex clients to
// implement token refreshing"; the customJwt provider's algorithm is RS256
// or ES256; aud must equal applicationID, and omitting applicationID is
// "often insecure"; other claims reach ctx.auth.getUserIdentity(), nested
// ones as "properties.id"), custom-auth.mdx and convex/src/server/
// authentication.ts (AuthProvider's customJwt fields), and the convex
// client's sync/authentication_manager.ts (AuthTokenFetcher: the callback
// that setAuth and ConvexProviderWithAuth's fetchAccessToken take resolves
// to the token string, or null).
//
// Convex fetches the public key from the provider's jwks URL (or an inline
// data: URI) and picks it by kid: publish the signing key's JWKS where
// Convex can fetch it, and set `kid` to its id.
//
// The answer: {"token"} by default, so `fetchAccessToken` returns
// (await res.json()).token; `option answer text` answers the token alone,
// for `fetchAccessToken: () => fetch(url).then(r => r.text())`.
//
// Choices:
//   - aud is required: Convex checks it only when applicationID is set,
//     and a deployment without one accepts any issuer's tokens for it.
//   - iss and aud are privileged; other claims (name, email, a role your
//     functions read) are free-form and privileged, since Convex functions
//     may authorize on them.
//   - ttl: 1 hour by default, 1 minute to 24 hours (Convex sets no limit;
//     clients refresh before exp).

//go:embed guides/convex.md
var convexGuide string

func init() {
	answer, envelope := jsonOrText("token")
	Register(&Preset{
		Name:    "convex",
		Summary: "Convex custom JWT (customJwt provider): RS256 or ES256 with kid, for ConvexProviderWithAuth's fetchAccessToken",
		Guide:   convexGuide,
		Sources: []string{
			"https://docs.convex.dev/auth/advanced/custom-jwt",
			"https://docs.convex.dev/auth/advanced/custom-auth",
			"https://github.com/get-convex/convex-backend/blob/0509716c/npm-packages/docs/docs/auth/advanced/custom-jwt.mdx",
		},
		Algorithms:         []string{"RS256", "ES256"},
		RequireHeader:      []string{"kid"},
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "iss", Type: String, Privileged: true, Required: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "the provider's issuer in auth.config.ts, exactly (https://auth.example.com)"},
			{Name: "sub", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "the user: getUserIdentity()'s subject"},
			{Name: "aud", Type: String, Privileged: true, Required: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "the provider's applicationID, exactly"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		Options:  []Option{answer},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: envelope,
	})
}
