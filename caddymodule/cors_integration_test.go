package caddymodule

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// corsSites: a Bearer session route and a cookie session route with cors,
// a cors * route, and a route without cors.
const corsSites = `
http://localhost:9080 {
	handle /bearer {
		provider_token hms_app {
			key    k
			secret {env.TM_SECRET}
			claim  role guest
			cors https://app.example.com http://localhost:3000 https://*.example.net {
				headers Authorization Content-Type X-Request-Id
				max_age 5m
			}
			session jwt {
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /cookie {
		provider_token jwt {
			secret {env.TM_SECRET}
			claim  sub {http.auth.user.id}
			cors https://app.example.com {
				credentials
			}
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /mercure {
		provider_token mercure {
			secret {env.TM_SECRET}
			claim  mercure.subscribe https://example.com/feed
			cookie mercureAuthorization
			cors https://app.example.com {
				credentials
			}
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /any {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub a
			cors    *
		}
	}
	handle /none {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub a
		}
	}
}
`

func preflightHeaders(origin, method string) []string {
	return []string{"Origin", origin, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", "authorization,content-type"}
}

func TestCORSPreflight(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	tester := serve(t, corsSites)

	for _, origin := range []string{"https://app.example.com", "http://localhost:3000", "https://a.example.net", "https://a.b.example.net"} {
		r := call(t, tester, "OPTIONS", "/bearer", "", preflightHeaders(origin, "POST")...)
		if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != origin {
			t.Fatalf("preflight from %s: %d %v, want 204 naming the origin (before any session check)", origin, r.status, r.header)
		}
		for name, want := range map[string]string{
			"Access-Control-Allow-Methods": "GET, POST",
			"Access-Control-Allow-Headers": "Authorization, Content-Type, X-Request-Id",
			"Access-Control-Max-Age":       "300",
		} {
			if got := r.header.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", origin, name, got, want)
			}
		}
		if r.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: credentials allowed on a route without credentials", origin)
		}
		vary := r.header.Values("Vary")
		for _, v := range []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"} {
			if !slices.Contains(vary, v) {
				t.Errorf("%s: Vary %q lacks %s", origin, vary, v)
			}
		}
	}
	// Unlisted origins, and wildcard near misses, get no CORS header.
	for _, origin := range []string{"https://evil.example", "https://example.net", "http://a.example.net",
		"https://a.example.net:8443", "https://app.example.com.evil", "null", "https://xexample.net"} {
		r := call(t, tester, "OPTIONS", "/bearer", "", preflightHeaders(origin, "POST")...)
		if r.status != 403 || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from unlisted %s: %d %v, want 403 without CORS headers", origin, r.status, r.header)
		}
	}
	// credentials: the origin named, never *.
	r := call(t, tester, "OPTIONS", "/cookie", "", preflightHeaders("https://app.example.com", "POST")...)
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		r.header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("credentialed preflight: %d %v", r.status, r.header)
	}
	// cors *: any origin, as *.
	r = call(t, tester, "OPTIONS", "/any", "", preflightHeaders("https://whoever.example", "GET")...)
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("cors * preflight: %d %v", r.status, r.header)
	}
	// No cors: as before, 405 and no CORS header.
	r = call(t, tester, "OPTIONS", "/none", "", preflightHeaders("https://app.example.com", "POST")...)
	if r.status != 405 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("route without cors: %d %v, want 405 without CORS headers", r.status, r.header)
	}
}

// TestCORSAnswers: every answer to an allowed origin is readable by it:
// tokens, refusals in the provider's envelope, 401 challenges, the cookie
// answer. An unlisted origin's answer carries no CORS header.
func TestCORSAnswers(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	tester := serve(t, corsSites)
	const app = "https://app.example.com"
	bearer := "Bearer " + signHS(t, session("alice"), sessionSecret)
	cookie := "app_session=" + signHS(t, session("alice"), sessionSecret)
	for _, c := range []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		want                     string
		creds                    bool
	}{
		{"token", "POST", "/bearer", `{"room_id":"r"}`, []string{"Authorization", bearer}, 200, `"success":true`, false},
		{"refusal in 100ms' envelope", "POST", "/bearer", `{"room_id":"r","role":"host"}`, []string{"Authorization", bearer}, 403, `"success":false`, false},
		{"401 challenge", "POST", "/bearer", `{"room_id":"r"}`, nil, 401, `unauthenticated`, false},
		{"cookie session token", "POST", "/cookie", `{}`, []string{"Cookie", cookie}, 200, `"token"`, true},
		{"cookie answer", "POST", "/mercure", `{}`, []string{"Cookie", cookie}, 204, ``, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, tester, c.method, c.path, c.body, append([]string{"Origin", app, "Sec-Fetch-Site", "cross-site"}, c.hdr...)...)
			if r.status != c.status || !strings.Contains(r.body, c.want) {
				t.Fatalf("%d %s, want %d with %s", r.status, r.body, c.status, c.want)
			}
			if r.header.Get("Access-Control-Allow-Origin") != app || !slices.Contains(r.header.Values("Vary"), "Origin") {
				t.Errorf("headers %v, want Access-Control-Allow-Origin %s and Vary: Origin", r.header, app)
			}
			if got := r.header.Get("Access-Control-Allow-Credentials") == "true"; got != c.creds {
				t.Errorf("Access-Control-Allow-Credentials %v, want %v", got, c.creds)
			}
			if c.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without its challenge: %v", r.header)
			}
			// The same request from an unlisted origin: no CORS header.
			r = call(t, tester, c.method, c.path, c.body, append([]string{"Origin", "https://evil.example"}, c.hdr...)...)
			if r.header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("unlisted origin got %v", r.header)
			}
		})
	}
}

// TestCORSConfigRefusals: a bad cors line fails the load with its line.
func TestCORSConfigRefusals(t *testing.T) {
	for _, c := range []struct {
		name, block, want string
	}{
		{"* with credentials", "provider_token jwt {\n\tsecret x\n\tcors * {\n\t\tcredentials\n\t}\n}", "cors * with credentials"},
		{"a path", "provider_token jwt {\n\tsecret x\n\tcors https://app.example.com/\n}", "an origin has no path"},
		{"a scheme", "provider_token jwt {\n\tsecret x\n\tcors ftp://app.example.com\n}", "http or https"},
		{"a wildcard in the middle", "provider_token jwt {\n\tsecret x\n\tcors https://a.*.example.com\n}", "leftmost label"},
		{"a wildcard over a TLD", "provider_token jwt {\n\tsecret x\n\tcors https://*.com\n}", "two labels or more"},
		{"no origin", "provider_token jwt {\n\tsecret x\n\tcors\n}", "needs the origins"},
		{"unknown subdirective", "provider_token jwt {\n\tsecret x\n\tcors https://a.example {\n\t\tmethods GET\n\t}\n}", "takes credentials, headers and max_age"},
	} {
		t.Run(c.name, func(t *testing.T) {
			line := "Caddyfile:5"
			if strings.Contains(c.block, "methods") {
				line = "Caddyfile:6"
			}
			wantAdaptError(t, site(c.block), line, c.want)
		})
	}
}

// TestCORSBehindBasicAuth is README's pattern: basic_auth (or forward_auth)
// skips preflights, which carry no credentials, so that provider_token
// answers them; every other request is still challenged.
func TestCORSBehindBasicAuth(t *testing.T) {
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer let-me-in" {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("X-User-Id", "carol")
	}))
	defer auth.Close()
	tester := serve(t, `
http://localhost:9080 {
	@not_preflight not {
		method OPTIONS
		header Origin *
		header Access-Control-Request-Method *
	}
	handle /basic {
		basic_auth @not_preflight {
			alice `+aliceHash+`
		}
		provider_token jwt {
			secret {env.TM_SECRET}
			claim  sub {http.auth.user.id}
			cors   https://app.example.com {
				credentials
			}
		}
	}
	handle /forward {
		forward_auth @not_preflight `+auth.Listener.Addr().String()+` {
			uri /check
			copy_headers X-User-Id
		}
		provider_token jwt {
			secret  {env.TM_SECRET}
			claim   sub {http.auth.user.id}
			session header X-User-Id
			cors    https://app.example.com
		}
	}
}
`)
	const app = "https://app.example.com"
	for _, path := range []string{"/basic", "/forward"} {
		r := call(t, tester, "OPTIONS", path, "", preflightHeaders(app, "POST")...)
		if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != app {
			t.Fatalf("%s preflight: %d %v, want tokenmint's 204", path, r.status, r.header)
		}
		// A plain OPTIONS (not a preflight) is still challenged.
		if r := call(t, tester, "OPTIONS", path, ""); r.status != 401 {
			t.Errorf("%s OPTIONS without preflight headers: %d, want 401", path, r.status)
		}
		if r := call(t, tester, "GET", path, "", "Origin", app); r.status != 401 {
			t.Errorf("%s without credentials: %d, want 401", path, r.status)
		}
	}
	r := call(t, tester, "GET", "/basic", "", append([]string{"Origin", app}, alice...)...)
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != app {
		t.Fatalf("/basic with credentials: %d %v", r.status, r.header)
	}
	r = call(t, tester, "GET", "/forward", "", "Origin", app, "Authorization", "Bearer let-me-in")
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != app {
		t.Fatalf("/forward with credentials: %d %v", r.status, r.header)
	}
	if _, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret); c["sub"] != "carol" {
		t.Errorf("sub %v, want carol from forward_auth", c["sub"])
	}
}

// TestForgeryMatrix: a request with an unsafe method that a browser marks
// as cross-origin and that authenticates with credentials the browser adds
// itself (a cookie session, basic auth) is refused 403 in the preset's
// envelope, in respond and inject mode; the upstream never sees it. Bearer
// sessions, non-browser clients (no Origin, no Sec-Fetch-Site), safe
// methods and cors origins pass.
func TestForgeryMatrix(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	var mu sync.Mutex
	seen := map[string]bool{}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("X-Case")] = true
		mu.Unlock()
		w.Header().Set("Access-Control-Allow-Origin", "https://upstream-says.example")
		_, _ = w.Write([]byte("upstream"))
	}))
	defer upstream.Close()
	route := func(path, session, mode string) string {
		proxy := ""
		if mode != "" {
			proxy = "reverse_proxy " + upstream.Listener.Addr().String()
		}
		auth := ""
		if session == "basic" {
			auth = "basic_auth {\n\t\t\talice " + aliceHash + "\n\t\t}"
			session = "session auth_user"
		}
		return fmt.Sprintf(`
	handle %s {
		%s
		provider_token hms_app {
			key    k
			secret {env.TM_SECRET}
			claim  role guest
			claim  room_id r
			cors   https://app.example.com
			%s
			%s
		}
		%s
	}`, path, auth, session, mode, proxy)
	}
	sessions := map[string]string{
		"cookie": "session jwt {\n\t\t\t\tfrom cookie app_session\n\t\t\t\tsecret {env.TM_SESSION_SECRET}\n\t\t\t}",
		"bearer": "session jwt {\n\t\t\t\tsecret {env.TM_SESSION_SECRET}\n\t\t\t}",
		"basic":  "basic",
	}
	modes := map[string]string{"respond": "", "inject": "inject header X-Token Bearer"}
	var sites strings.Builder
	sites.WriteString("\nhttp://localhost:9080 {")
	for sname, s := range sessions {
		for mname, m := range modes {
			sites.WriteString(route("/"+sname+"/"+mname, s, m))
		}
	}
	sites.WriteString("\n}\n")
	tester := serve(t, sites.String())

	own := "http://localhost:" + httpPort
	tok := signHS(t, session("alice"), sessionSecret)
	creds := map[string][]string{
		"cookie": {"Cookie", "app_session=" + tok},
		"bearer": {"Authorization", "Bearer " + tok},
		"basic":  alice,
	}
	refusedCount, passedCount := 0, 0
	for sname := range sessions {
		for mname := range modes {
			for _, method := range []string{"GET", "POST", "PUT"} {
				if mname == "respond" && method == "PUT" {
					continue // 405 in respond mode
				}
				for _, sfs := range []string{"", "none", "same-origin", "same-site", "cross-site"} {
					for _, origin := range []string{"", own, "https://app.example.com", "https://evil.example"} {
						name := fmt.Sprintf("%s/%s %s sfs=%q origin=%q", sname, mname, method, sfs, origin)
						hdr := append([]string{"X-Case", name}, creds[sname]...)
						if sfs != "" {
							hdr = append(hdr, "Sec-Fetch-Site", sfs)
						}
						if origin != "" {
							hdr = append(hdr, "Origin", origin)
						}
						body := ""
						if method != "GET" {
							body = `{"room_id":"r"}`
						}
						r := call(t, tester, method, "/"+sname+"/"+mname, body, hdr...)
						crossOrigin := sfs == "same-site" || sfs == "cross-site" || (sfs == "" && origin != "" && origin != own)
						forged := method != "GET" && sname != "bearer" && crossOrigin && origin != "https://app.example.com"
						mu.Lock()
						reached := seen[name]
						mu.Unlock()
						switch {
						case forged:
							refusedCount++
							if r.status != 403 || !strings.Contains(r.body, "cross-origin") || strings.Contains(r.body, "eyJ") {
								t.Errorf("%s: %d %s, want 403 refusing a cross-origin request", name, r.status, r.body)
							}
							if mname == "respond" && !strings.Contains(r.body, `"success":false`) {
								t.Errorf("%s: %s, want 100ms' envelope", name, r.body)
							}
							if reached {
								t.Errorf("%s: the upstream received a forged request", name)
							}
						default:
							passedCount++
							if r.status != 200 {
								t.Errorf("%s: %d %s, want 200", name, r.status, r.body)
							}
							if mname == "inject" && !reached {
								t.Errorf("%s: the upstream did not receive the request", name)
							}
						}
						if origin == "https://app.example.com" && r.header.Get("Access-Control-Allow-Origin") != origin {
							t.Errorf("%s: Access-Control-Allow-Origin %q, want the cors origin (the route's policy, not the upstream's)",
								name, r.header.Values("Access-Control-Allow-Origin"))
						}
					}
				}
			}
		}
	}
	t.Logf("%d requests refused as forged, %d passed", refusedCount, passedCount)
	if refusedCount == 0 || passedCount == 0 {
		t.Fatal("the matrix has no refused or no passed case: it proves nothing")
	}
}
