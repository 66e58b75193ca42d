package tokens

import (
	_ "embed"
	"time"
)

// Tableau connected app (direct trust) JWT (Sources below). Tableau's
// connected-app docs: HS256 with the connected app's secret value; header
// kid the secret id and iss the client id; claims iss the client id, sub
// the username (case-sensitive), aud "tableau", exp at most 10 minutes
// ahead, jti unique, scp the scopes; any further claim is a user
// attribute, read by USERATTRIBUTE(). The official samples (JavaScript and
// Go) put kid and iss in the header; the Go sample adds iat. The embedding
// API takes the token as the token attribute of <tableau-viz>.
//
// Our choices, where the sources leave room:
//   - key is the client id: it fills iss in the payload and in the header,
//     as both official samples do. kid is required.
//   - sub is the authenticated user; scp is config only, and defaults to
//     ["tableau:views:embed"]. User attributes are free-form claims, from
//     the config only (they feed row-level security).
//   - iat is written, as the Go sample does; no nbf.
//   - ttl: 5 minutes by default, 1m..10m: the token is a one-time sign-in
//     credential (the embedding API's token attribute, or REST sign-in).
//   - The answer is {"token"} (Tableau names no endpoint).

//go:embed guides/tableau.md
var tableauGuide string

func init() {
	Register(&Preset{
		Name:    "tableau",
		Summary: "Tableau connected app (direct trust) JWT for embedding and REST sign-in (set kid to the secret id)",
		Guide:   tableauGuide,
		Sources: []string{
			"https://help.tableau.com/current/online/en-us/connected_apps_direct.htm",
			"https://help.tableau.com/current/online/en-us/connected_apps_troubleshoot.htm",
			"https://github.com/tableau/connected-apps-jwt-samples/blob/011563f7/javascript/index.js",
			"https://github.com/tableau/connected-apps-jwt-samples/blob/33427081/go/main.go",
			"https://github.com/tableau/tableau-mcp/blob/c5e4bb24/src/utils/getJwt.ts",
			"https://www.npmjs.com/package/@tableau/embedding-api/v/3.16.1",
		},
		RequiresKey:   true,
		KeyDoc:        "the connected app's client id (iss, in the header and the payload)",
		KeyHeader:     "iss",
		RequireHeader: []string{"kid"},
		FreeForm:      true,
		Claims: []Claim{
			{Name: "iss", Type: String, Key: true, Required: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the connected app's client id"},
			{Name: "sub", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the Tableau username (case-sensitive): the authenticated user"},
			{Name: "aud", Type: String, Const: true, Default: []string{"tableau"}},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "jti", Type: String, Gen: GenUUID},
			{Name: "scp", Type: Strings, Privileged: true, Required: true, Default: []string{"tableau:views:embed"},
				Limits: Limits{MaxLen: 128, Chars: printable, MaxItems: 32},
				Doc:    "the scopes: tableau:views:embed, tableau:views:embed_authoring, tableau:insights:embed, REST scopes"},
		},
		TTL:      TTL{Default: 5 * time.Minute, Min: time.Minute, Max: 10 * time.Minute},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
