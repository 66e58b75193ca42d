package caddymodule

import (
	"reflect"
	"testing"
	"time"
)

// TestDailyContract drives the daily preset's request contract through a
// real Caddy: the room from the body or the query, user_name from the
// request, the rest from the config; the answer is {token}, as Daily's
// POST /meeting-tokens answers.
func TestDailyContract(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /daily {
		provider_token daily {
			secret {env.TM_SECRET}
			claim  d 25df5057-ef0d-4d97-bde6-0cf287276cbb
			claim  ejt true
			claim  p.cs v,a
			allow  o true
		}
	}
	handle /daily-standup {
		provider_token daily {
			secret {env.TM_SECRET}
			ttl    15m
			claim  d 25df5057-ef0d-4d97-bde6-0cf287276cbb
			claim  r standup
		}
	}
}
`)
	start := time.Now()

	t.Run("POST room, user_name and is_owner within allow", func(t *testing.T) {
		r := call(t, tester, "POST", "/daily", `{"room":"hello","user_name":"Alice A.","is_owner":true}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {token}", body)
		}
		h, c := claims(t, body["token"].(string), "HS256", testSecret)
		if len(h) != 2 || h["typ"] != "JWT" {
			t.Errorf("header = %v", h)
		}
		want := map[string]any{"r": "hello", "d": "25df5057-ef0d-4d97-bde6-0cf287276cbb", "ud": "alice", "u": "Alice A.",
			"o": true, "ejt": true, "p": map[string]any{"cs": "v,a"}}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		lifetime(t, c, start, 3600)
		if _, ok := c["nbf"]; ok {
			t.Errorf("nbf = %v, want none", c["nbf"])
		}
	})

	t.Run("GET room_name in the query", func(t *testing.T) {
		r := call(t, tester, "GET", "/daily?room_name=team-1", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if c["r"] != "team-1" || c["ud"] != "alice" {
			t.Errorf("claims = %v", c)
		}
		if _, ok := c["o"]; ok {
			t.Errorf("o = %v, want none unless asked for", c["o"])
		}
	})

	t.Run("a route pinned to one room", func(t *testing.T) {
		r := call(t, tester, "POST", "/daily-standup", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if c["r"] != "standup" || num(t, c["exp"])-num(t, c["iat"]) != 900 {
			t.Errorf("claims = %v, want r standup and a 15m life", c)
		}
	})

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"no room", "POST", "/daily", `{}`, 400, "room"},
		{"room with a space", "GET", "/daily?room=a%20b", "", 400, "room"},
		{"user_id of another user", "POST", "/daily", `{"room":"hello","user_id":"mallory"}`, 403, "user_id"},
		{"is_owner false outside allow", "POST", "/daily", `{"room":"hello","is_owner":false}`, 403, "is_owner"},
		{"another room than the pinned one", "POST", "/daily-standup", `{"room":"board"}`, 403, "room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, tc.method, tc.path, tc.body, alice...)
			wantStatus(t, r, tc.status)
			if got := r.json(t)["field"]; got != tc.field {
				t.Errorf("field = %v, want %s (body %s)", got, tc.field, r.body)
			}
			noToken(t, r.body)
		})
	}
}
