package caddymodule

import (
	"reflect"
	"strconv"
	"testing"
	"time"
)

func twilioSites() string {
	return `
http://localhost:9080 {
	basic_auth {
		alice ` + aliceHash + `
	}
	handle /twilio/video {
		provider_token twilio {
			key    SK0123456789abcdef0123456789abcdef
			secret {env.TM_SECRET}
			claim  sub AC0123456789abcdef0123456789abcdef
		}
	}
	handle /twilio/voice {
		provider_token twilio {
			key    SK0123456789abcdef0123456789abcdef
			secret {env.TM_SECRET}
			claim  sub AC0123456789abcdef0123456789abcdef
			claim  grants.voice.incoming.allow true
			claim  grants.voice.outgoing.application_sid AP0123456789abcdef0123456789abcdef
			header twr us1
			ttl    4h
		}
	}
}
`
}

// TestTwilioTokenEndpoint: GET /token?room=... as the Video quickstarts
// call it, a POST body, and Voice's identity rule.
func TestTwilioTokenEndpoint(t *testing.T) {
	tester := serve(t, twilioSites())
	start := time.Now()
	const key = "SK0123456789abcdef0123456789abcdef"

	t.Run("video, room from the query", func(t *testing.T) {
		r := call(t, tester, "GET", "/twilio/video?room=daily-standup", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {token}", body)
		}
		h, c := claims(t, body["token"].(string), "HS256", testSecret)
		if !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"}) {
			t.Errorf("header = %v", h)
		}
		iat := num(t, c["iat"])
		within(t, iat, start)
		want := map[string]any{
			"jti": key + "-" + strconv.FormatInt(iat, 10), "iss": key, "sub": "AC0123456789abcdef0123456789abcdef",
			"grants": map[string]any{"identity": "alice", "video": map[string]any{"room": "daily-standup"}},
		}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if num(t, c["nbf"]) != iat || num(t, c["exp"])-iat != 3600 {
			t.Errorf("nbf %v, exp %v: want nbf = iat, exp = iat + 3600", c["nbf"], c["exp"])
		}
	})

	t.Run("voice, POST body", func(t *testing.T) {
		r := call(t, tester, "POST", "/twilio/voice", `{"identity":"alice"}`, alice...)
		wantStatus(t, r, 200)
		h, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if h["twr"] != "us1" || h["cty"] != "twilio-fpa;v=1" {
			t.Errorf("header = %v", h)
		}
		wantGrants := map[string]any{"identity": "alice", "voice": map[string]any{
			"incoming": map[string]any{"allow": true}, "outgoing": map[string]any{"application_sid": "AP0123456789abcdef0123456789abcdef"}}}
		if !reflect.DeepEqual(c["grants"], wantGrants) || num(t, c["exp"])-num(t, c["iat"]) != 4*3600 {
			t.Errorf("claims = %v", c)
		}
	})

	t.Run("another identity", func(t *testing.T) {
		r := call(t, tester, "GET", "/twilio/video?identity=mallory", "", alice...)
		wantStatus(t, r, 403)
		noToken(t, r.body)
		if f := r.json(t)["field"]; f != "identity" {
			t.Errorf("field = %v, want identity", f)
		}
	})
}
