package caddymodule

import (
	"strings"
	"testing"
	"time"
)

// TestJitsiContract: a Prosody token for the logged-in user, the room from
// the request within allow and answered with the meeting URL; an ASAP
// token with kid; nbf back-dated.
func TestJitsiContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, true)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /jitsi/token {
		provider_token jitsi {
			key    my_app_id
			secret {env.TM_SECRET}
			option url https://meet.example.com
			claim  sub meet.example.com
			claim  room standup
			allow  room standup retro
			claim  context.user.name Alice
			claim  context.features.recording true
		}
	}
	handle /jitsi/asap {
		provider_token jitsi {
			key         my_app_id
			signing_key `+path+`
			kid         jitsi/custom_key_name
			claim       sub *
			claim       room *
			ttl         2h
		}
	}
}
`)
	start := time.Now()

	t.Run("an allowed room, lower-cased, with its URL", func(t *testing.T) {
		r := call(t, tester, "POST", "/jitsi/token", `{"room":"Retro","context":{"user":{"moderator":"true"}}}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		tok, _ := body["token"].(string)
		if len(body) != 2 || body["url"] != "https://meet.example.com/retro?jwt="+tok {
			t.Fatalf("body = %v, want {token, url}", body)
		}
		h, c := claims(t, tok, "HS256", testSecret)
		if h["typ"] != "JWT" || len(h) != 2 {
			t.Errorf("header = %v, want alg and typ JWT", h)
		}
		wantClaims(t, c, map[string]any{"iss": "my_app_id", "aud": "jitsi", "sub": "meet.example.com", "room": "retro",
			"context": map[string]any{"user": map[string]any{"id": "alice", "name": "Alice"}, "features": map[string]any{"recording": "true"}}}, "nbf")
		iat := lifetime(t, c, start, 3600)
		if num(t, c["nbf"]) != iat-10 {
			t.Errorf("nbf = %v, want iat - 10", c["nbf"])
		}
	})
	t.Run("ASAP: RS256 with kid, every room, no URL", func(t *testing.T) {
		r := call(t, tester, "GET", "/jitsi/asap", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want {token}", body)
		}
		h, c := verifyWithKey(t, body["token"].(string), "RS256", key.Public())
		if h["kid"] != "jitsi/custom_key_name" || h["typ"] != "JWT" {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"iss": "my_app_id", "aud": "jitsi", "sub": "*", "room": "*",
			"context": map[string]any{"user": map[string]any{"id": "alice"}}}, "nbf")
		lifetime(t, c, start, 7200)
	})
	t.Run("a room outside allow: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "POST", "/jitsi/token", `{"room":"boardroom"}`, alice...), 403, "room")
	})
	t.Run("a room with a slash: 400", func(t *testing.T) {
		refusedField(t, call(t, tester, "POST", "/jitsi/token", `{"room":"a/b"}`, alice...), 400, "room")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "POST", "/jitsi/token", `{"room":"retro"}`), 401)
	})

	head := "provider_token jitsi {\n\tkey app\n\tsecret x\n\tclaim sub meet.example.com\n"
	for _, tc := range []struct{ name, block, want string }{
		{"a room from the query without allow", head + "\tclaim room {query.room}\n}", "claim room grants rights"},
		{"moderator from the query", head + "\tclaim room *\n\tclaim context.user.moderator {query.mod}\n}", "grants rights"},
		{"no room", head + "}", "claim room"},
		{"ASAP without kid", "provider_token jitsi {\n\tkey app\n\tsigning_key " + path + "\n\tclaim sub *\n\tclaim room *\n}", "kid"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
