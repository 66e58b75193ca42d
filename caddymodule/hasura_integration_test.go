package caddymodule

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestHasuraContract: x-hasura-* session variables in the namespace an
// option names, as an object or a JSON string; the user from the session;
// a session variable a request may choose only within allow.
func TestHasuraContract(t *testing.T) {
	key := mustP256(t)
	path := writeSigningKey(t, key, false)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /hasura/token {
		provider_token hasura {
			secret {env.TM_SECRET}
			claim  claims.x-hasura-default-role user
			claim  claims.x-hasura-allowed-roles user editor
			claim  claims.x-hasura-org-id {query.org}
			allow  claims.x-hasura-org-id 1 2
		}
	}
	handle /hasura/stringified {
		provider_token hasura {
			secret {env.TM_SECRET}
			option claims_format stringified_json
			claim  claims.x-hasura-default-role user
			claim  claims.x-hasura-allowed-roles user
		}
	}
	handle /hasura/ddn {
		provider_token hasura {
			signing_key `+path+`
			kid         ddn-1
			option      namespace claims.jwt.hasura.io
			claim       aud my-project
			claim       claims.x-hasura-default-role user
			claim       claims.x-hasura-allowed-roles user
		}
	}
}
`)
	start := time.Now()
	roles := map[string]any{"x-hasura-default-role": "user", "x-hasura-allowed-roles": []any{"user"}, "x-hasura-user-id": "alice"}

	t.Run("v2: the default namespace", func(t *testing.T) {
		// The body's session variables set nothing.
		r := call(t, tester, "POST", "/hasura/token?org=2", `{"x-hasura-default-role":"admin","claims":{"x-hasura-role":"admin"}}`, alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		wantClaims(t, c, map[string]any{"sub": "alice", "https://hasura.io/jwt/claims": map[string]any{
			"x-hasura-default-role": "user", "x-hasura-allowed-roles": []any{"user", "editor"}, "x-hasura-user-id": "alice", "x-hasura-org-id": "2"}})
		lifetime(t, c, start, 900)
	})
	t.Run("stringified_json", func(t *testing.T) {
		r := call(t, tester, "GET", "/hasura/stringified", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		text, ok := c["https://hasura.io/jwt/claims"].(string)
		var ns map[string]any
		if !ok || json.Unmarshal([]byte(text), &ns) != nil || !reflect.DeepEqual(ns, roles) {
			t.Errorf("namespace = %#v, want a JSON string holding %v", c["https://hasura.io/jwt/claims"], roles)
		}
	})
	t.Run("DDN: its namespace, ES256 with kid", func(t *testing.T) {
		r := call(t, tester, "GET", "/hasura/ddn", "", alice...)
		wantStatus(t, r, 200)
		h, c := verifyWithKey(t, r.json(t)["token"].(string), "ES256", key.Public())
		if h["kid"] != "ddn-1" {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"sub": "alice", "aud": "my-project", "claims.jwt.hasura.io": roles})
	})
	t.Run("a session variable outside allow: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/hasura/token?org=3", "", alice...), 403, "claims.x-hasura-org-id")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/hasura/token?org=1", ""), 401)
	})

	head := "provider_token hasura {\n\tsecret x\n\tclaim claims.x-hasura-allowed-roles user\n"
	for _, tc := range []struct{ name, block, want string }{
		{"a role from the query without allow", head + "\tclaim claims.x-hasura-default-role {query.role}\n}", "grants rights"},
		{"a session variable from the query without allow", head + "\tclaim claims.x-hasura-default-role user\n\tclaim claims.x-hasura-org-id {query.org}\n}", "grants rights"},
		{"a default role not allowed", head + "\tclaim claims.x-hasura-default-role admin\n}", "must be one of"},
		{"no default role", head + "}", "claims.x-hasura-default-role"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
