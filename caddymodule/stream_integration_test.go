package caddymodule

import (
	"reflect"
	"testing"
	"time"
)

func streamSites() string {
	return `
http://localhost:9080 {
	basic_auth {
		alice ` + aliceHash + `
	}
	handle /stream/chat {
		provider_token stream {
			secret {env.TM_SECRET}
		}
	}
	handle /stream/call {
		provider_token stream {
			secret {env.TM_SECRET}
			claim  call_cids default:lobby
			allow  call_cids default:lobby default:standup
			ttl    15m
		}
	}
}
`
}

// TestStreamTokenEndpoint: the token a Stream client's tokenProvider
// fetches, and a Video call token whose calls the request picks within
// allow.
func TestStreamTokenEndpoint(t *testing.T) {
	tester := serve(t, streamSites())
	start := time.Now()

	t.Run("user token", func(t *testing.T) {
		r := call(t, tester, "GET", "/stream/chat", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {token}", body)
		}
		h, c := claims(t, body["token"].(string), "HS256", testSecret)
		if len(h) != 2 || h["typ"] != "JWT" {
			t.Errorf("header = %v", h)
		}
		iat := num(t, c["iat"])
		within(t, iat, start.Add(-time.Second))
		if c["user_id"] != "alice" || num(t, c["exp"])-iat != 3600 || len(c) != 3 {
			t.Errorf("claims = %v, want {user_id alice, iat, exp iat + 3600}", c)
		}
	})

	t.Run("call token, calls from the body", func(t *testing.T) {
		r := call(t, tester, "POST", "/stream/call", `{"call_cids":["default:standup","default:lobby"]}`, alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if !reflect.DeepEqual(c["call_cids"], []any{"default:standup", "default:lobby"}) || num(t, c["exp"])-num(t, c["iat"]) != 900 {
			t.Errorf("claims = %v", c)
		}
	})

	for _, tc := range []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"a call outside allow", "/stream/call", `{"call_cids":["default:secret"]}`, 403, "call_cids"},
		{"calls on a user-token route", "/stream/chat", `{"call_cids":["default:lobby"]}`, 403, "call_cids"},
		{"another user_id", "/stream/chat", `{"user_id":"mallory"}`, 403, "user_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "POST", tc.path, tc.body, alice...)
			wantStatus(t, r, tc.status)
			noToken(t, r.body)
			if f := r.json(t)["field"]; f != tc.field {
				t.Errorf("field = %v, want %s", f, tc.field)
			}
		})
	}
}
