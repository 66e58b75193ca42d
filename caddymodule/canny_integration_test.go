package caddymodule

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCannyContract: {ssoToken} for the widget; Canny's SSO redirect back
// to canny.io with the token, a redirect off Canny refused in the
// envelope; the email from the config, never from the request.
func TestCannyContract(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /canny/sso-token {
		provider_token canny {
			secret {env.TM_SECRET}
			claim  email {http.auth.user.id}@example.com
			claim  name {http.auth.user.id}
		}
	}
	handle /canny/login {
		provider_token canny {
			secret {env.TM_SECRET}
			option answer redirect
			option company_id 553c3ef8b8cdcd1501ba1234
			claim  email {http.auth.user.id}@example.com
			claim  name {http.auth.user.id}
		}
	}
}
`)
	start := time.Now()
	want := map[string]any{"email": "alice@example.com", "id": "alice", "name": "alice"}

	t.Run("{ssoToken}", func(t *testing.T) {
		r := call(t, tester, "POST", "/canny/sso-token", `{"email":"mallory@example.com","id":"mallory"}`, alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["ssoToken"].(string), "HS256", testSecret)
		wantClaims(t, c, want)
		lifetime(t, c, start, 3600)
	})
	t.Run("the SSO redirect", func(t *testing.T) {
		res, location := getNoRedirect(t, base+"/canny/login?companyID=553c3ef8b8cdcd1501ba1234&redirect="+url.QueryEscape("https://acme.canny.io/feature-requests"))
		loc, err := url.Parse(location)
		if err != nil || res.StatusCode != http.StatusFound || loc.Host != "canny.io" || loc.Path != "/api/redirects/sso" {
			t.Fatalf("got %d Location %q, want 302 to canny.io's SSO redirect", res.StatusCode, location)
		}
		q := loc.Query()
		if q.Get("companyID") != "553c3ef8b8cdcd1501ba1234" || q.Get("redirect") != "https://acme.canny.io/feature-requests" {
			t.Errorf("query %v", q)
		}
		_, c := claims(t, q.Get("ssoToken"), "HS256", testSecret)
		wantClaims(t, c, want)
	})
	t.Run("a redirect off Canny: 400 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/canny/login?redirect="+url.QueryEscape("https://evil.example.com/"), "", alice...), 400, "redirect")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/canny/sso-token", ""), 401)
	})

	for _, tc := range []struct{ name, block, want string }{
		{"an email from the query", "provider_token canny {\n\tsecret x\n\tclaim email {query.email}\n\tclaim name n\n}", "claim email grants rights"},
		{"redirect without company_id", "provider_token canny {\n\tsecret x\n\toption answer redirect\n\tclaim email e\n\tclaim name n\n}", "company_id"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
