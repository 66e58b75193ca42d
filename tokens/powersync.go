package tokens

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// PowerSync custom authentication token. Sources:
// powersync-ja/powersync-docs configuration/auth/custom.mdx
// (docs.powersync.com/configuration/auth/custom: sub, aud, iat and exp
// required; the key picked by kid from a JWKS; RS*, ES*, EdDSA, or HS256
// through an oct JWK) and the client-side integration page
// (fetchCredentials() resolves to {endpoint, token, expiresAt?});
// powersync-ja/powersync-service packages/service-core/src/auth/
// KeyStore.ts (verifyJwt: requiredClaims aud, sub, iat, exp; a token's kid
// selects the key of that kid, and only keys without kid are tried for
// tokens without one; aud must be one of the configured audiences;
// exp - iat at most the key's maxLifetimeSeconds or token_max_expiration,
// 1 day by default; parameters, when present, must be an object; 60 s of
// clock tolerance) and src/util/config/compound-config-collector.ts
// (token_max_expiration '1d'); the demo backend
// powersync-nodejs-backend-todolist-demo src/api/auth.js (sub, iat, iss,
// aud the instance URL, exp 5 minutes; header {alg, kid}).
//
// The answer is what a connector's fetchCredentials() returns,
// {"endpoint": <option endpoint>, "token": <token>}, so the connector can
// `return await res.json()`. (The demo backend answers {token,
// powersync_url} and its clients take only token: that works too.)
//
// Readings and choices:
//   - kid is required: PowerSync tries keys without a kid only for tokens
//     without one, and a published JWKS names its keys.
//   - aud defaults to option endpoint: PowerSync Cloud expects the
//     instance URL; a self-hosted service's client_auth audience can be
//     anything, so `claim aud` overrides it.
//   - sub is the session's user (the demo's ?user_id= is a shortcut that
//     lets anyone be anyone: there are no request fields). iss, aud,
//     parameters and free-form claims (read by sync rules as
//     request.jwt() or token parameters) are privileged.
//   - ttl: 5 minutes by default (the demo's), 1 minute (clients refetch
//     when 30 s remain) to 1 day (the service's default maximum).
//     The docs also say tokens "older than 60 minutes are not accepted"
//     on PowerSync Cloud, which the service code does not show: keep the
//     ttl at an hour or less there.

func powersyncCheck(c *Compiled) error {
	e := c.Option("endpoint")
	if !strings.HasPrefix(e, "https://") && !strings.HasPrefix(e, "http://") {
		return fmt.Errorf("option endpoint must be the PowerSync instance's http:// or https:// URL")
	}
	return nil
}

// powersyncFinish makes the endpoint the audience when the config names
// none.
func powersyncFinish(m *Mint) *Error {
	if _, ok := m.Get("aud"); !ok {
		return m.Set("aud", S(m.Option("endpoint")))
	}
	return nil
}

//go:embed guides/powersync.md
var powersyncGuide string

func init() {
	text := Limits{MaxLen: 2048, Chars: printable}
	Register(&Preset{
		Name:    "powersync",
		Summary: "PowerSync custom auth token with kid, answered as fetchCredentials' {endpoint, token}",
		Guide:   powersyncGuide,
		Sources: []string{
			"https://docs.powersync.com/configuration/auth/custom",
			"https://github.com/powersync-ja/powersync-service/blob/332d6495/packages/service-core/src/auth/KeyStore.ts",
			"https://github.com/powersync-ja/powersync-nodejs-backend-todolist-demo/blob/b430a46a/src/api/auth.js",
		},
		Algorithms:         []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA", "HS256"},
		RequireHeader:      []string{"kid"},
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "sub", Type: String, User: true, Required: true, Limits: text,
				Doc: "the user: request.user_id() / auth.user_id() in sync rules"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "iss", Type: String, Privileged: true, Limits: text, Doc: "the issuer (PowerSync does not check it by default)"},
			{Name: "aud", Type: String, Privileged: true, Limits: text,
				Doc: "one of PowerSync's audiences; default: option endpoint (PowerSync Cloud's instance URL)"},
			{Name: "parameters", Type: Object, Privileged: true, Doc: "token parameters for sync rules, a JSON object"},
		},
		Options: []Option{{Name: "endpoint", Required: true,
			Doc: "the PowerSync instance URL (https://<id>.powersync.journeyapps.com), answered as endpoint"}},
		TTL:    TTL{Default: 5 * time.Minute, Min: time.Minute, Max: 24 * time.Hour},
		Check:  powersyncCheck,
		Finish: powersyncFinish,
		Envelope: Envelope{Token: func(dst []byte, t *Minted) []byte {
			dst = append(dst, `{"endpoint":`...)
			dst = appendString(dst, t.Option("endpoint"))
			dst = append(dst, `,"token":`...)
			dst = appendString(dst, t.Token)
			return append(dst, '}')
		}},
	})
}
