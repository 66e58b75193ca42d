package caddymodule

import (
	"strings"
	"testing"
	"time"
)

// TestAblyContract drives an Ably client's authUrl through a real Caddy:
// GET with the token params as the query (authMethod GET, the default) and
// POST with them as a form body; the answer is the bare token as
// text/plain, which ably-js takes as the token string.
//
// The capabilities come from {env.*}: a literal JSON value in a claim is
// taken for a placeholder when Provision resolves {env.*} and {file.*}.
func TestAblyContract(t *testing.T) {
	t.Setenv("ABLY_CAP_CHAT", `{"chat:*":["publish","subscribe"]}`)
	t.Setenv("ABLY_CAP_LOBBY", `{"lobby":["subscribe"]}`)
	tester := serve(t, `
http://localhost:9080 {
	handle /ably-auth {
		basic_auth {
			alice `+aliceHash+`
		}
		provider_token ably {
			key    I2E_JQ.OqUdfg
			secret {env.TM_SECRET}
			claim  x-ably-capability {env.ABLY_CAP_CHAT}
		}
	}
	handle /ably-guest {
		provider_token ably {
			key     I2E_JQ.OqUdfg
			secret  {env.TM_SECRET}
			ttl     10m
			session anonymous
			claim   x-ably-capability {env.ABLY_CAP_LOBBY}
		}
	}
}
`)
	start := time.Now()
	const capChat = `{"chat:*":["publish","subscribe"]}`

	check := func(t *testing.T, r response, clientID, capability string, life int64) {
		t.Helper()
		wantStatus(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type = %q, want text/plain; charset=utf-8", ct)
		}
		if strings.TrimSpace(r.body) != r.body || strings.Count(r.body, ".") != 2 {
			t.Fatalf("body = %q, want the bare token", r.body)
		}
		h, c := claims(t, r.body, "HS256", testSecret)
		if h["kid"] != "I2E_JQ.OqUdfg" || h["typ"] != "JWT" || len(h) != 3 {
			t.Errorf("header = %v, want {alg, typ, kid: the key name}", h)
		}
		if c["x-ably-capability"] != capability {
			t.Errorf("x-ably-capability = %#v, want the JSON string %s", c["x-ably-capability"], capability)
		}
		if id, ok := c["x-ably-clientId"]; clientID == "" && ok || clientID != "" && id != clientID {
			t.Errorf("x-ably-clientId = %v, want %q", id, clientID)
		}
		lifetime(t, c, start, life)
	}

	t.Run("GET, token params in the query", func(t *testing.T) {
		r := call(t, tester, "GET", "/ably-auth?clientId=alice&ttl=3600000&timestamp=1764000000000", "", alice...)
		check(t, r, "alice", capChat, 3600)
	})
	t.Run("GET, no params: the user is the client id", func(t *testing.T) {
		check(t, call(t, tester, "GET", "/ably-auth", "", alice...), "alice", capChat, 3600)
	})
	t.Run("POST, token params as a form", func(t *testing.T) {
		r := call(t, tester, "POST", "/ably-auth", "clientId=alice&capability=%7B%22chat%3A*%22%3A%5B%22publish%22%2C%22subscribe%22%5D%7D",
			append([]string{"Content-Type", "application/x-www-form-urlencoded"}, alice...)...)
		check(t, r, "alice", capChat, 3600)
	})
	t.Run("anonymous: the client names itself", func(t *testing.T) {
		check(t, call(t, tester, "GET", "/ably-guest?clientId=guest-7", ""), "guest-7", `{"lobby":["subscribe"]}`, 600)
	})
	t.Run("anonymous without clientId", func(t *testing.T) {
		check(t, call(t, tester, "GET", "/ably-guest", ""), "", `{"lobby":["subscribe"]}`, 600)
	})

	for _, tc := range []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		want                     string
	}{
		{"clientId of another user", "GET", "/ably-auth?clientId=mallory", "", alice, 403,
			"forbidden: clientId: cannot be chosen by the request"},
		{"wildcard clientId", "GET", "/ably-guest?clientId=*", "", nil, 403,
			`forbidden: clientId: the wildcard client id "*" is never issued`},
		{"a wider capability", "POST", "/ably-auth", "capability=%7B%22*%22%3A%5B%22*%22%5D%7D",
			append([]string{"Content-Type", "application/x-www-form-urlencoded"}, alice...), 403,
			"forbidden: capability: cannot be chosen by the request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, tc.method, tc.path, tc.body, tc.hdr...)
			wantStatus(t, r, tc.status)
			if r.body != tc.want || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("refusal = %q (%s), want %q as text/plain", r.body, r.header.Get("Content-Type"), tc.want)
			}
			noToken(t, r.body)
		})
	}
}
