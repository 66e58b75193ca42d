package caddymodule

import (
	"strings"
	"testing"
	"time"
)

// TestPowerSyncContract: fetchCredentials' {endpoint, token}, the token
// with kid and the instance URL as audience; the demo's ?user_id= names
// nobody; a sync-rule claim a request may choose only within allow.
func TestPowerSyncContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, false)
	const endpoint = "https://abc123.powersync.journeyapps.com"
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /api/auth/token {
		provider_token powersync {
			signing_key `+path+`
			kid         powersync-2026
			option      endpoint `+endpoint+`
			claim       iss https://api.example.com
			claim       team {query.team}
			allow       team blue green
		}
	}
}
`)
	start := time.Now()

	t.Run("fetchCredentials' answer", func(t *testing.T) {
		r := call(t, tester, "GET", "/api/auth/token?user_id=mallory&team=blue", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 2 || body["endpoint"] != endpoint {
			t.Fatalf("body = %v, want {endpoint, token}", body)
		}
		h, c := verifyWithKey(t, body["token"].(string), "RS256", key.Public())
		if h["kid"] != "powersync-2026" {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"sub": "alice", "iss": "https://api.example.com", "aud": endpoint, "team": "blue"})
		lifetime(t, c, start, 300)
	})
	t.Run("a team outside allow: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/api/auth/token?team=red", "", alice...), 403, "team")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/api/auth/token?user_id=alice", ""), 401)
	})

	for _, tc := range []struct{ name, block, want string }{
		{"no kid", "provider_token powersync {\n\tsigning_key " + path + "\n\toption endpoint " + endpoint + "\n}", "kid"},
		{"no endpoint", "provider_token powersync {\n\tsigning_key " + path + "\n\tkid k\n}", "option endpoint"},
		{"parameters from the query", "provider_token powersync {\n\tsigning_key " + path + "\n\tkid k\n\toption endpoint " + endpoint +
			"\n\tclaim parameters {query.p}\n}", "claim parameters grants rights"},
		{"ttl above a day", "provider_token powersync {\n\tsigning_key " + path + "\n\tkid k\n\toption endpoint " + endpoint + "\n\tttl 25h\n}", "maximum"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
