package caddymodule

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestGrafanaContract: in front of Grafana, the token goes to the upstream
// as header_name (X-JWT-Assertion), replacing a client's; the role from
// the config, a team within allow; with url_login, a 302 carries it in
// ?auth_token=.
func TestGrafanaContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, false)
	grafana := newUpstream(t)

	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /grafana/login {
		provider_token grafana {
			signing_key `+path+`
			kid         grafana-1
			claim       login {http.auth.user.id}
			claim       role Viewer
			option      answer redirect
			option      url https://grafana.example.com/
		}
	}
	handle {
		provider_token grafana {
			signing_key `+path+`
			kid         grafana-1
			claim       login {http.auth.user.id}
			claim       email {http.auth.user.id}@example.com
			claim       role Editor
			claim       groups {query.team}
			allow       groups sre dev
			claim       iss https://caddy.example.com
			claim       aud grafana
			inject      header X-JWT-Assertion
		}
		reverse_proxy `+grafana.Listener.Addr().String()+`
	}
}
`)
	start := time.Now()

	t.Run("inject: the upstream gets the token as X-JWT-Assertion", func(t *testing.T) {
		r := call(t, tester, "GET", "/d/abc?team=sre", "", append([]string{"X-JWT-Assertion", "forged"}, alice...)...)
		wantStatus(t, r, 200)
		got := grafana.one(t, "X-JWT-Assertion")
		if r.body != "app" || len(got) != 1 || got[0] == "forged" {
			t.Fatalf("upstream saw %q (body %q), want one minted token", got, r.body)
		}
		h, c := verifyWithKey(t, got[0], "RS256", key.Public())
		if h["kid"] != "grafana-1" {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"sub": "alice", "login": "alice", "email": "alice@example.com", "role": "Editor",
			"groups": []any{"sre"}, "iss": "https://caddy.example.com", "aud": "grafana"})
		lifetime(t, c, start, 900)
	})
	t.Run("a team outside allow: refused before the upstream", func(t *testing.T) {
		grafana.take()
		refusedField(t, call(t, tester, "GET", "/d/abc?team=admins", "", alice...), 403, "groups")
		if got := grafana.take(); got != nil {
			t.Errorf("the upstream was called %d times", len(got))
		}
	})
	t.Run("url_login: 302 with ?auth_token=", func(t *testing.T) {
		res, location := getNoRedirect(t, base+"/grafana/login")
		tok, ok := strings.CutPrefix(location, "https://grafana.example.com/?auth_token=")
		if res.StatusCode != http.StatusFound || !ok {
			t.Fatalf("got %d Location %q, want 302 to ?auth_token=", res.StatusCode, location)
		}
		_, c := verifyWithKey(t, tok, "RS256", key.Public())
		wantClaims(t, c, map[string]any{"sub": "alice", "login": "alice", "role": "Viewer"})
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/d/abc?team=sre", ""), 401)
	})

	head := "provider_token grafana {\n\tsigning_key " + path + "\n\tclaim login a\n"
	for _, tc := range []struct{ name, block, want string }{
		{"a role from a header", head + "\tclaim role {http.request.header.X-Grafana-Role}\n}", "claim role grants rights"},
		{"an org attribute from the query", head + "\tclaim org {query.org}\n}", "claim org grants rights"},
		{"a role Grafana lacks", head + "\tclaim role Owner\n}", "role"},
		{"neither login nor email", "provider_token grafana {\n\tsigning_key " + path + "\n}", "login or an email"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
