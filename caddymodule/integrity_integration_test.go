package caddymodule

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Claim integrity: nothing a client or a user's profile sends changes a
// token's structure, its identity or its refusal shape.

// TestSessionCannotRenameUser: {http.auth.user.id} is the verified user
// (user_claim), even when the session token carries a claim named id.
func TestSessionCannotRenameUser(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	tester := serve(t, `
http://localhost:9080 {
	provider_token jwt {
		secret {env.TM_SECRET}
		claim  sub {http.auth.user.id}
		claim  name {http.auth.user.name}
		session jwt {
			secret {env.TM_SESSION_SECRET}
		}
	}
}
`)
	tok := signHS(t, session("alice", "id", "mallory", "name", "Alice"), sessionSecret)
	r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+tok)
	wantStatus(t, r, 200)
	_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
	if c["sub"] != "alice" || c["name"] != "Alice" {
		t.Fatalf("sub = %v, name = %v; want alice (the verified sub, not the token's id claim) and Alice", c["sub"], c["name"])
	}
}

// TestSessionSecretWarnings: a literal or short session secret is accepted
// with a warning at load that never holds the secret.
func TestSessionSecretWarnings(t *testing.T) {
	t.Setenv("TM_SHORT", "short-secret")
	t.Setenv("TM_GOOD", sessionSecret)
	for _, c := range []struct {
		name, secret string
		want         []string
	}{
		{"literal and short", "literal-s3cret", []string{"written literally", "shorter than 32 bytes"}},
		{"short from env", "{env.TM_SHORT}", []string{"shorter than 32 bytes"}},
		{"good", "{env.TM_GOOD}", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.WarnLevel)
			v, err := newJWTVerifier(&JWTSession{Secrets: []string{c.secret}}, zap.New(core))
			if err != nil {
				t.Fatal(err)
			}
			v.close()
			var got []string
			for _, e := range logs.All() {
				got = append(got, e.Message)
				for _, f := range e.Context {
					if strings.Contains(f.String, "s3cret") || strings.Contains(f.String, "short-secret") {
						t.Errorf("a warning holds the secret: %v", e)
					}
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("warnings %q, want %d containing %q", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %q does not say %q", got[i], w)
				}
			}
		})
	}
}

// TestSessionCredentialsNeverLogged: with Caddy's log at DEBUG and access
// logs on, no session token reaches a log line, for every source a session
// may come from (cookie, Authorization with and without a scheme,
// Proxy-Authorization), valid or refused, in respond and inject mode (where
// reverse_proxy logs the upstream request at DEBUG). from query and from a
// custom header are refused at load (TestBadCaddyfiles): Caddy would log them.
func TestSessionCredentialsNeverLogged(t *testing.T) {
	dir := t.TempDir()
	logFile, accessFile := filepath.Join(dir, "caddy.log"), filepath.Join(dir, "access.log")
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer upstream.Close()
	route := func(path, from, mode string) string {
		return `
	handle ` + path + ` {
		provider_token jwt {
			secret {env.TM_SECRET}
			claim  sub {http.auth.user.id}
			` + mode + `
			session jwt {
				secret {env.TM_SESSION_SECRET}
				from   ` + from + `
			}
		}
		` + map[bool]string{true: "reverse_proxy " + upstream.Listener.Addr().String(), false: ""}[mode != ""] + `
	}`
	}
	sources := []struct{ path, from, header, prefix string }{
		{"/cookie", "cookie app_session", "Cookie", "app_session="},
		{"/bearer", "header Authorization Bearer", "Authorization", "Bearer "},
		{"/raw", "header Authorization", "Authorization", ""},
		{"/proxy", "header Proxy-Authorization Bearer", "Proxy-Authorization", "Bearer "},
	}
	var routes strings.Builder
	for _, s := range sources {
		routes.WriteString(route(s.path, s.from, ""))
		routes.WriteString(route("/inject"+s.path, s.from, "inject header X-Token Bearer"))
	}
	config := strings.Replace(globalOptions, "{\n", "{\n\tlog {\n\t\toutput file "+logFile+"\n\t\tlevel DEBUG\n\t\tformat json\n\t}\n", 1) + `
http://localhost:9080 {
	log {
		output file ` + accessFile + `
		format json
	}
` + routes.String() + `
}
`
	tester := serveRaw(t, config)
	var sigs []string
	for _, s := range sources {
		good := signHS(t, session("log-user"), sessionSecret)
		expired := signHS(t, session("log-user", "exp", time.Now().Add(-time.Hour).Unix()), sessionSecret)
		forged := signHS(t, session("log-user"), "another-secret-0123456789abcdef-xyz")
		for _, tok := range []string{good, expired, forged} {
			sigs = append(sigs, tok[strings.LastIndexByte(tok, '.')+1:])
			for _, path := range []string{s.path, "/inject" + s.path} {
				r := call(t, tester, "GET", path, "", s.header, s.prefix+tok)
				if want := map[bool]int{true: 200, false: 401}[tok == good]; r.status != want {
					t.Errorf("%s with a %s token: %d %s, want %d", path, map[bool]string{true: "good", false: "bad"}[tok == good], r.status, r.body, want)
				}
			}
		}
	}
	serve(t, "") // stop serving so that the logs are flushed and closed
	for _, f := range []string{logFile, accessFile} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 1000 {
			t.Fatalf("%s has %d bytes: the logs did not catch the requests, so the check would prove nothing", f, len(data))
		}
		for _, sig := range sigs {
			if strings.Contains(string(data), sig) {
				t.Errorf("%s holds a session token's signature", f)
			}
		}
	}
}
