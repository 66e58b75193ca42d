package caddymodule

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// livekitSites serves LiveKit's standard token endpoint behind basic_auth,
// and an anonymous one whose identity comes from the request. The room
// configuration, JSON, comes from the file roomConfig.
func livekitSites(roomConfig, salesConfig string) string {
	return `
http://localhost:9080 {
	handle /livekit {
		basic_auth {
			alice ` + aliceHash + `
		}
		provider_token livekit {
			key    lk-api-key
			secret {env.TM_SECRET}
			option server_url wss://lk.example.com
			claim  video.canPublishSources camera microphone
			claim  roomConfig {file.` + roomConfig + `}
			allow  roomConfig {file.` + roomConfig + `} {file.` + salesConfig + `}
		}
	}
	handle /livekit-guest {
		provider_token livekit {
			key     lk-api-key
			secret  {env.TM_SECRET}
			option  server_url wss://lk.example.com
			session anonymous
			ttl     1h
		}
	}
}
`
}

// TestLiveKitTokenEndpoint: the body LiveKit's TokenSource.endpoint sends,
// answered 201 {server_url, participant_token}; fields the client may not
// set get a 4xx; unknown fields are ignored.
func TestLiveKitTokenEndpoint(t *testing.T) {
	dir := t.TempDir()
	roomConfig, salesConfig := filepath.Join(dir, "room_config.json"), filepath.Join(dir, "sales.json")
	for path, text := range map[string]string{roomConfig: `{"agents": [{"agentName": "support"}]}`, salesConfig: `{"agents":[{"agentName":"sales"}]}`} {
		if err := os.WriteFile(path, []byte(text+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tester := serve(t, livekitSites(roomConfig, salesConfig))
	start := time.Now()

	t.Run("the standard body", func(t *testing.T) {
		r := call(t, tester, "POST", "/livekit", `{"room_name":"myroom","participant_identity":"alice","participant_name":"Alice",
			"participant_metadata":"{\"role\":\"speaker\"}","participant_attributes":{"team":"blue"},
			"room_config":{"agents":[{"agentName":"support"}]},"unknown_field":{"roomAdmin":true}}`, alice...)
		wantStatus(t, r, 201)
		body := r.json(t)
		if len(body) != 2 || body["server_url"] != "wss://lk.example.com" {
			t.Fatalf("body = %v, want {server_url, participant_token}", body)
		}
		h, c := claims(t, body["participant_token"].(string), "HS256", testSecret)
		if len(h) != 2 || h["typ"] != "JWT" {
			t.Errorf("header = %v", h)
		}
		want := map[string]any{
			"iss": "lk-api-key", "sub": "alice", "name": "Alice", "metadata": `{"role":"speaker"}`,
			"attributes": map[string]any{"team": "blue"},
			"video":      map[string]any{"room": "myroom", "roomJoin": true, "canPublishSources": []any{"camera", "microphone"}},
			"roomConfig": map[string]any{"agents": []any{map[string]any{"agentName": "support"}}},
		}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		iat := num(t, c["iat"])
		within(t, iat, start)
		if num(t, c["nbf"]) != iat || num(t, c["exp"])-iat != 6*3600 {
			t.Errorf("nbf %v, exp %v: want nbf = iat, exp = iat + 6h", c["nbf"], c["exp"])
		}
		if len(c) != len(want)+3 {
			t.Errorf("claims = %v, want only %d", c, len(want)+3)
		}
	})

	t.Run("an empty body: a token without a room", func(t *testing.T) {
		r := call(t, tester, "POST", "/livekit", `{}`, alice...)
		wantStatus(t, r, 201)
		_, c := claims(t, r.json(t)["participant_token"].(string), "HS256", testSecret)
		if c["sub"] != "alice" || !reflect.DeepEqual(c["video"], map[string]any{"canPublishSources": []any{"camera", "microphone"}}) {
			t.Errorf("claims = %v", c)
		}
	})

	t.Run("an allowed room_config", func(t *testing.T) {
		r := call(t, tester, "POST", "/livekit", `{"room_name":"r","room_config":{"agents":[{"agentName":"sales"}]}}`, alice...)
		wantStatus(t, r, 201)
		_, c := claims(t, r.json(t)["participant_token"].(string), "HS256", testSecret)
		if !reflect.DeepEqual(c["roomConfig"], map[string]any{"agents": []any{map[string]any{"agentName": "sales"}}}) {
			t.Errorf("roomConfig = %v", c["roomConfig"])
		}
	})

	t.Run("anonymous: the identity from the body", func(t *testing.T) {
		r := call(t, tester, "POST", "/livekit-guest", `{"room_name":"lobby","participant_identity":"guest-7"}`)
		wantStatus(t, r, 201)
		_, c := claims(t, r.json(t)["participant_token"].(string), "HS256", testSecret)
		if c["sub"] != "guest-7" || !reflect.DeepEqual(c["video"], map[string]any{"room": "lobby", "roomJoin": true}) ||
			num(t, c["exp"])-num(t, c["iat"]) != 3600 {
			t.Errorf("claims = %v", c)
		}
	})

	for _, tc := range []struct {
		name, path, body string
		hdr              []string
		status           int
		field            string
	}{
		{"another identity", "/livekit", `{"room_name":"r","participant_identity":"mallory"}`, alice, 403, "participant_identity"},
		{"another room_config", "/livekit", `{"room_config":{"agents":[{"agentName":"other"}]}}`, alice, 403, "room_config"},
		{"room_config on a route that sets none", "/livekit-guest", `{"participant_identity":"g","room_config":{}}`, nil, 403, "room_config"},
		{"attributes with a number", "/livekit", `{"participant_attributes":{"seat":12}}`, alice, 400, "participant_attributes"},
		{"a room without an identity", "/livekit-guest", `{"room_name":"lobby"}`, nil, 400, "participant_identity"},
		{"room_name not a string", "/livekit", `{"room_name":["a","b"]}`, alice, 400, "room_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "POST", tc.path, tc.body, tc.hdr...)
			wantStatus(t, r, tc.status)
			noToken(t, r.body)
			if f := r.json(t)["field"]; f != tc.field {
				t.Errorf("field = %v, want %s; body %s", f, tc.field, r.body)
			}
		})
	}

	t.Run("no user", func(t *testing.T) {
		r := call(t, tester, "POST", "/livekit", `{"room_name":"r"}`)
		wantStatus(t, r, 401)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("WWW-Authenticate = %q, want basic_auth's challenge", r.header.Get("WWW-Authenticate"))
		}
		noToken(t, r.body)
	})
}
