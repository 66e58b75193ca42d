package tokens

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// Hasura GraphQL Engine JWT (v2 JWT mode, and DDN v3). Sources:
// hasura/graphql-engine docs/docs/auth/authentication/jwt.mdx
// (HASURA_GRAPHQL_JWT_SECRET: type HS256|HS384|HS512|RS256|RS384|RS512|
// Ed25519|ES256|ES384|ES512, key or jwk_url, claims_namespace (default
// https://hasura.io/jwt/claims), claims_format json or stringified_json,
// audience, issuer, allowed_skew; the session variables
// x-hasura-default-role and x-hasura-allowed-roles required, any other
// x-hasura-* optional, keys case-insensitive; HS keys of at least 32
// characters; with jwk_url the header's kid picks the key),
// hasura.io/docs/2.0/auth/authentication/jwt/ and
// hasura.io/docs/3.0/auth/jwt/jwt-mode (DDN's claimsConfig namespace
// location /claims.jwt.hasura.io, format Json).
//
// The session variables live in one object of claims. Configs write them
// as claims.<variable> (`claim claims.x-hasura-default-role user`); in the
// token the object is the member `option namespace` names, dots and all:
// https://hasura.io/jwt/claims by default, claims.jwt.hasura.io for DDN.
// `option claims_format stringified_json` writes it as a JSON string
// holding the object, as Hasura's claims_format of that name expects.
// A claims_namespace_path or claims_map elsewhere in the token is not
// offered: set the namespace to a top-level member.
//
// The client sends `Authorization: Bearer <token>` (or the cookie Hasura's
// header setting names) and may pick a role with X-Hasura-Role, among
// x-hasura-allowed-roles. Hasura defines no token endpoint; the answer is
// {"token"}.
//
// Readings and choices:
//   - Every session variable is privileged: config only, or a request
//     within allow lists (there are no request fields). Free-form claims
//     (other x-hasura-* variables, or top-level claims) are privileged too.
//   - Names inside the namespace must start with x-hasura- (any case):
//     Hasura reads nothing else there, so another name is a mistake.
//   - x-hasura-default-role must be one of x-hasura-allowed-roles. The
//     docs always show it so; that Hasura enforces it is unconfirmed, and a
//     token breaking it would fail in Hasura or grant a role the allowed
//     list does not name, so it is refused (at load, or with 400 when a
//     placeholder renders them).
//   - sub and x-hasura-user-id are both the session's user.
//   - exp is always set (the docs' example has none; Hasura checks it when
//     present): 15 minutes by default, 1 minute to 30 days. iss and aud are
//     set when Hasura's issuer and audience are.
//   - kid is not required: with a fixed key Hasura needs none; with
//     jwk_url set `kid` to the key's id.

const (
	hasuraNamespace = "https://hasura.io/jwt/claims"
	hasuraPrefix    = "x-hasura-"
)

// hasuraRoles checks that the default role is among the allowed ones.
func hasuraRoles(def Value, allowed Value) string {
	if def.Str == "" || contains(allowed.List, def.Str) {
		return ""
	}
	return "must be one of claims.x-hasura-allowed-roles"
}

func hasuraFinish(m *Mint) *Error {
	def, _ := m.Get("claims.x-hasura-default-role")
	allowed, _ := m.Get("claims.x-hasura-allowed-roles")
	if reason := hasuraRoles(def, allowed); reason != "" {
		return Invalid("claims.x-hasura-default-role", "", reason)
	}
	return nil
}

func hasuraCheck(c *Compiled) error {
	if c.Option("namespace") == "" {
		return fmt.Errorf("option namespace must name the member that holds the session variables (default %s)", hasuraNamespace)
	}
	for _, name := range c.Claims() {
		if v, ok := strings.CutPrefix(name, "claims."); ok && !strings.HasPrefix(strings.ToLower(v), hasuraPrefix) {
			return fmt.Errorf("claim %s: Hasura reads only x-hasura-* session variables in its namespace; name it claims.x-hasura-%s", name, v)
		}
	}
	def, ok1 := c.Value("claims.x-hasura-default-role")
	allowed, ok2 := c.Value("claims.x-hasura-allowed-roles")
	if ok1 && ok2 {
		if reason := hasuraRoles(def, allowed); reason != "" {
			return fmt.Errorf("claim claims.x-hasura-default-role %q %s", def.Str, reason)
		}
	}
	return nil
}

//go:embed guides/hasura.md
var hasuraGuide string

func init() {
	role := Limits{MaxLen: 256, Chars: printable}
	Register(&Preset{
		Name:    "hasura",
		Summary: "Hasura GraphQL Engine JWT (v2, DDN): x-hasura-* session variables in a namespace (option namespace, claims_format)",
		Guide:   hasuraGuide,
		Sources: []string{
			"https://hasura.io/docs/2.0/auth/authentication/jwt/",
			"https://hasura.io/docs/3.0/auth/jwt/jwt-mode",
			"https://github.com/hasura/graphql-engine/blob/083f5a51/docs/docs/auth/authentication/jwt.mdx",
		},
		Algorithms:         []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"},
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "sub", Type: String, User: true, Limits: Limits{MaxLen: 2048, Chars: printable}, Doc: "the user"},
			{Name: "iss", Type: String, Privileged: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "Hasura's issuer, when it sets one"},
			{Name: "aud", Type: String, Privileged: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "Hasura's audience, when it sets one"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "claims", Type: Object, Required: true, Privileged: true,
				Doc: "the session variables' namespace (its name in the token: option namespace)"},
			{Name: "claims.x-hasura-default-role", Type: String, Privileged: true, Required: true, Limits: role,
				Doc: "the role of requests without X-Hasura-Role; one of x-hasura-allowed-roles"},
			{Name: "claims.x-hasura-allowed-roles", Type: Strings, Privileged: true, Required: true, Limits: role,
				Doc: "the roles a request may pick with X-Hasura-Role"},
			{Name: "claims.x-hasura-user-id", Type: String, Privileged: true, User: true, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "the user, for permission rules (X-Hasura-User-Id)"},
		},
		Options: []Option{
			{Name: "namespace", Default: hasuraNamespace, Names: "claims",
				Doc: "the member that holds the session variables: Hasura's claims_namespace (DDN: claims.jwt.hasura.io)"},
			{Name: "claims_format", Default: "json", Enum: []string{"json", "stringified_json"},
				Stringify: map[string]string{"stringified_json": "claims"},
				Doc:       "json: the namespace is an object; stringified_json: a JSON string holding it"},
		},
		TTL:      TTL{Default: 15 * time.Minute, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Check:    hasuraCheck,
		Finish:   hasuraFinish,
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
