package caddymodule

import (
	"strings"
	"testing"
	"time"
)

// TestFrillContract: {ssoToken} for the widget, the email from the config
// and the id from the session, whatever the request sends.
func TestFrillContract(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /frill/sso-token {
		provider_token frill {
			secret {env.TM_SECRET}
			claim  email {http.auth.user.id}@example.com
			claim  name Alice
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "POST", "/frill/sso-token", `{"email":"mallory@example.com","id":"mallory"}`, alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	if len(body) != 1 {
		t.Errorf("body = %v, want {ssoToken}", body)
	}
	h, c := claims(t, body["ssoToken"].(string), "HS256", testSecret)
	if len(h) != 2 || h["alg"] != "HS256" {
		t.Errorf("header = %v", h)
	}
	wantClaims(t, c, map[string]any{"email": "alice@example.com", "id": "alice", "name": "Alice"})
	lifetime(t, c, start, 3600)
	wantStatus(t, call(t, tester, "GET", "/frill/sso-token", ""), 401)

	_, err := adapt(t, site("provider_token frill {\n\tsecret x\n\tclaim email {http.request.header.X-Email}\n\tclaim name n\n}"))
	if err == nil || !strings.Contains(err.Error(), "claim email grants rights") {
		t.Fatalf("adapt: %v, want an email from a header refused", err)
	}
}
