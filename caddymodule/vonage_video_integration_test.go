package caddymodule

import (
	"reflect"
	"testing"
	"time"
)

// TestVonageVideoContract: {applicationId, sessionId, token} as
// OT.initSession(applicationId, sessionId).connect(token) takes them; the
// session and role from the request only within allow.
func TestVonageVideoContract(t *testing.T) {
	const session, other = "1_MX4xMjM0NTY3OH5-fg", "2_MX4yMjM0NTY3OH5-fg"
	key := mustRSA(t)
	path := writeSigningKey(t, key, false)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /vonage/video {
		provider_token vonage_video {
			key         `+itVonageApp+`
			signing_key `+path+`
			claim session_id `+session+`
			allow session_id `+session+` `+other+`
			allow role publisher subscriber
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "POST", "/vonage/video", `{"sessionId":"`+other+`","role":"subscriber"}`, alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	tok, _ := body["token"].(string)
	if body["applicationId"] != itVonageApp || body["sessionId"] != other || len(body) != 3 {
		t.Errorf("body = %v, want {applicationId, sessionId %s, token}", body, other)
	}
	_, c := verifyWithKey(t, tok, "RS256", key.Public())
	want := map[string]any{"scope": "session.connect", "session_id": other, "role": "subscriber", "initial_layout_class_list": "",
		"sub": "video", "acl": map[string]any{"paths": map[string]any{"/session/**": map[string]any{}}},
		"connection_data": "alice", "application_id": itVonageApp}
	for k, v := range want {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	lifetime(t, c, start, 86400)

	r = call(t, tester, "GET", "/vonage/video", "", alice...)
	wantStatus(t, r, 200)
	if b := r.json(t); b["sessionId"] != session {
		t.Errorf("no request fields: sessionId %v, want the config's %s", b["sessionId"], session)
	}

	for _, tc := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"a session outside allow", `{"sessionId":"3_other"}`, 403, "sessionId"},
		{"moderator outside allow", `{"role":"moderator"}`, 403, "role"},
		{"an unknown role", `{"role":"owner"}`, 400, "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "POST", "/vonage/video", tc.body, alice...)
			wantStatus(t, r, tc.status)
			if b := r.json(t); b["field"] != tc.field {
				t.Errorf("body %s, want field %q", r.body, tc.field)
			}
			noToken(t, r.body)
		})
	}
}
