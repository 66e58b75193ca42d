package caddymodule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestPusherBeamsContract: the Beams web SDK's TokenProvider calls
// GET <url>?user_id=<id> and reads {"token"}; the user_id must be the
// logged-in user.
func TestPusherBeamsContract(t *testing.T) {
	const instance = "8f9a6e22-2483-49aa-8552-125f1a4c5781"
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /pusher/beams-auth {
		provider_token pusher_beams {
			key    `+instance+`
			secret {env.TM_SECRET}
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/pusher/beams-auth?user_id=alice", "", alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	if len(body) != 1 {
		t.Errorf("body = %v, want only {token}", body)
	}
	h, c := claims(t, body["token"].(string), "HS256", testSecret)
	if !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT"}) {
		t.Errorf("header = %v", h)
	}
	if c["iss"] != "https://"+instance+".pushnotifications.pusher.com" || c["sub"] != "alice" || len(c) != 4 {
		t.Errorf("claims = %v, want iat, exp, iss of the instance, sub alice", c)
	}
	lifetime(t, c, start, 86400)

	for _, tc := range []struct {
		name, path string
		status     int
		field      string
	}{
		{"another user's id", "/pusher/beams-auth?user_id=bob", 403, "user_id"},
		{"a user id of 165 characters", "/pusher/beams-auth?user_id=" + strings.Repeat("a", 165), 400, "user_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "GET", tc.path, "", alice...)
			wantStatus(t, r, tc.status)
			if b := r.json(t); b["field"] != tc.field {
				t.Errorf("body %s, want field %q", r.body, tc.field)
			}
			noToken(t, r.body)
		})
	}
	wantStatus(t, call(t, tester, "GET", "/pusher/beams-auth?user_id=alice", ""), 401)
}
