package caddymodule

import (
	"reflect"
	"testing"
	"time"
)

// TestIntercomContract: the install guide's GET /api/intercom-jwt -> {token},
// user_id the logged-in user, signed attributes from the config only.
func TestIntercomContract(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /api/intercom-jwt {
		provider_token intercom {
			secret {env.TM_SECRET}
			claim  email {http.auth.user.id}@example.com
			claim  plan pro
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/api/intercom-jwt?user_id=ceo&email=ceo@example.com&plan=enterprise", "", alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	if len(body) != 1 {
		t.Errorf("body = %v, want only {token}", body)
	}
	h, c := claims(t, body["token"].(string), "HS256", testSecret)
	if !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT"}) {
		t.Errorf("header = %v", h)
	}
	if c["user_id"] != "alice" || c["email"] != "alice@example.com" || c["plan"] != "pro" || len(c) != 5 {
		t.Errorf("claims = %v, want user_id alice, the config's email and plan, iat, exp; nothing from the query", c)
	}
	lifetime(t, c, start, 7200)
	r = call(t, tester, "GET", "/api/intercom-jwt", "")
	wantStatus(t, r, 401)
	noToken(t, r.body)
}
