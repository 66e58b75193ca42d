package caddymodule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestKnockContract: the sample endpoint's answer {"error": null,
// "userToken"} for the logged-in user, grants from the config only.
func TestKnockContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, false)
	tester := serve(t, `
http://localhost:9080 {
	handle /knock/auth {
		basic_auth {
			alice `+aliceHash+`
		}
		provider_token knock {
			signing_key `+path+`
			claim grants {"https://api.knock.app/v1/objects/$tenants/acme":{"slack/channels_read":[]}}
		}
	}
	handle /knock/behind-proxy {
		provider_token knock {
			signing_key `+path+`
			session header X-User
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/knock/auth?id=mallory&sub=mallory", "", alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	if _, isNull := body["error"]; !isNull || body["error"] != nil || len(body) != 2 {
		t.Errorf("body = %v, want {error: null, userToken}", body)
	}
	h, c := verifyWithKey(t, body["userToken"].(string), "RS256", key.Public())
	if !reflect.DeepEqual(h, map[string]any{"alg": "RS256", "typ": "JWT"}) {
		t.Errorf("header = %v", h)
	}
	grants := map[string]any{"https://api.knock.app/v1/objects/$tenants/acme": map[string]any{"slack/channels_read": []any{}}}
	if c["sub"] != "alice" || !reflect.DeepEqual(c["grants"], grants) || len(c) != 4 {
		t.Errorf("claims = %v, want sub alice (not the query's id), the configured grants, iat, exp", c)
	}
	lifetime(t, c, start, 3600)

	// A grant in the request is not read; the token keeps the config's.
	r = call(t, tester, "POST", "/knock/auth", `{"grants":{"https://api.knock.app/v1/users/bob":{"user/feed_read":[]}}}`, alice...)
	wantStatus(t, r, 200)
	_, c = verifyWithKey(t, r.json(t)["userToken"].(string), "RS256", key.Public())
	if !reflect.DeepEqual(c["grants"], grants) {
		t.Errorf("grants = %v, want the config's", c["grants"])
	}

	wantStatus(t, call(t, tester, "GET", "/knock/auth", ""), 401)

	// Refusals in the envelope, where the user comes from a trusted header.
	for _, tc := range []struct {
		name, user string
		status     int
		field      string
	}{
		{"no user", "", 401, ""},
		{"a user id over 256 characters", strings.Repeat("u", 257), 400, "sub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.user != "" {
				hdr = []string{"X-User", tc.user}
			}
			r := call(t, tester, "GET", "/knock/behind-proxy", "", hdr...)
			wantStatus(t, r, tc.status)
			if b := r.json(t); b["error"] == nil || b["field"] != nilIfEmpty(tc.field) {
				t.Errorf("body %s, want an error on %q", r.body, tc.field)
			}
			noToken(t, r.body)
		})
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
