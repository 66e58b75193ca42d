package tokens

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const zoomMeetingKey = "abc123"

// TestZoomMeetingSampleBody maps the official sample's POST body to the
// token: meetingNumber and role both (web) or neither (native).
func TestZoomMeetingSampleBody(t *testing.T) {
	tmpl := compile(t, "zoom_meeting", Config{Key: zoomMeetingKey, Allow: map[string][]string{"role": {"0", "1"}}})
	for _, tc := range []struct {
		name   string
		params map[string]Value
		want   string
	}{
		{"web: the README's example", map[string]Value{"meetingNumber": S("123456789"), "role": S("0")},
			`{"appKey":"abc123","sdkKey":"abc123","mn":"123456789","role":0,"iat":1764000000,"exp":1764007200,"tokenExp":1764007200}`},
		{"web: meetingNumber as a JSON number, role as a string", map[string]Value{"meetingNumber": S("85746065432"), "role": S("1")},
			`{"appKey":"abc123","sdkKey":"abc123","mn":"85746065432","role":1,"iat":1764000000,"exp":1764007200,"tokenExp":1764007200}`},
		{"web with videoWebRtcMode", map[string]Value{"meetingNumber": S("123456789"), "role": S("1"), "videoWebRtcMode": S("1")},
			`{"appKey":"abc123","sdkKey":"abc123","mn":"123456789","role":1,"iat":1764000000,"exp":1764007200,"tokenExp":1764007200,"video_webrtc_mode":1}`},
		{"native: neither, no mn and no role", map[string]Value{},
			`{"appKey":"abc123","sdkKey":"abc123","iat":1764000000,"exp":1764007200,"tokenExp":1764007200}`},
		{"native with videoWebRtcMode 0", map[string]Value{"videoWebRtcMode": S("0")},
			`{"appKey":"abc123","sdkKey":"abc123","iat":1764000000,"exp":1764007200,"tokenExp":1764007200,"video_webrtc_mode":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tmpl, bodyInput("alice", tc.params), hs256Header, tc.want)
		})
	}
}

// TestZoomMeetingTokenExp: tokenExp is exp, whatever the lifetime.
func TestZoomMeetingTokenExp(t *testing.T) {
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		secs string
		life int64
	}{
		{"default 2h", 0, "", 7200},
		{"ttl 48h", 48 * time.Hour, "", 172800},
		{"ttl 30m", 30 * time.Minute, "", 1800},
		{"expirationSeconds 3600", 0, "3600", 3600},
		{"expirationSeconds 1800 under a 48h ttl", 48 * time.Hour, "1800", 1800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "zoom_meeting", Config{Key: zoomMeetingKey, TTL: tc.ttl})
			params := map[string]Value{"meetingNumber": S("123456789"), "role": S("0")}
			if tc.secs != "" {
				params["expirationSeconds"] = S(tc.secs)
			}
			m, p := mintDecoded(t, tmpl, bodyInput("alice", params))
			want := mustJSON(t, `{"appKey":"abc123","sdkKey":"abc123","mn":"123456789","role":0,"iat":1764000000}`)
			want["exp"] = float64(now.Unix() + tc.life)
			want["tokenExp"] = want["exp"]
			if !reflect.DeepEqual(p, want) {
				t.Errorf("payload: got %v, want %v", p, want)
			}
			if m.Expires != now.Unix()+tc.life {
				t.Errorf("Minted.Expires: got %d, want %d", m.Expires, now.Unix()+tc.life)
			}
		})
	}
}

func TestZoomMeetingConfiguredMeeting(t *testing.T) {
	tmpl := compile(t, "zoom_meeting", Config{Key: zoomMeetingKey, Claims: map[string][]string{"mn": {"123456789"}},
		Allow: map[string][]string{"role": {"1"}}})
	const web0 = `{"appKey":"abc123","sdkKey":"abc123","mn":"123456789","role":0,"iat":1764000000,"exp":1764007200,"tokenExp":1764007200}`
	t.Run("neither: a web token for the configured meeting", func(t *testing.T) {
		golden(t, tmpl, bodyInput("alice", nil), hs256Header, web0)
	})
	t.Run("role alone", func(t *testing.T) {
		golden(t, tmpl, bodyInput("alice", map[string]Value{"role": S("1")}), hs256Header,
			`{"appKey":"abc123","sdkKey":"abc123","mn":"123456789","role":1,"iat":1764000000,"exp":1764007200,"tokenExp":1764007200}`)
	})
	t.Run("both, the same meeting", func(t *testing.T) {
		golden(t, tmpl, bodyInput("alice", map[string]Value{"meetingNumber": S("123456789"), "role": S("0")}), hs256Header, web0)
	})
	t.Run("another meeting", func(t *testing.T) {
		refusal(t, tmpl, bodyInput("alice", map[string]Value{"meetingNumber": S("987654321"), "role": S("0")}), http.StatusForbidden, "meetingNumber")
	})
	t.Run("inject mode: no request fields", func(t *testing.T) {
		golden(t, tmpl, Input{User: "alice"}, hs256Header, web0)
	})
	native := compile(t, "zoom_meeting", Config{Key: zoomMeetingKey})
	t.Run("inject mode without mn: native", func(t *testing.T) {
		golden(t, native, Input{User: "alice"}, hs256Header,
			`{"appKey":"abc123","sdkKey":"abc123","iat":1764000000,"exp":1764007200,"tokenExp":1764007200}`)
	})
}

func TestZoomMeetingRefusals(t *testing.T) {
	tmpl := compile(t, "zoom_meeting", Config{Key: zoomMeetingKey})
	for _, tc := range []struct {
		name   string
		params map[string]Value
		status int
		field  string
	}{
		{"meetingNumber without role", map[string]Value{"meetingNumber": S("123456789")}, http.StatusBadRequest, "$schema"},
		{"role without meetingNumber", map[string]Value{"role": S("0")}, http.StatusBadRequest, "$schema"},
		{"meetingNumber empty", map[string]Value{"meetingNumber": S(""), "role": S("0")}, http.StatusBadRequest, "meetingNumber"},
		{"meetingNumber not digits", map[string]Value{"meetingNumber": S("123-456"), "role": S("0")}, http.StatusBadRequest, "meetingNumber"},
		{"meetingNumber of 21 digits", map[string]Value{"meetingNumber": S(strings.Repeat("1", 21)), "role": S("0")}, http.StatusBadRequest, "meetingNumber"},
		{"meetingNumber a list", map[string]Value{"meetingNumber": L("1", "2"), "role": S("0")}, http.StatusBadRequest, "meetingNumber"},
		{"role 1 without allow", map[string]Value{"meetingNumber": S("123456789"), "role": S("1")}, http.StatusForbidden, "role"},
		{"role 2", map[string]Value{"meetingNumber": S("123456789"), "role": S("2")}, http.StatusBadRequest, "role"},
		{"role not a number", map[string]Value{"meetingNumber": S("123456789"), "role": S("host")}, http.StatusBadRequest, "role"},
		{"videoWebRtcMode 2", map[string]Value{"videoWebRtcMode": S("2")}, http.StatusBadRequest, "videoWebRtcMode"},
		{"expirationSeconds 1799", map[string]Value{"expirationSeconds": S("1799")}, http.StatusBadRequest, "expirationSeconds"},
		{"expirationSeconds above the ttl", map[string]Value{"expirationSeconds": S("7201")}, http.StatusForbidden, "expirationSeconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tmpl, bodyInput("alice", tc.params), tc.status, tc.field)
		})
	}
	t.Run("no user", func(t *testing.T) {
		refusal(t, tmpl, bodyInput("", nil), http.StatusUnauthorized, "")
	})
}

func TestZoomMeetingEnvelope(t *testing.T) {
	tmpl := compile(t, "zoom_meeting", Config{Key: zoomMeetingKey})
	t.Run("success: signature and sdkKey", func(t *testing.T) {
		m, err := tmpl.Mint(now, bodyInput("alice", map[string]Value{"meetingNumber": S("123456789"), "role": S("0")}))
		if err != nil {
			t.Fatalf("Mint: %v", err)
		}
		wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"signature":"`+m.Token+`","sdkKey":"abc123"}`)
	})
	for _, tc := range []struct {
		name   string
		params map[string]Value
		status int
		body   string
	}{
		{"the sample's schema error", map[string]Value{"meetingNumber": S("123456789")}, http.StatusBadRequest,
			`{"errors":[{"property":"$schema","reason":"If one of the following properties is present, all or none must be present: meetingNumber, role"}]}`},
		{"a property error", map[string]Value{"meetingNumber": S("123456789"), "role": S("2")}, http.StatusBadRequest,
			`{"errors":[{"property":"role","reason":"must be one of \"0\", \"1\""}]}`},
		{"expirationSeconds out of range", map[string]Value{"expirationSeconds": S("60")}, http.StatusBadRequest,
			`{"errors":[{"property":"expirationSeconds","reason":"must be between 1800 and 172800"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, e := tmpl.Mint(now, bodyInput("alice", tc.params))
			if e == nil {
				t.Fatal("Mint succeeded, want a refusal")
			}
			body, status, ctype := tmpl.Preset().Refuse(nil, e)
			if string(body) != tc.body || status != tc.status || ctype != "application/json" || !json.Valid(body) {
				t.Errorf("got %d %s %s, want %d application/json %s", status, ctype, body, tc.status, tc.body)
			}
		})
	}
}

func TestZoomMeetingConfig(t *testing.T) {
	p, err := Lookup("zoom_meeting")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"key", Config{Key: zoomMeetingKey, Signer: s}, true},
		{"no key", Config{Signer: s}, false},
		{"ttl 29m", Config{Key: zoomMeetingKey, Signer: s, TTL: 29 * time.Minute}, false},
		{"ttl 49h", Config{Key: zoomMeetingKey, Signer: s, TTL: 49 * time.Hour}, false},
		{"HS512", Config{Key: zoomMeetingKey, Signer: mustHMAC(t, "HS512", testSecret)}, false},
		{"tokenExp set", Config{Key: zoomMeetingKey, Signer: s, Claims: map[string][]string{"tokenExp": {"1"}}}, false},
		{"sdkKey set", Config{Key: zoomMeetingKey, Signer: s, Claims: map[string][]string{"sdkKey": {"x"}}}, false},
		{"mn not digits", Config{Key: zoomMeetingKey, Signer: s, Claims: map[string][]string{"mn": {"abc"}}}, false},
		{"role 2", Config{Key: zoomMeetingKey, Signer: s, Claims: map[string][]string{"role": {"2"}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); (err == nil) != tc.ok {
				t.Errorf("Compile ok: got %v (%v), want %v", err == nil, err, tc.ok)
			}
		})
	}
}
