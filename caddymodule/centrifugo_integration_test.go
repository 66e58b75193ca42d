package caddymodule

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"reflect"
	"testing"
	"time"
)

// TestCentrifugoContract drives both Centrifugo presets through a real
// Caddy: connection tokens signed with the HMAC secret and with an ECDSA
// key (the key picks ES384), and subscription tokens whose channel the
// request names within the allow list, answered as {token}, the shape the
// SDKs' getToken callbacks return.
func TestCentrifugoContract(t *testing.T) {
	rsaKey := mustRSA(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /centrifugo/connection {
		provider_token centrifugo {
			secret {env.TM_SECRET}
			claim  info `+"`"+`\{"name": "{http.auth.user.id}"\}`+"`"+`
			claim  channels news personal:#{http.auth.user.id}
		}
	}
	handle /centrifugo/connection-ec {
		provider_token centrifugo {
			signing_key `+writeSigningKey(t, ecKey, false)+`
			claim aud   centrifugo
			ttl   1h
		}
	}
	handle /centrifugo/subscription {
		provider_token centrifugo_subscription {
			signing_key `+writeSigningKey(t, rsaKey, true)+`
			allow channel news chat:lobby personal:#{http.auth.user.id}
		}
	}
}
`)
	start := time.Now()

	t.Run("connection token, HS256", func(t *testing.T) {
		r := call(t, tester, "POST", "/centrifugo/connection", `{}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {token}", body)
		}
		h, c := claims(t, body["token"].(string), "HS256", testSecret)
		if len(h) != 2 || h["typ"] != "JWT" {
			t.Errorf("header = %v", h)
		}
		want := map[string]any{"sub": "alice", "info": map[string]any{"name": "alice"}, "channels": []any{"news", "personal:#alice"}}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		lifetime(t, c, start, 600)
	})

	t.Run("connection token, the ECDSA P-384 key signs ES384", func(t *testing.T) {
		r := call(t, tester, "GET", "/centrifugo/connection-ec", "", alice...)
		wantStatus(t, r, 200)
		h, c := verifyWithKey(t, r.json(t)["token"].(string), "ES384", ecKey.Public())
		if h["alg"] != "ES384" || c["sub"] != "alice" || c["aud"] != "centrifugo" || num(t, c["exp"])-num(t, c["iat"]) != 3600 {
			t.Errorf("header %v, claims %v", h, c)
		}
	})

	t.Run("subscription token for an allowed channel", func(t *testing.T) {
		for _, channel := range []string{"chat:lobby", "personal:#alice"} {
			r := call(t, tester, "POST", "/centrifugo/subscription", `{"channel":"`+channel+`"}`, alice...)
			wantStatus(t, r, 200)
			h, c := verifyWithKey(t, r.json(t)["token"].(string), "RS256", rsaKey.Public())
			if h["alg"] != "RS256" || c["sub"] != "alice" || c["channel"] != channel {
				t.Errorf("header %v, claims %v; want RS256, sub alice, channel %s", h, c, channel)
			}
			if d := num(t, c["exp"]) - num(t, c["iat"]); d != 600 {
				t.Errorf("exp - iat = %d, want 600", d)
			}
		}
		// The channel may come from the query string too.
		r := call(t, tester, "GET", "/centrifugo/subscription?channel=news", "", alice...)
		wantStatus(t, r, 200)
		if _, c := verifyWithKey(t, r.json(t)["token"].(string), "RS256", rsaKey.Public()); c["channel"] != "news" {
			t.Errorf("channel = %v, want news", c["channel"])
		}
	})

	t.Run("subscription refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, body string
			status     int
		}{
			{"another user's personal channel", `{"channel":"personal:#bob"}`, 403},
			{"a channel not allowed", `{"channel":"admin"}`, 403},
			{"no channel", `{}`, 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := call(t, tester, "POST", "/centrifugo/subscription", tc.body, alice...)
				wantStatus(t, r, tc.status)
				if r.json(t)["field"] != "channel" {
					t.Errorf("body %s, want field channel", r.body)
				}
				noToken(t, r.body)
			})
		}
	})
}
