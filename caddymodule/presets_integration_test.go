package caddymodule

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// allPresets is one site with a token endpoint per preset, all behind
// basic_auth, secrets from the environment.
func allPresets() string {
	return `
http://localhost:9080 {
	basic_auth {
		alice ` + aliceHash + `
	}
	handle /hms {
		provider_token hms_app {
			key     hms-access-key
			secret  {env.TM_SECRET}
			claim   role guest
			allow   role guest viewer
		}
	}
	handle /hms-management {
		provider_token hms_management {
			key    hms-access-key
			secret {env.TM_SECRET}
			ttl    1h
		}
	}
	handle /zoom {
		provider_token zoom_video {
			key    zoom-sdk-key
			secret {env.TM_SECRET}
			allow  role_type 0 1
		}
	}
	handle /viasocket {
		provider_token viasocket {
			secret {env.TM_SECRET}
			claim  org_id 8069
			claim  project_id projmdFTEvPR
		}
	}
	handle /videosdk {
		provider_token videosdk {
			key    videosdk-api-key
			secret {env.TM_SECRET}
			claim  permissions allow_join allow_mod
			ttl    10m
		}
	}
	handle /databridges {
		provider_token databridges {
			key    db-app-key
			secret {env.TM_SECRET}
		}
	}
	handle /jwt {
		provider_token jwt {
			secret    {env.TM_SECRET}
			algorithm HS384
			ttl       15m
			claim     sub {http.auth.user.id}
			claim     rooms {query.room} lobby
			claim     level 3
			type      level integer
			type      rooms array
		}
	}
}
`
}

func TestEveryPresetBehindBasicAuth(t *testing.T) {
	tester := serve(t, allPresets())
	start := time.Now()

	t.Run("hms_app", func(t *testing.T) {
		r := call(t, tester, "POST", "/hms", `{"room_id":"633fcdd84208780bf665346a","role":"viewer","user_id":"alice"}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if body["msg"] != "Token generated successfully!" || body["success"] != true {
			t.Errorf("envelope = %v, want the 100ms sample's {token, msg, success}", body)
		}
		h, c := claims(t, body["token"].(string), "HS256", testSecret)
		if h["typ"] != "JWT" || len(h) != 2 {
			t.Errorf("header = %v", h)
		}
		want := map[string]any{"access_key": "hms-access-key", "room_id": "633fcdd84208780bf665346a", "user_id": "alice",
			"role": "viewer", "type": "app", "version": float64(2)}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		iat := num(t, c["iat"])
		within(t, iat, start)
		if exp := num(t, c["exp"]); exp-iat != 86400 {
			t.Errorf("exp - iat = %d, want 86400", exp-iat)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
		}
	})

	t.Run("hms_app from a front end that sends JSON as text/plain", func(t *testing.T) {
		r := call(t, tester, "POST", "/hms", `{"room_id":"633fcdd84208780bf665346a"}`, append([]string{"Content-Type", "text/plain;charset=UTF-8"}, alice...)...)
		wantStatus(t, r, 200)
		if _, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret); c["room_id"] != "633fcdd84208780bf665346a" {
			t.Errorf("room_id = %v", c["room_id"])
		}
	})

	t.Run("hms_management", func(t *testing.T) {
		r := call(t, tester, "GET", "/hms-management", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if c["type"] != "management" || num(t, c["exp"])-num(t, c["iat"]) != 3600 {
			t.Errorf("claims = %v, want a management token living 1h", c)
		}
	})

	t.Run("zoom_video", func(t *testing.T) {
		r := call(t, tester, "POST", "/zoom", `{"sessionName":"Cool Cars","role":1,"expirationSeconds":"3600","geoRegions":["US","DE"],"videoWebRtcMode":1}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {signature}", body)
		}
		_, c := claims(t, body["signature"].(string), "HS256", testSecret)
		want := map[string]any{"app_key": "zoom-sdk-key", "role_type": float64(1), "tpc": "Cool Cars", "version": float64(1),
			"user_identity": "alice", "geo_regions": "US,DE", "video_webrtc_mode": float64(1)}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if d := num(t, c["exp"]) - num(t, c["iat"]); d != 3600 {
			t.Errorf("exp - iat = %d, want the requested 3600", d)
		}
	})

	t.Run("viasocket", func(t *testing.T) {
		r := call(t, tester, "GET", "/viasocket", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if c["org_id"] != "8069" || c["project_id"] != "projmdFTEvPR" || c["user_id"] != "alice" {
			t.Errorf("claims = %v", c)
		}
	})

	t.Run("videosdk", func(t *testing.T) {
		// The sample's GET /get-token?roomId=&peerId= contract.
		r := call(t, tester, "GET", "/videosdk?roomId=2kyv-gzay-64pg&peerId=alice", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if c["apikey"] != "videosdk-api-key" || c["roomId"] != "2kyv-gzay-64pg" || c["participantId"] != "alice" ||
			c["version"] != float64(2) || !reflect.DeepEqual(c["roles"], []any{"rtc"}) ||
			!reflect.DeepEqual(c["permissions"], []any{"allow_join", "allow_mod"}) {
			t.Errorf("claims = %v", c)
		}
		if d := num(t, c["exp"]) - num(t, c["iat"]); d != 600 {
			t.Errorf("exp - iat = %d, want 600", d)
		}
	})

	t.Run("databridges", func(t *testing.T) {
		r := call(t, tester, "POST", "/databridges", `{"ch":"prs:lobby","sid":"ydR27s3Z92yQw7wjGY2lX","dbappkey":"db-app-key","act":"channel.subscribe"}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if body["statuscode"] != float64(0) || body["error_message"] != "" {
			t.Fatalf("body = %v", body)
		}
		_, c := claims(t, body["accesskey"].(string), "HS256", testSecret)
		want := map[string]any{"sid": "ydR27s3Z92yQw7wjGY2lX", "cname": "prs:lobby", "pub": true,
			"conn_info": map[string]any{"sysid": "alice", "sysinfo": map[string]any{}}}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if _, ok := c["exp"]; ok {
			t.Errorf("dataBridges tokens carry no exp, got %v", c["exp"])
		}
	})

	t.Run("jwt", func(t *testing.T) {
		r := call(t, tester, "GET", "/jwt?room=blue", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		_, c := claims(t, body["token"].(string), "HS384", testSecret)
		if c["sub"] != "alice" || c["level"] != float64(3) || !reflect.DeepEqual(c["rooms"], []any{"blue", "lobby"}) {
			t.Errorf("claims = %v", c)
		}
		if num(t, body["expires_at"]) != num(t, c["exp"]) || num(t, c["exp"])-num(t, c["iat"]) != 900 {
			t.Errorf("expires_at = %v, exp = %v, iat = %v; want expires_at = exp = iat + 900", body["expires_at"], c["exp"], c["iat"])
		}
	})
}

func TestWithoutAUserEveryPresetAnswers401(t *testing.T) {
	tester := serve(t, allPresets())
	for _, path := range []string{"/hms", "/zoom", "/viasocket", "/videosdk", "/jwt"} {
		r := call(t, tester, "POST", path, `{}`)
		// basic_auth challenges first: the handler never runs without a user.
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: %d %q, want basic_auth's 401 challenge", path, r.status, r.header.Get("WWW-Authenticate"))
		}
		noToken(t, r.body)
	}
}
