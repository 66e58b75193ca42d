package caddymodule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestPostgRESTContract: a role-switching token for the logged-in user
// with claims SQL reads; free-form claims grant rights like role, so a
// client placeholder needs an allow list.
func TestPostgRESTContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, false)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /postgrest/token {
		provider_token postgrest {
			secret {env.TM_SECRET}
			claim  role webuser
			claim  aud my-api
			claim  app.tenant {query.tenant}
			allow  app.tenant acme globex
			claim  level 3
			type   level integer
		}
	}
	handle /postgrest/rs256 {
		provider_token postgrest {
			signing_key `+path+`
			kid         pgrst-1
			claim       role author
			ttl         10m
		}
	}
}
`)
	start := time.Now()

	t.Run("HS256: role, audience, claims for SQL", func(t *testing.T) {
		r := call(t, tester, "POST", "/postgrest/token?tenant=acme", `{"role":"postgres","level":9}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want {token}", body)
		}
		h, c := claims(t, body["token"].(string), "HS256", testSecret)
		if !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT"}) {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"role": "webuser", "sub": "alice", "aud": "my-api",
			"app": map[string]any{"tenant": "acme"}, "level": float64(3)})
		lifetime(t, c, start, 3600)
	})
	t.Run("RS256 with kid", func(t *testing.T) {
		r := call(t, tester, "GET", "/postgrest/rs256", "", alice...)
		wantStatus(t, r, 200)
		h, c := verifyWithKey(t, r.json(t)["token"].(string), "RS256", key.Public())
		if h["kid"] != "pgrst-1" {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"role": "author", "sub": "alice"})
		lifetime(t, c, start, 600)
	})
	t.Run("a tenant outside allow: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/postgrest/token?tenant=initech", "", alice...), 403, "app.tenant")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/postgrest/token?tenant=acme", ""), 401)
	})

	for _, tc := range []struct{ name, block, want string }{
		{"a free-form claim from the query without allow", "provider_token postgrest {\n\tsecret x\n\tclaim tenant {query.tenant}\n}", "claim tenant grants rights"},
		{"a role from a header without allow", "provider_token postgrest {\n\tsecret x\n\tclaim role {http.request.header.X-Role}\n}", "claim role grants rights"},
		{"exp as a claim", "provider_token postgrest {\n\tsecret x\n\tclaim exp 1\n}", "exp"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
