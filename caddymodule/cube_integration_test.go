package caddymodule

import (
	"strings"
	"testing"
	"time"
)

// TestCubeContract: a security context for the logged-in user, typed from
// the config; a tenant a request may choose only within allow; in inject
// mode the token reaches Cube's API as Authorization: <token>, as
// @cubejs-client/core sends it.
func TestCubeContract(t *testing.T) {
	key := mustP256(t)
	path := writeSigningKey(t, key, false)
	cube := newUpstream(t)

	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /cube/token {
		provider_token cube {
			secret {env.TM_SECRET}
			claim  tenant_id {query.tenant}
			allow  tenant_id acme globex
			claim  user_id 42
			type   user_id integer
			claim  role analyst
		}
	}
	handle /cubejs-api/* {
		provider_token cube {
			signing_key `+path+`
			kid         cube-1
			claim       tenant_id acme
			inject      header Authorization
		}
		reverse_proxy `+cube.Listener.Addr().String()+`
	}
}
`)
	start := time.Now()

	t.Run("{token}: the security context", func(t *testing.T) {
		r := call(t, tester, "POST", "/cube/token?tenant=globex", `{"role":"admin","tenant_id":"initech"}`, alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		wantClaims(t, c, map[string]any{"sub": "alice", "tenant_id": "globex", "user_id": float64(42), "role": "analyst"})
		lifetime(t, c, start, 3600)
	})
	t.Run("inject: Authorization: <token> to Cube's API, ES256 with kid", func(t *testing.T) {
		r := call(t, tester, "GET", "/cubejs-api/v1/load?query=%7B%7D", "", append([]string{"Authorization", "forged"}, alice...)...)
		wantStatus(t, r, 200)
		got := cube.one(t, "Authorization")
		if len(got) != 1 || got[0] == "forged" || strings.Contains(got[0], " ") {
			t.Fatalf("Cube saw Authorization %q, want the bare token", got)
		}
		h, c := verifyWithKey(t, got[0], "ES256", key.Public())
		if h["kid"] != "cube-1" {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"sub": "alice", "tenant_id": "acme"})
	})
	t.Run("a tenant outside allow: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/cube/token?tenant=initech", "", alice...), 403, "tenant_id")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/cube/token?tenant=acme", ""), 401)
	})

	for _, tc := range []struct{ name, block, want string }{
		{"a context claim from the query", "provider_token cube {\n\tsecret x\n\tclaim tenant_id {query.tenant}\n}", "claim tenant_id grants rights"},
		{"a context claim from the body", "provider_token cube {\n\tsecret x\n\tclaim role {body.role}\n}", "claim role grants rights"},
		{"iat as a claim", "provider_token cube {\n\tsecret x\n\tclaim iat 1\n}", "iat"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
