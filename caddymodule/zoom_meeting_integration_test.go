package caddymodule

import (
	"testing"
	"time"
)

// TestZoomMeetingContract drives the official sample's contract through a
// real Caddy: POST {meetingNumber, role, expirationSeconds?,
// videoWebRtcMode?} answers {signature, sdkKey}; the sample's 400
// {"errors":[{property, reason}]} for its both-or-neither rule.
func TestZoomMeetingContract(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /zoom-meeting {
		provider_token zoom_meeting {
			key    meeting-sdk-key
			secret {env.TM_SECRET}
			allow  role 0 1
		}
	}
}
`)
	start := time.Now()

	t.Run("web: meetingNumber and role", func(t *testing.T) {
		r := call(t, tester, "POST", "/zoom-meeting", `{"meetingNumber":85746065432,"role":1,"expirationSeconds":"3600","videoWebRtcMode":1}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 2 || body["sdkKey"] != "meeting-sdk-key" {
			t.Fatalf("body = %v, want {signature, sdkKey: meeting-sdk-key}", body)
		}
		h, c := claims(t, body["signature"].(string), "HS256", testSecret)
		if len(h) != 2 || h["typ"] != "JWT" {
			t.Errorf("header = %v, want alg and typ only", h)
		}
		want := map[string]any{"appKey": "meeting-sdk-key", "sdkKey": "meeting-sdk-key", "mn": "85746065432",
			"role": float64(1), "video_webrtc_mode": float64(1)}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		iat := num(t, c["iat"])
		within(t, iat, start)
		if exp := num(t, c["exp"]); exp-iat != 3600 || num(t, c["tokenExp"]) != exp {
			t.Errorf("exp - iat = %d, tokenExp = %v; want 3600 and tokenExp = exp", exp-iat, c["tokenExp"])
		}
		if len(c) != 8 {
			t.Errorf("claims = %v, want exactly appKey, sdkKey, mn, role, iat, exp, tokenExp, video_webrtc_mode", c)
		}
	})

	t.Run("native: neither", func(t *testing.T) {
		r := call(t, tester, "POST", "/zoom-meeting", `{}`, alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["signature"].(string), "HS256", testSecret)
		if _, ok := c["mn"]; ok {
			t.Errorf("native token has mn: %v", c)
		}
		if _, ok := c["role"]; ok {
			t.Errorf("native token has role: %v", c)
		}
		if exp := num(t, c["exp"]); exp-num(t, c["iat"]) != 7200 || num(t, c["tokenExp"]) != exp {
			t.Errorf("claims = %v, want exp = tokenExp = iat + 7200", c)
		}
	})

	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"meetingNumber without role", `{"meetingNumber":"123456789"}`, 400,
			`{"errors":[{"property":"$schema","reason":"If one of the following properties is present, all or none must be present: meetingNumber, role"}]}`},
		{"role without meetingNumber", `{"role":0}`, 400,
			`{"errors":[{"property":"$schema","reason":"If one of the following properties is present, all or none must be present: meetingNumber, role"}]}`},
		{"role 2", `{"meetingNumber":"123456789","role":2}`, 400, `{"errors":[{"property":"role","reason":"must be one of \"0\", \"1\""}]}`},
		{"meetingNumber not digits", `{"meetingNumber":"abc","role":0}`, 400, `{"errors":[{"property":"meetingNumber","reason":"may hold only digits"}]}`},
		{"expirationSeconds below 1800", `{"expirationSeconds":60}`, 400, `{"errors":[{"property":"expirationSeconds","reason":"must be between 1800 and 172800"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "POST", "/zoom-meeting", tc.body, alice...)
			wantStatus(t, r, tc.status)
			if r.body != tc.want {
				t.Errorf("body = %s, want %s", r.body, tc.want)
			}
			noToken(t, r.body)
		})
	}

	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "POST", "/zoom-meeting", `{}`), 401)
	})
}
