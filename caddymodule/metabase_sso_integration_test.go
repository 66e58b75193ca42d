package caddymodule

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMetabaseSSOContract: the JWT Identity Provider URI. The modular
// embedding SDK's ?response=json gets {"jwt"}; a browser that full-app
// embedding sends with ?return_to= gets a 302 to /auth/sso; a return_to off
// Metabase is refused in the envelope.
func TestMetabaseSSOContract(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /sso/metabase {
		provider_token metabase_sso {
			secret {env.TM_SECRET}
			option site_url https://metabase.example.com
			claim  email {http.auth.user.id}@example.com
			claim  first_name Alice
			claim  groups Customer-Acme
			claim  account_id acme
		}
	}
}
`)
	start := time.Now()
	want := map[string]any{"email": "alice@example.com", "first_name": "Alice", "groups": []any{"Customer-Acme"}, "account_id": "acme"}

	t.Run("the SDK: {jwt}", func(t *testing.T) {
		r := call(t, tester, "GET", "/sso/metabase?response=json&groups=Administrators&email=mallory@example.com", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want {jwt}", body)
		}
		_, c := claims(t, body["jwt"].(string), "HS256", testSecret)
		wantClaims(t, c, want)
		lifetime(t, c, start, 600)
	})

	t.Run("full-app embedding: 302 to /auth/sso with return_to", func(t *testing.T) {
		res, loc := getNoRedirect(t, base+"/sso/metabase?return_to=%2Fdashboard%2F1%3Ftab%3D2")
		rest, ok := strings.CutPrefix(loc, "https://metabase.example.com/auth/sso?jwt=")
		tok, ret, _ := strings.Cut(rest, "&return_to=")
		if res.StatusCode != http.StatusFound || !ok || ret != "%2Fdashboard%2F1%3Ftab%3D2" {
			t.Fatalf("got %d Location %q, want 302 to /auth/sso?jwt=<token>&return_to=/dashboard/1?tab=2", res.StatusCode, loc)
		}
		_, c := claims(t, tok, "HS256", testSecret)
		wantClaims(t, c, want)
	})

	for _, tc := range []struct{ name, query, field string }{
		{"return_to another site", "return_to=https://evil.example.com/", "return_to"},
		{"return_to protocol-relative", "return_to=//evil.example.com/", "return_to"},
		{"response other than json", "response=xml", "response"},
	} {
		t.Run(tc.name+": 400 in the envelope", func(t *testing.T) {
			refusedField(t, call(t, tester, "GET", "/sso/metabase?"+tc.query, "", alice...), 400, tc.field)
		})
	}
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/sso/metabase?response=json", ""), 401)
	})

	head := "provider_token metabase_sso {\n\tsecret x\n\toption site_url https://metabase.example.com\n"
	for _, tc := range []struct{ name, block, want string }{
		{"groups from the query", head + "\tclaim groups {query.groups}\n}", "claim groups grants rights"},
		{"a login attribute from the query", head + "\tclaim tenant {query.tenant}\n}", "claim tenant grants rights"},
		{"no site_url", "provider_token metabase_sso {\n\tsecret x\n}", "site_url"},
		{"ttl above 10 minutes", head + "\tttl 1h\n}", "maximum"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
