package tokens

import (
	_ "embed"
	"encoding/json"
	"strings"
	"time"
)

// Knock user token for enhanced security mode (Sources below). The Node
// SDK's tokenSigner.ts (signUserToken): header {"alg":"RS256","typ":"JWT"},
// the payload sub, grants, iat, exp in that order, exp = iat + 3600 by
// default, grants omitted when none, a jti only on request; its
// userTokens.ts: the grants and Knock's entity URIs. Knock's security docs:
// Knock holds the environment's public key. The Next.js sample's endpoint
// answers {"error": null, "userToken": "<jwt>"}, which the client's
// knock.authenticate(user, userToken, {onUserTokenExpiring}) consumes.
//
// Our choices, where the sources leave room:
//   - The answer is the sample's; the user is the session's, never a
//     request field (the sample's ?id= is ignored).
//   - grants is config only: a JSON object {"<entity URI>": {"<grant>":
//     []}}, as buildUserTokenGrant makes it; entity URIs must be Knock's.
//   - No jti (the SDK's default).
//   - ttl: 1h by default, 1m..24h (Knock documents no maximum; the client
//     refreshes through onUserTokenExpiring).

const knockEntityPrefix = "https://api.knock.app/v1/"

// knockGrants accepts {"<entity URI>": {"<grant>": [...]}}.
func knockGrants(v Value) (Value, string) {
	const want = `must be a JSON object {"https://api.knock.app/v1/<entity>": {"<grant>": []}}`
	if v.Kind == List {
		return v, want
	}
	var m map[string]map[string][]json.RawMessage
	if err := json.Unmarshal([]byte(strings.TrimSpace(v.Str)), &m); err != nil || m == nil {
		return v, want
	}
	for uri, grants := range m {
		if !strings.HasPrefix(uri, knockEntityPrefix) || grants == nil {
			return v, want
		}
	}
	return v, ""
}

//go:embed guides/knock.md
var knockGuide string

func init() {
	Register(&Preset{
		Name:    "knock",
		Summary: "Knock user token for enhanced security mode, RS256, answered as {error: null, userToken}",
		Guide:   knockGuide,
		Sources: []string{
			"https://docs.knock.app/in-app-ui/security-and-authentication",
			"https://github.com/knocklabs/knock-node/blob/1ca49382/src/lib/tokenSigner.ts",
			"https://github.com/knocklabs/knock-node/blob/1ca49382/src/lib/userTokens.ts",
			"https://github.com/knocklabs/javascript/blob/5931103e/examples/nextjs-example/pages/api/auth.ts",
			"https://www.npmjs.com/package/@knocklabs/node/v/1.35.0",
			"https://www.npmjs.com/package/@knocklabs/client/v/0.22.2",
		},
		Algorithms: []string{"RS256"},
		Claims: []Claim{
			{Name: "sub", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the Knock user id: the authenticated user"},
			{Name: "grants", Type: Object, Privileged: true, Normalize: knockGrants,
				Doc: `grants on entities, {"https://api.knock.app/v1/objects/$tenants/<id>": {"slack/channels_read": []}}`},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL: TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: Envelope{Token: func(dst []byte, t *Minted) []byte {
			dst = append(dst, `{"error":null,"userToken":`...)
			dst = appendString(dst, t.Token)
			return append(dst, '}')
		}},
	})
}
