package caddymodule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestZendeskContract: loginUser's jwtCallback reads the answer as text;
// external_id is the logged-in user; refusals are text too.
func TestZendeskContract(t *testing.T) {
	const kid = "app_64d3b7c1a2e9f0001a2b3c4d"
	tester := serve(t, `
http://localhost:9080 {
	handle /zendesk/jwt {
		basic_auth {
			alice `+aliceHash+`
		}
		provider_token zendesk {
			kid    `+kid+`
			secret {env.TM_SECRET}
			claim  email {http.auth.user.id}@example.com
			claim  email_verified true
		}
	}
	handle /zendesk/behind-proxy {
		provider_token zendesk {
			kid    `+kid+`
			secret {env.TM_SECRET}
			session header X-User
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/zendesk/jwt?external_id=bob&email_verified=false", "", alice...)
	wantStatus(t, r, 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	h, c := claims(t, r.body, "HS256", testSecret)
	if !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}) {
		t.Errorf("header = %v", h)
	}
	if c["scope"] != "user" || c["external_id"] != "alice" || c["email"] != "alice@example.com" || c["email_verified"] != true || len(c) != 5 {
		t.Errorf("claims = %v, want scope user, external_id alice, the config's email, verified, exp", c)
	}
	if exp := num(t, c["exp"]); exp < start.Unix()+3595 || exp > start.Unix()+3605 {
		t.Errorf("exp = %d, want about an hour from now", exp)
	}

	r = call(t, tester, "GET", "/zendesk/behind-proxy", "", "X-User", strings.Repeat("u", 256))
	wantStatus(t, r, 400)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || !strings.HasPrefix(r.body, "invalid_request: external_id: ") {
		t.Errorf("refusal %q (%s), want text invalid_request: external_id: ...", r.body, r.header.Get("Content-Type"))
	}
	noToken(t, r.body)
}
