package caddymodule

import (
	"testing"
)

// TestJWKSVerifiedPresets: the presets whose providers fetch a JWKS
// (convex, powersync, hasura's jwk_url, grafana's jwk_set_url, cube's
// CUBEJS_JWK_URL, supabase's imported keys) sign with a key ring unchanged:
// the kid is the ring key's, and every token verifies against the JWKS
// provider_token_jwks serves, as the provider would.
func TestJWKSVerifiedPresets(t *testing.T) {
	dir := t.TempDir()
	tester := serveWith(t, `	storage file_system `+dir+`
	provider_token_keys {
		ring issuer {
			auto ES256
		}
	}
`, `
http://localhost:9080 {
	handle /.well-known/* {
		provider_token_jwks issuer
	}
	handle /convex {
		provider_token convex {
			keyring issuer
			session anonymous
			claim sub u1
			claim iss http://localhost:9080
			claim aud my-app
		}
	}
	handle /powersync {
		provider_token powersync {
			keyring issuer
			session anonymous
			claim sub u1
			option endpoint https://abc.powersync.journeyapps.com
		}
	}
	handle /hasura {
		provider_token hasura {
			keyring issuer
			session anonymous
			claim sub u1
			claim claims.x-hasura-default-role user
			claim claims.x-hasura-allowed-roles user
		}
	}
	handle /grafana {
		provider_token grafana {
			keyring issuer
			session anonymous
			claim sub u1
			claim login u1
		}
	}
	handle /cube {
		provider_token cube {
			keyring issuer
			session anonymous
			claim sub u1
			claim tenant_id acme
		}
	}
	handle /supabase {
		provider_token supabase {
			keyring issuer
			session anonymous
			claim sub u1
		}
	}
}
`)
	toks := map[string]string{}
	for _, route := range []string{"convex", "powersync", "hasura", "grafana", "cube", "supabase"} {
		r := call(t, tester, "GET", "/"+route, "")
		wantStatus(t, r, 200)
		body := r.json(t)
		tok, _ := body["token"].(string)
		if route == "supabase" {
			tok, _ = body["access_token"].(string)
		}
		toks[route] = tok
	}
	set, _ := fetchJWKS(t, tester, "/.well-known/jwks.json")
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys, want the ring's one", len(set.Keys))
	}
	for route, tok := range toks {
		h, c := verifyByJWKS(t, set, tok)
		if h["kid"] != set.Keys[0].KeyID || h["alg"] != "ES256" {
			t.Errorf("%s: header %v, want the ring key's kid and ES256", route, h)
		}
		if c["sub"] != "u1" {
			t.Errorf("%s: sub %v", route, c["sub"])
		}
	}
}
