package caddymodule

import (
	"fmt"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

// TestSessionJWTInFrontOfReverseProxy: session_jwt alone protects an app:
// a verified session reaches it with the user and claims in headers; every
// refusal is caddyauth's 401 with a Bearer challenge naming the reason, and
// never reaches the app. Counted in tokenmint's session metrics.
func TestSessionJWTInFrontOfReverseProxy(t *testing.T) {
	shortJWKS(t)
	p := idptest.NewProvider(t, "/realms/staff")
	down := idptest.NewProvider(t, "/down")
	down.SetStatus(503)
	app := newUpstream(t)
	tester := serve(t, `
http://localhost:9080 {
	session_jwt /api/* {
		oidc `+p.Issuer+` {
			audience https://api.example.com
			require  groups staff
		}
		oidc `+down.Issuer+`
		from header Authorization Bearer
		from cookie app_session
		strip
	}
	reverse_proxy `+app.Listener.Addr().String()+` {
		header_up X-User {http.auth.user.id}
		header_up X-Email {http.auth.user.email}
		header_up X-Groups {http.auth.user.groups}
	}
}
`)
	before := scrape(t, tester)
	good := p.Sign(t, session("u-1", "iss", nil, "aud", "https://api.example.com", "email", "ann@example.com", "groups", []string{"staff"}, "id", "mallory"))
	for i := 0; i < 2; i++ { // the second from the session cache
		r := call(t, tester, "GET", "/api/rooms", "", bearer(good)...)
		if r.status != 200 || r.body != "app" {
			t.Fatalf("a good session: %d %q, want the app's answer", r.status, r.body)
		}
	}
	got := app.take()
	if len(got) != 2 {
		t.Fatalf("the app got %d requests, want 2", len(got))
	}
	h := got[1]
	if h.Get("X-User") != "u-1" || h.Get("X-Email") != "ann@example.com" || h.Get("X-Groups") != `["staff"]` {
		t.Errorf("upstream X-User %q X-Email %q X-Groups %q; want u-1 (the sub, not the id claim), ann@example.com, [\"staff\"]",
			h.Get("X-User"), h.Get("X-Email"), h.Get("X-Groups"))
	}
	if h.Get("Authorization") != "" {
		t.Errorf("upstream got Authorization %q; strip should have removed it", h.Get("Authorization"))
	}

	other := idptest.NewProvider(t, "")
	cases := []struct {
		name, tok   string
		hdr         []string
		errCode     string // in WWW-Authenticate; "" for none
		description string
	}{
		{name: "no credential", description: ""},
		{name: "expired", tok: p.Sign(t, session("u", "iss", nil, "aud", "https://api.example.com", "groups", "staff", "exp", 1)), errCode: "invalid_token", description: "has expired"},
		{name: "wrong audience", tok: p.Sign(t, session("u", "iss", nil, "groups", "staff")), errCode: "invalid_token", description: "not for this audience"},
		{name: "another issuer's key", tok: other.Sign(t, session("u", "iss", p.Issuer, "aud", "https://api.example.com", "groups", "staff")), errCode: "invalid_token", description: "kid) is unknown"},
		{name: "require fails", tok: p.Sign(t, session("u", "iss", nil, "aud", "https://api.example.com", "groups", "guests")), errCode: "insufficient_scope", description: "groups claim does not grant this"},
		{name: "two credentials", hdr: []string{"Authorization", "Bearer " + good, "Cookie", "app_session=" + good}, errCode: "invalid_request", description: "more than one session credential"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := c.hdr
			if c.tok != "" {
				hdr = bearer(c.tok)
			}
			r := call(t, tester, "GET", "/api/rooms", "", hdr...)
			www := r.header.Get("WWW-Authenticate")
			if r.status != 401 || !strings.HasPrefix(www, `Bearer realm="tokenmint"`) {
				t.Fatalf("%d, WWW-Authenticate %q; want 401 with a Bearer challenge", r.status, www)
			}
			if c.errCode != "" && (!strings.Contains(www, `error="`+c.errCode+`"`) || !strings.Contains(www, c.description)) {
				t.Errorf("WWW-Authenticate %q, want error=%q saying %q", www, c.errCode, c.description)
			}
			if c.name == "no credential" && strings.Contains(www, "error=") {
				t.Errorf("WWW-Authenticate %q carries an error without a credential", www)
			}
			noToken(t, r.body)
			if n := len(app.take()); n != 0 {
				t.Errorf("the app got %d refused requests", n)
			}
		})
	}
	r := call(t, tester, "GET", "/api/rooms", "", bearer(down.Sign(t, session("u", "iss", nil)))...)
	if r.status != 401 || r.header.Get("Retry-After") == "" {
		t.Errorf("an issuer whose keys cannot be fetched: %d (Retry-After %q), want caddyauth's 401 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	if r := call(t, tester, "GET", "/public", ""); r.status != 200 {
		t.Errorf("outside the matcher: %d, want the app", r.status)
	}

	after := scrape(t, tester)
	for sample, want := range map[string]float64{
		`tokenmint_sessions_total{method="session_jwt",reason="none",result="ok"}`:                  2,
		`tokenmint_sessions_total{method="session_jwt",reason="no_credential",result="refused"}`:    1,
		`tokenmint_sessions_total{method="session_jwt",reason="wrong_audience",result="refused"}`:   1,
		`tokenmint_sessions_total{method="session_jwt",reason="require_failed",result="refused"}`:   1,
		`tokenmint_sessions_total{method="session_jwt",reason="keys_unavailable",result="refused"}`: 1,
		`tokenmint_cache_requests_total{cache="session",result="hit"}`:                              1,
	} {
		if got := after[sample] - before[sample]; got != want {
			t.Errorf("%s rose by %v, want %v", sample, got, want)
		}
	}
	if after[fmt.Sprintf(`tokenmint_jwks_keys{url=%q}`, p.Issuer)] != 1 {
		t.Errorf("tokenmint_jwks_keys for %s = %v, want 1", p.Issuer, after[fmt.Sprintf(`tokenmint_jwks_keys{url=%q}`, p.Issuer)])
	}
}

// TestSessionJWTWithProviderToken is the composition: session_jwt
// authenticates the whole site; provider_token (session auth_user, the
// default) mints for the user it set, and the app behind reverse_proxy
// gets the same user. A provider_token with its own session jwt naming the
// same issuer shares the key set: the issuer is discovered once.
func TestSessionJWTWithProviderToken(t *testing.T) {
	shortJWKS(t)
	p := idptest.NewProvider(t, "/realms/staff")
	app := newUpstream(t)
	tester := serve(t, `
http://localhost:9080 {
	session_jwt {
		oidc `+p.Issuer+`
		from cookie app_session
	}
	handle /rooms/token {
		provider_token hms_app {
			key    k
			secret {env.TM_SECRET}
			claim  role guest
			claim  room_id r
		}
	}
	reverse_proxy `+app.Listener.Addr().String()+` {
		header_up X-User {http.auth.user.id}
	}
}

http://127.0.0.1:9080 {
	provider_token hms_app {
		key     k
		secret  {env.TM_SECRET}
		claim   role guest
		claim   room_id r
		session jwt {
			oidc `+p.Issuer+`
		}
	}
}
`)
	cookie := []string{"Cookie", "app_session=" + p.Sign(t, session("carol", "iss", nil))}
	if u := userOf(t, call(t, tester, "POST", "/rooms/token", "{}", cookie...)); u != "carol" {
		t.Errorf("hms user_id %q, want carol from session_jwt", u)
	}
	wantStatus(t, call(t, tester, "GET", "/dashboard", "", cookie...), 200)
	if got := app.take(); len(got) != 1 || got[0].Get("X-User") != "carol" {
		t.Errorf("the app got %v, want one request with X-User carol", got)
	}
	for _, path := range []string{"/rooms/token", "/dashboard"} {
		r := call(t, tester, "GET", path, "")
		if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
			t.Errorf("%s without a session: %d %q, want 401 with a Bearer challenge", path, r.status, r.header.Get("WWW-Authenticate"))
		}
	}
	if n := len(app.take()); n != 0 {
		t.Errorf("the app got %d unauthenticated requests", n)
	}
	// The other site: provider_token's own session jwt, same issuer.
	r := call(t, tester, "GET", "/", "", append(bearer(p.Sign(t, session("dave", "iss", nil))), "Host", "127.0.0.1")...)
	if u := userOf(t, r); u != "dave" {
		t.Errorf("provider_token's session jwt: user_id %q, want dave", u)
	}
	if n := keySets.References(p.Issuer); n != 2 {
		t.Errorf("%d references to the issuer's key set, want 2 (session_jwt and provider_token share it)", n)
	}
	if d, k := p.Requests(); d != 1 || k != 1 {
		t.Errorf("the issuer was asked %d times for discovery and %d for keys, want once each for both handlers", d, k)
	}
}

// TestSessionJWTJSONConfig loads README's JSON form through a real Caddy:
// the authentication handler with the session_jwt provider, and
// provider_token with a session jwt naming an oidc issuer and a JWKS given
// as a string.
func TestSessionJWTJSONConfig(t *testing.T) {
	shortJWKS(t)
	t.Setenv("TM_SECRET", testSecret)
	p := idptest.NewProvider(t, "/realms/staff")
	ks := newKeyServer(t)
	app := newUpstream(t)
	config := fmt.Sprintf(`{
  "admin": {"listen": "localhost:%s"},
  "apps": {
    "http": {
      "http_port": %s,
      "https_port": %s,
      "grace_period": 1,
      "servers": {
        "srv0": {
          "listen": [":%s"],
          "automatic_https": {"disable": true},
          "routes": [
            {
              "match": [{"path": ["/token"]}],
              "handle": [{
                "handler": "provider_token",
                "preset": "hms_app",
                "key": "k",
                "secret": "{env.TM_SECRET}",
                "claims": {"role": ["guest"], "room_id": ["r"]},
                "session": {
                  "method": "jwt",
                  "jwt": {
                    "oidc": [{"issuer": %q, "audiences": ["https://api.example.com"], "user_claim": "email"}],
                    "jwks": %q,
                    "audiences": ["tokenmint"]
                  }
                }
              }],
              "terminal": true
            },
            {
              "handle": [
                {
                  "handler": "authentication",
                  "providers": {
                    "session_jwt": {
                      "from": [{"source": "cookie", "name": "app_session"}],
                      "oidc": [{"issuer": %q}],
                      "jwks": [%q]
                    }
                  }
                },
                {
                  "handler": "reverse_proxy",
                  "headers": {"request": {"set": {"X-User": ["{http.auth.user.id}"]}}},
                  "upstreams": [{"dial": %q}]
                }
              ]
            }
          ]
        }
      }
    }
  }
}`, adminPort, httpPort, httpsPort, httpPort, p.Issuer, ks.URL, p.Issuer, ks.URL, app.Listener.Addr().String())
	tester := startFresh(t, config, "json")

	staffTok := p.Sign(t, session("s-1", "iss", nil, "aud", "https://api.example.com", "email", "s@example.com"))
	if u := userOf(t, call(t, tester, "GET", "/token", "", bearer(staffTok)...)); u != "s@example.com" {
		t.Errorf("provider_token from JSON: user_id %q, want the issuer's email claim", u)
	}
	jwksTok := signKey(t, jwt.SigningMethodES256, testJWKSKeys().EC, "ec", session("app-user"))
	if u := userOf(t, call(t, tester, "GET", "/token", "", bearer(jwksTok)...)); u != "app-user" {
		t.Errorf("provider_token from JSON, JWKS as a string: user_id %q, want app-user", u)
	}
	wantStatus(t, call(t, tester, "GET", "/token", "", bearer(p.Sign(t, session("s", "iss", nil)))...), 401) // the issuer's audience

	wantStatus(t, call(t, tester, "GET", "/app", "", "Cookie", "app_session="+p.Sign(t, session("ann", "iss", nil))), 200)
	wantStatus(t, call(t, tester, "GET", "/app", "", "Cookie", "app_session="+jwksTok), 200)
	if got := app.take(); len(got) != 2 || got[0].Get("X-User") != "ann" || got[1].Get("X-User") != "app-user" {
		t.Errorf("the app got %v, want X-User ann, then app-user", got)
	}
	r := call(t, tester, "GET", "/app", "")
	if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
		t.Errorf("session_jwt from JSON without a session: %d %q, want 401 Bearer", r.status, r.header.Get("WWW-Authenticate"))
	}
}

// TestSessionJWTCookieIsAmbient: provider_token's cross-origin guard knows
// a user that session_jwt took from a cookie, even once strip removed the
// cookie: a cross-site POST is refused, a same-origin one and a Bearer
// token from anywhere are not.
func TestSessionJWTCookieIsAmbient(t *testing.T) {
	shortJWKS(t)
	p := idptest.NewProvider(t, "")
	tester := serve(t, `
http://localhost:9080 {
	session_jwt {
		oidc `+p.Issuer+`
		from cookie app_session
		from header Authorization Bearer
		strip
	}
	provider_token hms_app {
		key    k
		secret {env.TM_SECRET}
		claim  role guest
		claim  room_id r
	}
}
`)
	tok := p.Sign(t, session("carol", "iss", nil))
	cookie := []string{"Cookie", "app_session=" + tok}
	crossSite := []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}
	r := call(t, tester, "POST", "/", "{}", append(cookie, crossSite...)...)
	if r.status != 403 || !strings.Contains(r.body, "cross-origin") {
		t.Fatalf("a cross-site POST with the session cookie: %d %s, want 403 from the cross-origin guard", r.status, r.body)
	}
	noToken(t, r.body)
	if u := userOf(t, call(t, tester, "POST", "/", "{}", append(cookie, "Sec-Fetch-Site", "same-origin")...)); u != "carol" {
		t.Errorf("a same-origin POST with the session cookie: user_id %q, want carol", u)
	}
	if u := userOf(t, call(t, tester, "POST", "/", "{}", append(bearer(tok), crossSite...)...)); u != "carol" {
		t.Errorf("a cross-site POST with a Bearer token: user_id %q, want carol", u)
	}
}
