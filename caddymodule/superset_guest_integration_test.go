package caddymodule

import (
	"strings"
	"testing"
	"time"
)

// TestSupersetGuestContract: a guest token for the logged-in user, the
// dashboard from the request within allow and RLS rules from the config,
// answered as the REST endpoint does ({token}) or as the bare token for
// fetchGuestToken.
func TestSupersetGuestContract(t *testing.T) {
	const dash = "5f0e7c3a-2b1d-4e8f-9a6b-1c2d3e4f5a6b"
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /superset/guest-token {
		provider_token superset_guest {
			secret {env.TM_SECRET}
			claim  aud https://superset.example.com/
			claim  resources `+dash+`
			allow  resources `+dash+` 12
			claim  rls_rules `+"`"+`[\{"clause": "owner = '{http.auth.user.id}'"\}]`+"`"+`
			claim  user.first_name Alice
		}
	}
	handle /superset/text {
		provider_token superset_guest {
			secret {env.TM_SECRET}
			option answer text
			claim  aud https://superset.example.com/
			claim  resources 12
		}
	}
}
`)
	start := time.Now()

	t.Run("{token}: the configured dashboard", func(t *testing.T) {
		r := call(t, tester, "POST", "/superset/guest-token", `{"rls":[],"rls_rules":[],"user":{"username":"admin"}}`, alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		wantClaims(t, c, map[string]any{"user": map[string]any{"username": "alice", "first_name": "Alice"},
			"resources": []any{map[string]any{"type": "dashboard", "id": dash}},
			"rls_rules": []any{map[string]any{"clause": "owner = 'alice'"}},
			"aud":       "https://superset.example.com/", "type": "guest"})
		lifetime(t, c, start, 300)
	})
	t.Run("an allowed dashboard_id", func(t *testing.T) {
		r := call(t, tester, "GET", "/superset/guest-token?dashboard_id=12", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if got := c["resources"]; len(got.([]any)) != 1 || got.([]any)[0].(map[string]any)["id"] != "12" {
			t.Errorf("resources = %v, want dashboard 12", got)
		}
	})
	t.Run("the bare token for fetchGuestToken", func(t *testing.T) {
		r := call(t, tester, "GET", "/superset/text", "", alice...)
		wantStatus(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("content type %q, want text/plain", ct)
		}
		_, c := claims(t, r.body, "HS256", testSecret)
		wantClaims(t, c, map[string]any{"user": map[string]any{"username": "alice"},
			"resources": []any{map[string]any{"type": "dashboard", "id": "12"}}, "rls_rules": []any{},
			"aud": "https://superset.example.com/", "type": "guest"})
	})
	t.Run("a dashboard outside allow: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/superset/guest-token?dashboard_id=13", "", alice...), 403, "dashboard_id")
	})
	t.Run("a dashboard on a route that pins one: 403", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/superset/text?dashboard_id="+dash, "", alice...), 403, "dashboard_id")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/superset/guest-token", ""), 401)
	})

	head := "provider_token superset_guest {\n\tsecret x\n\tclaim aud a\n"
	for _, tc := range []struct{ name, block, want string }{
		{"RLS rules from the query", head + "\tclaim resources 1\n\tclaim rls_rules {query.rls}\n}", "claim rls_rules grants rights"},
		{"a dashboard from the query without allow", head + "\tclaim resources {query.d}\n}", "claim resources grants rights"},
		{"no dashboard", head + "}", "claim resources"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
