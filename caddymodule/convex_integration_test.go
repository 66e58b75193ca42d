package caddymodule

import (
	"strings"
	"testing"
	"time"
)

// TestConvexContract: a customJwt token with kid for ConvexProviderWithAuth's
// fetchAccessToken, as {token} or as the bare token; iss and aud from the
// config; a free-form claim a request may choose only within allow.
func TestConvexContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, true)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /convex/token {
		provider_token convex {
			signing_key `+path+`
			kid         key-2026-12
			claim       iss https://auth.example.com
			claim       aud my-convex-app
			claim       email {http.auth.user.id}@example.com
			claim       org {query.org}
			allow       org acme
		}
	}
	handle /convex/text {
		provider_token convex {
			signing_key `+path+`
			kid         key-2026-12
			claim       iss https://auth.example.com
			claim       aud my-convex-app
			option      answer text
			claim       org {query.org}
			allow       org acme
		}
	}
}
`)
	start := time.Now()
	check := func(t *testing.T, tok string, want map[string]any) {
		t.Helper()
		h, c := verifyWithKey(t, tok, "RS256", key.Public())
		if h["kid"] != "key-2026-12" || h["typ"] != "JWT" || len(h) != 3 {
			t.Errorf("header = %v, want alg, kid and typ", h)
		}
		wantClaims(t, c, want)
		lifetime(t, c, start, 3600)
	}

	t.Run("{token}", func(t *testing.T) {
		r := call(t, tester, "POST", "/convex/token?org=acme", `{"sub":"admin","iss":"https://evil.example.com"}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("body = %v (%s), want {token}", body, r.header.Get("Content-Type"))
		}
		check(t, body["token"].(string), map[string]any{"iss": "https://auth.example.com", "sub": "alice", "aud": "my-convex-app",
			"email": "alice@example.com", "org": "acme"})
	})
	t.Run("the bare token, text/plain", func(t *testing.T) {
		r := call(t, tester, "GET", "/convex/text", "", alice...)
		wantStatus(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" || strings.Count(r.body, ".") != 2 {
			t.Fatalf("answer %q (%s), want the token alone as text/plain", r.body, ct)
		}
		check(t, r.body, map[string]any{"iss": "https://auth.example.com", "sub": "alice", "aud": "my-convex-app"})
	})
	t.Run("an org outside allow: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/convex/token?org=globex", "", alice...), 403, "org")
	})
	t.Run("text route: refusals stay JSON", func(t *testing.T) {
		r := call(t, tester, "GET", "/convex/text?org=globex", "", alice...)
		refusedField(t, r, 403, "org")
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("refusal content type %q, want application/json", ct)
		}
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/convex/token", ""), 401)
	})

	for _, tc := range []struct{ name, block, want string }{
		{"no kid", "provider_token convex {\n\tsigning_key " + path + "\n\tclaim iss https://a\n\tclaim aud b\n}", "kid"},
		{"no aud", "provider_token convex {\n\tsigning_key " + path + "\n\tkid k\n\tclaim iss https://a\n}", "claim aud"},
		{"iss from the query", "provider_token convex {\n\tsigning_key " + path + "\n\tkid k\n\tclaim iss {query.iss}\n\tclaim aud b\n}", "claim iss grants rights"},
		{"a secret", "provider_token convex {\n\tsecret x\n\tkid k\n\tclaim iss https://a\n\tclaim aud b\n}", "signing_key"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
