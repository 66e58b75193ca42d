package tokens

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// bodyInput is a request that goes through the preset's request contract,
// with params as a decoded JSON body would give them. user "" is no user.
// (Shared by the preset tests in this package.)
func bodyInput(user string, params map[string]Value) Input {
	if params == nil {
		params = map[string]Value{}
	}
	return Input{User: user, Request: &fakeRequest{params: params}, Contract: true}
}

// mintDecoded mints, verifies the token with golang-jwt under the template's
// algorithm and returns the token and its payload. Unlike golden it does not
// tie exp to the configured ttl, for requests that shorten the lifetime.
func mintDecoded(t *testing.T, tmpl *Template, in Input) (Minted, map[string]any) {
	t.Helper()
	m, err := tmpl.Mint(now, in)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	h, p := decode(t, m.Token, tmpl.Alg(), testSecret)
	if alg := h["alg"]; alg != tmpl.Alg() {
		t.Errorf("header alg = %v, want %s", alg, tmpl.Alg())
	}
	return m, p
}

const zoomKey = "VIDEO_SDK_KEY"

// TestZoomVideoSampleBody maps every field of the official sample's POST
// body to its claim. The session is anonymous so that userIdentity comes
// from the body, as in the sample; role 1 is allowed by the config.
func TestZoomVideoSampleBody(t *testing.T) {
	tmpl := compile(t, "zoom_video", Config{Key: zoomKey, Anonymous: true,
		Allow: map[string][]string{"role_type": {"0", "1"}}})
	full := func(over map[string]Value) map[string]Value {
		p := map[string]Value{
			"sessionName":            S("cool cars"),
			"role":                   S("1"),
			"userIdentity":           S("user123"),
			"sessionKey":             S("session123"),
			"geoRegions":             S("US,DE"),
			"cloudRecordingOption":   S("1"),
			"cloudRecordingElection": S("0"),
			"telemetryTrackingId":    S("track-1"),
			"videoWebRtcMode":        S("1"),
			"audioWebRtcMode":        S("1"),
		}
		for k, v := range over {
			p[k] = v
		}
		return p
	}
	const fullWant = `{"app_key":"VIDEO_SDK_KEY","role_type":1,"tpc":"cool cars","version":1,"iat":1764000000,"exp":1764007200,
		"user_identity":"user123","session_key":"session123","geo_regions":"US,DE","cloud_recording_option":1,
		"cloud_recording_election":0,"telemetry_tracking_id":"track-1","video_webrtc_mode":1,"audio_webrtc_mode":1}`
	for _, tc := range []struct {
		name   string
		params map[string]Value
		want   string
	}{
		{"every field, numbers as strings", full(nil), fullWant},
		{"geoRegions comma string with spaces", full(map[string]Value{"geoRegions": S(" US , DE ")}), fullWant},
		{"geoRegions as a list", full(map[string]Value{"geoRegions": L("US", "DE")}), fullWant},
		{"geoRegions as a JSON array text", full(map[string]Value{"geoRegions": S(`["US","DE"]`)}), fullWant},
		{"numbers with spaces and as 1.0", full(map[string]Value{"role": S(" 1 "), "cloudRecordingOption": S("1.0")}), fullWant},
		{"role defaults to 0", map[string]Value{"sessionName": S("cool cars")},
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"cool cars","version":1,"iat":1764000000,"exp":1764007200}`},
		{"role 0 given", map[string]Value{"sessionName": S("cool cars"), "role": S("0")},
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"cool cars","version":1,"iat":1764000000,"exp":1764007200}`},
		{"deprecated audioCompatibleMode", map[string]Value{"sessionName": S("s"), "audioCompatibleMode": S("1")},
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"s","version":1,"iat":1764000000,"exp":1764007200,"audio_webrtc_mode":1}`},
		{"audioWebRtcMode wins over audioCompatibleMode", map[string]Value{"sessionName": S("s"), "audioWebRtcMode": S("0"), "audioCompatibleMode": S("1")},
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"s","version":1,"iat":1764000000,"exp":1764007200,"audio_webrtc_mode":0}`},
		{"all allowed symbols in sessionName", map[string]Value{"sessionName": S("a Z 0 !#$%&()+-:;<=.>?@[]^_{}|~,")},
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"a Z 0 !#$%&()+-:;<=.>?@[]^_{}|~,","version":1,"iat":1764000000,"exp":1764007200}`},
		{"sessionName of 200 characters", map[string]Value{"sessionName": S(strings.Repeat("a", 200))},
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"` + strings.Repeat("a", 200) + `","version":1,"iat":1764000000,"exp":1764007200}`},
		{"userIdentity of 35 and sessionKey of 36 characters",
			map[string]Value{"sessionName": S("s"), "userIdentity": S(strings.Repeat("u", 35)), "sessionKey": S(strings.Repeat("k", 36))},
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"s","version":1,"iat":1764000000,"exp":1764007200,
			  "user_identity":"` + strings.Repeat("u", 35) + `","session_key":"` + strings.Repeat("k", 36) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tmpl, bodyInput("", tc.params), hs256Header, tc.want)
		})
	}
}

// TestZoomVideoSessionNameBackslash: the Video SDK auth doc (and the spec,
// section 3) lists "\" among the characters tpc may hold.
func TestZoomVideoSessionNameBackslash(t *testing.T) {
	tmpl := compile(t, "zoom_video", Config{Key: zoomKey, Anonymous: true})
	m, err := tmpl.Mint(now, bodyInput("", map[string]Value{"sessionName": S(`a\b`)}))
	if err != nil {
		t.Fatal(`regression: zoom_video.go:69 tpc pattern omits "\", which developers.zoom.us/docs/video-sdk/auth and providers.md section 3 allow; sessionName "a\b" is refused: ` + err.Error())
	}
	_, p := decode(t, m.Token, "HS256", testSecret)
	if got, want := p["tpc"], `a\b`; got != want {
		t.Errorf("tpc = %v, want %s", got, want)
	}
}

func TestZoomVideoAuthenticatedUser(t *testing.T) {
	tmpl := compile(t, "zoom_video", Config{Key: zoomKey})
	const want = `{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"s","version":1,"iat":1764000000,"exp":1764007200,"user_identity":"alice"}`
	t.Run("user fills user_identity", func(t *testing.T) {
		golden(t, tmpl, bodyInput("alice", map[string]Value{"sessionName": S("s")}), hs256Header, want)
	})
	t.Run("userIdentity equal to the user", func(t *testing.T) {
		golden(t, tmpl, bodyInput("alice", map[string]Value{"sessionName": S("s"), "userIdentity": S("alice")}), hs256Header, want)
	})
	t.Run("userIdentity of another user", func(t *testing.T) {
		refusal(t, tmpl, bodyInput("alice", map[string]Value{"sessionName": S("s"), "userIdentity": S("mallory")}), http.StatusForbidden, "userIdentity")
	})
	t.Run("user id longer than 35", func(t *testing.T) {
		refusal(t, tmpl, bodyInput(strings.Repeat("u", 36), map[string]Value{"sessionName": S("s")}), http.StatusBadRequest, "user_identity")
	})
	t.Run("no user", func(t *testing.T) {
		refusal(t, tmpl, bodyInput("", map[string]Value{"sessionName": S("s")}), http.StatusUnauthorized, "")
	})
}

func TestZoomVideoRole(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		role   Value
		status int    // 0: minted
		want   string // role_type in the token
		bug    string // a known bug: skip when it shows
	}{
		{"no allow, role 0", Config{}, S("0"), 0, "0", ""},
		{"no allow, role 1", Config{}, S("1"), http.StatusForbidden, "", ""},
		{"allow 1, role 1", Config{Allow: map[string][]string{"role_type": {"1"}}}, S("1"), 0, "1", ""},
		{"allow 1, role 1 as a number text", Config{Allow: map[string][]string{"role_type": {"1"}}}, S("1e0"), 0, "1", ""},
		// Claim.Privileged: "a request may choose another only among the
		// values that allow lists"; the default itself needs no allow.
		{"allow 1, role 0 (the default)", Config{Allow: map[string][]string{"role_type": {"1"}}}, S("0"), 0, "0",
			"regression: template.go:606 (Mint.fill) checks the allow list even when a fixed claim's request value equals the configured value, so role 0 (the default) is 403 when allow lists only 1"},
		{"configured 1, role 0", Config{Claims: map[string][]string{"role_type": {"1"}}}, S("0"), http.StatusForbidden, "", ""},
		{"configured 1, role 1", Config{Claims: map[string][]string{"role_type": {"1"}}}, S("1"), 0, "1", ""},
		{"role not a number", Config{Allow: map[string][]string{"role_type": {"1"}}}, S("host"), http.StatusBadRequest, "", ""},
		{"role 2 outside 0 and 1", Config{Allow: map[string][]string{"role_type": {"1"}}}, S("2"), http.StatusBadRequest, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Key = zoomKey
			tmpl := compile(t, "zoom_video", cfg)
			in := bodyInput("alice", map[string]Value{"sessionName": S("s"), "role": tc.role})
			if _, err := tmpl.Mint(now, in); err != nil && tc.bug != "" {
				t.Fatal(tc.bug + " (" + err.Error() + ")")
			}
			if tc.status != 0 {
				refusal(t, tmpl, in, tc.status, "role")
				return
			}
			golden(t, tmpl, in, hs256Header,
				`{"app_key":"VIDEO_SDK_KEY","role_type":`+tc.want+`,"tpc":"s","version":1,"iat":1764000000,"exp":1764007200,"user_identity":"alice"}`)
		})
	}
}

func TestZoomVideoExpirationSeconds(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ttl    time.Duration
		secs   Value
		status int   // 0: minted
		life   int64 // exp - iat
	}{
		{"absent: default 2h", 0, Value{}, 0, 7200},
		{"3600 shortens exp", 0, S("3600"), 0, 3600},
		{"minimum 1800", 0, S("1800"), 0, 1800},
		{"equal to the ttl", 0, S("7200"), 0, 7200},
		{"as a float text", 0, S("3600.0"), 0, 3600},
		{"maximum 172800 under a 48h ttl", 48 * time.Hour, S("172800"), 0, 172800},
		{"1799 below the minimum", 0, S("1799"), http.StatusBadRequest, 0},
		{"172801 above the maximum", 48 * time.Hour, S("172801"), http.StatusBadRequest, 0},
		{"zero", 0, S("0"), http.StatusBadRequest, 0},
		{"negative", 0, S("-3600"), http.StatusBadRequest, 0},
		{"not a number", 0, S("soon"), http.StatusBadRequest, 0},
		{"fractional", 0, S("3600.5"), http.StatusBadRequest, 0},
		{"a list", 0, L("3600"), http.StatusBadRequest, 0},
		{"7201 above the configured ttl", 0, S("7201"), http.StatusForbidden, 0},
		{"172800 above a 1h ttl", time.Hour, S("172800"), http.StatusForbidden, 0},
		{"3601 above a 1h ttl", time.Hour, S("3601"), http.StatusForbidden, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "zoom_video", Config{Key: zoomKey, TTL: tc.ttl})
			params := map[string]Value{"sessionName": S("s")}
			if tc.secs.Str != "" || tc.secs.Kind == List {
				params["expirationSeconds"] = tc.secs
			}
			in := bodyInput("alice", params)
			if tc.status != 0 {
				refusal(t, tmpl, in, tc.status, "expirationSeconds")
				return
			}
			m, p := mintDecoded(t, tmpl, in)
			want := mustJSON(t, `{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"s","version":1,"iat":1764000000,"user_identity":"alice"}`)
			want["exp"] = float64(now.Unix() + tc.life)
			if !reflect.DeepEqual(p, want) {
				t.Errorf("payload: got %v, want %v", p, want)
			}
			if got, want := m.Expires, now.Unix()+tc.life; got != want {
				t.Errorf("Minted.Expires: got %d, want %d", got, want)
			}
		})
	}
}

func TestZoomVideoRefusals(t *testing.T) {
	tmpl := compile(t, "zoom_video", Config{Key: zoomKey, Anonymous: true})
	with := func(kv ...any) map[string]Value {
		p := map[string]Value{"sessionName": S("s")}
		for i := 0; i < len(kv); i += 2 {
			switch v := kv[i+1].(type) {
			case string:
				p[kv[i].(string)] = S(v)
			case Value:
				p[kv[i].(string)] = v
			case nil:
				delete(p, kv[i].(string))
			}
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		params map[string]Value
		status int
		field  string
	}{
		{"sessionName missing", with("sessionName", nil), http.StatusBadRequest, "sessionName"},
		{"sessionName empty", with("sessionName", ""), http.StatusBadRequest, "sessionName"},
		{"sessionName of 201 characters", with("sessionName", strings.Repeat("a", 201)), http.StatusBadRequest, "sessionName"},
		{"sessionName with /", with("sessionName", "a/b"), http.StatusBadRequest, "sessionName"},
		{"sessionName with *", with("sessionName", "a*b"), http.StatusBadRequest, "sessionName"},
		{"sessionName with a quote", with("sessionName", `a"b`), http.StatusBadRequest, "sessionName"},
		{"sessionName with a newline", with("sessionName", "a\nb"), http.StatusBadRequest, "sessionName"},
		{"sessionName not ASCII", with("sessionName", "café"), http.StatusBadRequest, "sessionName"},
		{"sessionName a list", with("sessionName", L("a", "b")), http.StatusBadRequest, "sessionName"},
		{"geoRegions unknown region", with("geoRegions", "US,XX"), http.StatusBadRequest, "geoRegions"},
		{"geoRegions lower case", with("geoRegions", "us"), http.StatusBadRequest, "geoRegions"},
		{"geoRegions list with unknown region", with("geoRegions", L("US", "EU")), http.StatusBadRequest, "geoRegions"},
		{"geoRegions only commas", with("geoRegions", " , "), http.StatusBadRequest, "geoRegions"},
		{"userIdentity of 36 characters", with("userIdentity", strings.Repeat("u", 36)), http.StatusBadRequest, "userIdentity"},
		{"userIdentity with a control character", with("userIdentity", "a\x01b"), http.StatusBadRequest, "userIdentity"},
		{"sessionKey of 37 characters", with("sessionKey", strings.Repeat("k", 37)), http.StatusBadRequest, "sessionKey"},
		{"cloudRecordingOption 2", with("cloudRecordingOption", "2"), http.StatusBadRequest, "cloudRecordingOption"},
		{"cloudRecordingElection -1", with("cloudRecordingElection", "-1"), http.StatusBadRequest, "cloudRecordingElection"},
		{"videoWebRtcMode not a number", with("videoWebRtcMode", "yes"), http.StatusBadRequest, "videoWebRtcMode"},
		{"audioWebRtcMode 2", with("audioWebRtcMode", "2"), http.StatusBadRequest, "audioWebRtcMode"},
		{"audioCompatibleMode 2", with("audioCompatibleMode", "2"), http.StatusBadRequest, "audioCompatibleMode"},
		{"telemetryTrackingId of 257 characters", with("telemetryTrackingId", strings.Repeat("t", 257)), http.StatusBadRequest, "telemetryTrackingId"},
		{"role 1 without allow", with("role", "1"), http.StatusForbidden, "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tmpl, bodyInput("", tc.params), tc.status, tc.field)
		})
	}
}

func TestZoomVideoEnvelope(t *testing.T) {
	tmpl := compile(t, "zoom_video", Config{Key: zoomKey})
	t.Run("success", func(t *testing.T) {
		m, err := tmpl.Mint(now, bodyInput("alice", map[string]Value{"sessionName": S("s")}))
		if err != nil {
			t.Fatalf("Mint: %v", err)
		}
		wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"signature":"`+m.Token+`"}`)
	})
	for _, tc := range []struct {
		name   string
		params map[string]Value
		status int
		field  string
		body   string
	}{
		{"sessionName missing", map[string]Value{}, http.StatusBadRequest, "sessionName",
			`{"errors":[{"property":"sessionName","reason":"is required"}]}`},
		{"sessionName too long", map[string]Value{"sessionName": S(strings.Repeat("a", 201))}, http.StatusBadRequest, "sessionName",
			`{"errors":[{"property":"sessionName","reason":"must be at most 200 characters long, got 201"}]}`},
		{"expirationSeconds out of range", map[string]Value{"sessionName": S("s"), "expirationSeconds": S("60")}, http.StatusBadRequest, "expirationSeconds",
			`{"errors":[{"property":"expirationSeconds","reason":"must be between 1800 and 172800"}]}`},
		{"role not allowed", map[string]Value{"sessionName": S("s"), "role": S("1")}, http.StatusForbidden, "role",
			`{"errors":[{"property":"role","reason":"cannot be chosen by the request"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := refusal(t, tmpl, bodyInput("alice", tc.params), tc.status, tc.field)
			body, status, ctype := tmpl.Preset().Refuse(nil, e)
			if string(body) != tc.body {
				t.Errorf("body: got %s, want %s", body, tc.body)
			}
			if status != tc.status || ctype != "application/json" {
				t.Errorf("status, type: got %d %s, want %d application/json", status, ctype, tc.status)
			}
			if !json.Valid(body) {
				t.Errorf("body is not JSON: %s", body)
			}
		})
	}
}

func TestZoomVideoConfig(t *testing.T) {
	p, err := Lookup("zoom_video")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"ttl 30m", Config{Key: zoomKey, Signer: s, TTL: 30 * time.Minute}, true},
		{"ttl 48h", Config{Key: zoomKey, Signer: s, TTL: 48 * time.Hour}, true},
		{"ttl 29m59s", Config{Key: zoomKey, Signer: s, TTL: 30*time.Minute - time.Second}, false},
		{"ttl 10m", Config{Key: zoomKey, Signer: s, TTL: 10 * time.Minute}, false},
		{"ttl 48h1s", Config{Key: zoomKey, Signer: s, TTL: 48*time.Hour + time.Second}, false},
		{"ttl 72h", Config{Key: zoomKey, Signer: s, TTL: 72 * time.Hour}, false},
		{"no key", Config{Signer: s}, false},
		{"HS512", Config{Key: zoomKey, Signer: mustHMAC(t, "HS512", testSecret)}, false},
		{"version set", Config{Key: zoomKey, Signer: s, Claims: map[string][]string{"version": {"2"}}}, false},
		{"app_key set", Config{Key: zoomKey, Signer: s, Claims: map[string][]string{"app_key": {"x"}}}, false},
		{"role_type 2", Config{Key: zoomKey, Signer: s, Claims: map[string][]string{"role_type": {"2"}}}, false},
		{"allow role_type host", Config{Key: zoomKey, Signer: s, Allow: map[string][]string{"role_type": {"host"}}}, false},
		{"geo_regions unknown", Config{Key: zoomKey, Signer: s, Claims: map[string][]string{"geo_regions": {"US,EU"}}}, false},
		{"unknown claim", Config{Key: zoomKey, Signer: s, Claims: map[string][]string{"topic": {"x"}}}, false},
		{"user_key set", Config{Key: zoomKey, Signer: s, Claims: map[string][]string{"user_key": {"k1"}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			if got := err == nil; got != tc.ok {
				t.Errorf("Compile ok: got %v (%v), want %v", got, err, tc.ok)
			}
		})
	}
	t.Run("ttl sets exp", func(t *testing.T) {
		tmpl := compile(t, "zoom_video", Config{Key: zoomKey, TTL: 48 * time.Hour,
			Claims: map[string][]string{"geo_regions": {"SG, JP"}, "cloud_recording_transcript_option": {"2"}, "user_key": {"k1"}}})
		golden(t, tmpl, bodyInput("alice", map[string]Value{"sessionName": S("s")}), hs256Header,
			`{"app_key":"VIDEO_SDK_KEY","role_type":0,"tpc":"s","version":1,"iat":1764000000,"exp":1764172800,"user_identity":"alice",
			  "user_key":"k1","geo_regions":"SG,JP","cloud_recording_transcript_option":2}`)
	})
}
