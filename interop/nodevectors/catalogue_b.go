package main

import (
	"time"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// Catalogue II, part B: none of these providers ships an SDK that makes or
// checks the token offline, so jose verifies each (HS256 with the secret,
// or the public key as the JWKS the provider would fetch, picked by kid)
// and node/<preset>.test.mjs checks the provider's claim schema and
// answer. The JWKS-verified presets (convex, powersync, and hasura,
// grafana and cube with a key pair) are signed with this run's RSA or
// P-256 key.

const (
	kidB          = "tokenmint-interop-1"
	supabaseUser  = "7b9c2f9e-2d7e-4a57-8d0a-1f3b3b9a4c11"
	powersyncURL  = "https://abc123.powersync.journeyapps.com"
	supersetDash  = "5f0e7c3a-2b1d-4e8f-9a6b-1c2d3e4f5a6b"
	onesignalApp  = "8250eaf6-1a58-489e-b136-7c74a864b434"
	metabaseSite  = "https://metabase.example.com"
	hasuraDefault = "https://hasura.io/jwt/claims"
)

func init() {
	makers = append(makers, func(e *env) ([]Vector, error) {
		kid := map[string]string{"kid": kidB}
		type job struct {
			preset, name string
			cfg          tokens.Config
			user         string
			b            body
			input        in
		}
		jobs := []job{
			{"supabase", "legacy secret", tokens.Config{Claims: map[string][]string{
				"iss": {"https://abcdefghijklmnopqrst.supabase.co/auth/v1"}, "email": {"alice@example.com"},
				"app_metadata": {`{"provider":"email","providers":["email"]}`}, "amr": {`[{"method":"password","timestamp":1764000000}]`}}},
				supabaseUser, nil, in{"alg": "HS256", "sub": supabaseUser}},
			{"supabase", "imported ES256 key", tokens.Config{Signer: e.ec, Header: kid}, supabaseUser, nil,
				in{"alg": "ES256", "kid": kidB, "sub": supabaseUser}},
			{"postgrest", "role and SQL claims", tokens.Config{Claims: map[string][]string{"role": {"webuser"}, "aud": {"my-api"},
				"tenant_id": {"42"}}, Types: map[string]tokens.Type{"tenant_id": tokens.Int}}, "alice", nil,
				in{"alg": "HS256", "role": "webuser", "aud": "my-api"}},
			{"hasura", "v2, HS256", tokens.Config{Claims: map[string][]string{"claims.x-hasura-default-role": {"user"},
				"claims.x-hasura-allowed-roles": {"user", "editor"}, "claims.x-hasura-org-id": {"123"}}}, "alice", nil,
				in{"alg": "HS256", "namespace": hasuraDefault, "format": "json", "user": "alice"}},
			{"hasura", "stringified_json, RS256 with kid", tokens.Config{Signer: e.rsa, Header: kid,
				Options: map[string]string{"claims_format": "stringified_json"},
				Claims:  map[string][]string{"claims.x-hasura-default-role": {"user"}, "claims.x-hasura-allowed-roles": {"user"}}}, "alice", nil,
				in{"alg": "RS256", "kid": kidB, "namespace": hasuraDefault, "format": "stringified_json", "user": "alice"}},
			{"hasura", "DDN namespace", tokens.Config{Options: map[string]string{"namespace": "claims.jwt.hasura.io"},
				Claims: map[string][]string{"claims.x-hasura-default-role": {"user"}, "claims.x-hasura-allowed-roles": {"user"}}}, "alice", nil,
				in{"alg": "HS256", "namespace": "claims.jwt.hasura.io", "format": "json", "user": "alice"}},
			{"convex", "RS256", tokens.Config{Signer: e.rsa, Header: kid, Claims: map[string][]string{
				"iss": {"https://auth.example.com"}, "aud": {"my-convex-app"}, "name": {"Alice"}}}, "user_123", nil,
				in{"alg": "RS256", "kid": kidB, "issuer": "https://auth.example.com", "applicationID": "my-convex-app", "sub": "user_123"}},
			{"convex", "ES256, the bare token", tokens.Config{Signer: e.ec, Header: kid, Options: map[string]string{"answer": "text"},
				Claims: map[string][]string{"iss": {"https://auth.example.com"}, "aud": {"my-convex-app"}}}, "user_123", nil,
				in{"alg": "ES256", "kid": kidB, "issuer": "https://auth.example.com", "applicationID": "my-convex-app", "sub": "user_123"}},
			{"powersync", "the demo's token", tokens.Config{Signer: e.rsa, Header: kid, Options: map[string]string{"endpoint": powersyncURL},
				Claims: map[string][]string{"iss": {"https://api.example.com"}, "parameters": {`{"team":"blue"}`}}}, "user_123", nil,
				in{"alg": "RS256", "kid": kidB, "endpoint": powersyncURL, "sub": "user_123"}},
			{"jitsi", "app_secret, a room", tokens.Config{Key: "my_app_id", Options: map[string]string{"url": "https://meet.example.com"},
				Claims: map[string][]string{"sub": {"meet.example.com"}, "room": {"standup"}, "context.user.name": {"Alice"},
					"context.user.email": {"alice@example.com"}}}, "u_1001", nil,
				in{"alg": "HS256", "iss": "my_app_id", "aud": "jitsi", "room": "standup", "user": "u_1001", "url": "https://meet.example.com"}},
			{"jitsi", "ASAP RS256, every room", tokens.Config{Key: "my_app_id", Signer: e.rsa, Header: map[string]string{"kid": "jitsi/custom_key_name"},
				Claims: map[string][]string{"sub": {"*"}, "room": {"*"}}}, "u_1001", nil,
				in{"alg": "RS256", "kid": "jitsi/custom_key_name", "iss": "my_app_id", "aud": "jitsi", "room": "*", "user": "u_1001"}},
			{"superset_guest", "a dashboard and an RLS rule", tokens.Config{Claims: map[string][]string{"aud": {"http://0.0.0.0:8080/"},
				"resources": {supersetDash}, "rls_rules": {`[{"clause":"tenant_id = 42"}]`}, "user.first_name": {"Alice"}}}, "alice", nil,
				in{"alg": "HS256", "aud": "http://0.0.0.0:8080/", "dashboard": supersetDash, "username": "alice"}},
			{"metabase_sso", "the SDK's {jwt}", tokens.Config{Options: map[string]string{"site_url": metabaseSite},
				Claims: map[string][]string{"email": {"alice@example.com"}, "first_name": {"Alice"}, "groups": {"Customer-Acme"}}},
				"alice", body{"response": tokens.S("json")}, in{"alg": "HS256", "email": "alice@example.com", "answer": "json"}},
			{"metabase_sso", "full-app embedding's redirect", tokens.Config{Options: map[string]string{"site_url": metabaseSite},
				Claims: map[string][]string{"email": {"alice@example.com"}}},
				"alice", body{"return_to": tokens.S("/dashboard/1")}, in{"alg": "HS256", "email": "alice@example.com", "answer": "redirect",
					"site_url": metabaseSite, "return_to": "/dashboard/1"}},
			{"onesignal", "an email subscription", tokens.Config{Key: onesignalApp, Signer: e.ec,
				Claims: map[string][]string{"subscriptions": {`[{"type":"Email","token":"alice@example.com"}]`}}}, "u_1001", nil,
				in{"alg": "ES256", "appId": onesignalApp, "externalId": "u_1001"}},
			{"grafana", "RS256 with kid for a JWKS", tokens.Config{Signer: e.rsa, Header: kid, TTL: 5 * time.Minute,
				Claims: map[string][]string{"login": {"alice"}, "email": {"alice@example.com"}, "role": {"Editor"}, "groups": {"sre"},
					"iss": {"https://caddy.example.com"}, "aud": {"grafana"}}}, "u_1001", nil,
				in{"alg": "RS256", "kid": kidB, "expect_claims": in{"iss": "https://caddy.example.com", "aud": "grafana"}, "sub": "u_1001"}},
			{"cube", "HS256 security context", tokens.Config{Claims: map[string][]string{"tenant_id": {"acme"}, "user_id": {"42"}},
				Types: map[string]tokens.Type{"user_id": tokens.Int}}, "u_1001", nil,
				in{"alg": "HS256", "sub": "u_1001", "context": in{"tenant_id": "acme", "user_id": 42}}},
			{"cube", "ES256 with kid for CUBEJS_JWK_URL", tokens.Config{Signer: e.ec, Header: kid, Claims: map[string][]string{"tenant_id": {"acme"}}},
				"u_1001", nil, in{"alg": "ES256", "kid": kidB, "sub": "u_1001", "context": in{"tenant_id": "acme"}}},
			{"canny", "the widget's ssoToken", tokens.Config{Claims: map[string][]string{"email": {"alice@example.com"}, "name": {"Alice"},
				"avatarURL": {"https://example.com/a.png"}}}, "u_1001", nil,
				in{"alg": "HS256", "id": "u_1001", "email": "alice@example.com", "name": "Alice"}},
			{"frill", "the widget's ssoToken", tokens.Config{Claims: map[string][]string{"email": {"alice@example.com"}, "name": {"Alice"}}},
				"u_1001", nil, in{"alg": "HS256", "id": "u_1001", "email": "alice@example.com", "name": "Alice"}},
		}
		var out []Vector
		for _, j := range jobs {
			v, err := mint(j.preset, j.name, j.cfg, j.user, j.b, j.input)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	})
}
