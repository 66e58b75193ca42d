package caddymodule

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokenmint/caddy-tokenmint/identity"
)

const sessionSecret = "app-session-secret-0123456789abcdef"

// session returns the claims of a good session for sub.
func session(sub string, extra ...any) jwt.MapClaims {
	c := jwt.MapClaims{"sub": sub, "iss": "https://app.example", "aud": "tokenmint",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == nil {
			delete(c, extra[i].(string))
			continue
		}
		c[extra[i].(string)] = extra[i+1]
	}
	return c
}

func signHS(t *testing.T, c jwt.MapClaims, secret string) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signKey(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// shortJWKS makes the JWKS caches of sessions quick for the test.
func shortJWKS(t *testing.T) {
	old := sessionFetch
	sessionFetch = identity.FetchOptions{RefetchEvery: 50 * time.Millisecond, MinRefresh: 100 * time.Millisecond,
		MaxRefresh: 200 * time.Millisecond, FirstFetchDelay: time.Millisecond, Timeout: time.Second}
	t.Cleanup(func() { sessionFetch = old })
}

func TestSessionHS256Cookie(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	var mu sync.Mutex
	var upstreamCookie, upstreamAuth string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		upstreamCookie, upstreamAuth = r.Header.Get("Cookie"), r.Header.Get("Authorization")
		mu.Unlock()
	}))
	defer upstream.Close()
	tester := serve(t, `
http://localhost:9080 {
	handle /hms {
		provider_token hms_app {
			key    k
			secret {env.TM_SECRET}
			claim  role guest
			claim  room_id {http.auth.user.room}
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
				issuer https://app.example
			}
		}
	}
	handle /rooms {
		provider_token hms_app {
			key    k
			secret {env.TM_SECRET}
			claim  role guest
			allow  room_id {http.auth.user.rooms}
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /api/* {
		provider_token jwt {
			secret {env.TM_SECRET}
			claim  sub {http.auth.user.id}
			claim  plan {http.auth.user.plan}
			inject header Authorization Bearer
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
				strip
			}
		}
		reverse_proxy `+upstream.Listener.Addr().String()+`
	}
}
`)
	cookie := "app_session=" + signHS(t, session("user-42", "room", "633fcdd8", "rooms", []string{"blue", "green"}, "plan", "pro"), sessionSecret)

	r := call(t, tester, "POST", "/hms", `{}`, "Cookie", cookie)
	wantStatus(t, r, 200)
	_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
	if c["user_id"] != "user-42" || c["room_id"] != "633fcdd8" {
		t.Errorf("hms user_id = %v, room_id = %v; want the session's sub user-42 and room 633fcdd8", c["user_id"], c["room_id"])
	}

	t.Run("allow from an array claim", func(t *testing.T) {
		r := call(t, tester, "POST", "/rooms", `{"room_id":"green"}`, "Cookie", cookie)
		wantStatus(t, r, 200)
		if _, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret); c["room_id"] != "green" {
			t.Errorf("room_id = %v, want green", c["room_id"])
		}
		r = call(t, tester, "POST", "/rooms", `{"room_id":"red"}`, "Cookie", cookie)
		if r.status != 403 || !strings.Contains(r.body, `"field":"room_id"`) {
			t.Fatalf("room outside the session's rooms: %d %s, want 403 on room_id", r.status, r.body)
		}
		noToken(t, r.body)
	})

	t.Run("strip removes the cookie before the upstream", func(t *testing.T) {
		r := call(t, tester, "GET", "/api/me", "", "Cookie", cookie+"; theme=dark")
		wantStatus(t, r, 200)
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(upstreamCookie, "app_session") || upstreamCookie != "theme=dark" {
			t.Errorf("upstream Cookie = %q, want only theme=dark", upstreamCookie)
		}
		_, c := claims(t, strings.TrimPrefix(upstreamAuth, "Bearer "), "HS256", testSecret)
		if c["sub"] != "user-42" || c["plan"] != "pro" {
			t.Errorf("injected claims = %v, want sub user-42 and plan pro from the session", c)
		}
	})
}

func TestSessionHeaderStrip(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	var mu sync.Mutex
	var got []string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Values("Authorization")
		mu.Unlock()
	}))
	defer upstream.Close()
	tester := serve(t, `
http://localhost:9080 {
	provider_token jwt {
		secret {env.TM_SECRET}
		claim  sub {http.auth.user.id}
		inject header X-Provider-Token Bearer
		session jwt {
			secret {env.TM_SESSION_SECRET}
			strip
		}
	}
	reverse_proxy `+upstream.Listener.Addr().String()+`
}
`)
	wantStatus(t, call(t, tester, "GET", "/", "", "Authorization", "Bearer "+signHS(t, session("u"), sessionSecret)), 200)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 0 {
		t.Errorf("upstream got the session's Authorization %q, want it stripped", got)
	}
}

func TestSessionFromForwardAuthHeader(t *testing.T) {
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
	forward_auth `+auth.Listener.Addr().String()+` {
		uri /check
		copy_headers X-User-Id
	}
	provider_token viasocket {
		secret  {env.TM_SECRET}
		claim   org_id o
		claim   project_id p
		session header X-User-Id
	}
}
`)
	r := call(t, tester, "GET", "/", "", "Authorization", "Bearer let-me-in", "X-User-Id", "mallory")
	wantStatus(t, r, 200)
	if _, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret); c["user_id"] != "carol" {
		t.Errorf("user_id = %v, want carol from forward_auth (a client's X-User-Id must not survive)", c["user_id"])
	}
	if r := call(t, tester, "GET", "/", "", "X-User-Id", "mallory"); r.status != 401 {
		t.Errorf("without forward_auth's approval: %d %s, want 401", r.status, r.body)
	}
}

// writePEM writes a public key as PEM and returns the path.
func writePEM(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pemText(t *testing.T, pub any) string {
	t.Helper()
	data, err := os.ReadFile(writePEM(t, pub))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBadSessionTokens(t *testing.T) {
	shortJWKS(t)
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	ks := newKeyServer(t)
	keys := testJWKSKeys()
	tester := serve(t, `
http://localhost:9080 {
	handle /t {
		provider_token hms_app {
			key     k
			secret  {env.TM_SECRET}
			claim   role guest
			claim   room_id r
			session jwt {
				from     cookie app_session
				from     header Authorization Bearer
				secret   {env.TM_SESSION_SECRET}
				jwks     `+ks.URL+`
				issuer   https://app.example
				audience tokenmint
				require  plan pro team
			}
		}
	}
}
`)
	good := func(extra ...any) jwt.MapClaims { return session("user-1", append([]any{"plan", "pro"}, extra...)...) }
	hs := func(c jwt.MapClaims) string { return signHS(t, c, sessionSecret) }
	rs := func(c jwt.MapClaims) string { return signKey(t, jwt.SigningMethodRS256, keys.RSA, "rsa", c) }
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	valid := hs(good())
	parts := strings.Split(valid, ".")
	otherKey := mustRSA(t)

	// Sanity: the good tokens pass, through either credential.
	for name, hdr := range map[string][]string{"hs header": bearer(valid), "rs header": bearer(rs(good())),
		"es header": bearer(signKey(t, jwt.SigningMethodES256, keys.EC, "ec", good())), "hs cookie": {"Cookie", "app_session=" + valid}} {
		if r := call(t, tester, "GET", "/t", "", hdr...); r.status != 200 {
			t.Fatalf("%s: %d %s, want a token", name, r.status, r.body)
		}
	}

	cases := []struct {
		name   string
		hdr    []string
		status int
		code   string // error= in WWW-Authenticate and the body
		reason string // in error_description
	}{
		{"no credential", nil, 401, "", "no session credential"},
		{"alg none", bearer(seg(`{"alg":"none","typ":"JWT"}`) + "." + seg(`{"sub":"user-1","exp":9999999999,"plan":"pro"}`) + "."), 401, "invalid_token", `algorithm "none" is not accepted`},
		{"HS256 keyed with the RSA public key PEM", bearer(signHS(t, good(), pemText(t, &keys.RSA.PublicKey))), 401, "invalid_token", "signature is invalid"},
		{"expired", bearer(hs(good("exp", time.Now().Add(-time.Hour).Unix()))), 401, "invalid_token", "has expired"},
		{"nbf beyond the leeway", bearer(hs(good("nbf", time.Now().Add(5*time.Minute).Unix()))), 401, "invalid_token", "not valid yet"},
		{"iat in the future", bearer(hs(good("iat", time.Now().Add(5*time.Minute).Unix()))), 401, "invalid_token", "issued in the future"},
		{"wrong iss", bearer(hs(good("iss", "https://evil.example"))), 401, "invalid_token", "issuer is not accepted"},
		{"wrong aud", bearer(hs(good("aud", "other-app"))), 401, "invalid_token", "not for this audience"},
		{"missing exp", bearer(hs(good("exp", nil))), 401, "invalid_token", "has no exp"},
		{"missing user claim", bearer(hs(good("sub", nil))), 401, "invalid_token", "has no sub claim"},
		{"require fails", bearer(hs(good("plan", "free"))), 403, "insufficient_scope", "plan claim does not grant this"},
		{"tampered payload", bearer(parts[0] + "." + seg(`{"sub":"admin","exp":9999999999,"plan":"pro","iss":"https://app.example","aud":"tokenmint"}`) + "." + parts[2]), 401, "invalid_token", "signature is invalid"},
		{"tampered signature", bearer(parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))), 401, "invalid_token", "signature is invalid"},
		{"unknown kid", bearer(signKey(t, jwt.SigningMethodRS256, otherKey, "rotated-away", good())), 401, "invalid_token", "key id (kid) is unknown"},
		{"RS256 without kid from a foreign key", bearer(signKey(t, jwt.SigningMethodRS256, otherKey, "", good())), 401, "invalid_token", "signature is invalid"},
		{"truncated", bearer(valid[:len(valid)/2]), 401, "invalid_token", "malformed"},
		{"three segments of garbage", bearer("garbage.more-garbage.still-garbage"), 401, "invalid_token", "malformed"},
		{"over 8 KiB", bearer(hs(good("pad", strings.Repeat("x", 9000)))), 401, "invalid_token", "larger than 8 KiB"},
		{"bad base64", bearer(parts[0] + ".!!!*." + parts[2]), 401, "invalid_token", "malformed"},
		{"non-JSON payload", bearer(parts[0] + "." + seg("not json") + "." + parts[2]), 401, "invalid_token", "malformed"},
		{"array payload", bearer(parts[0] + "." + seg(`["sub","user-1"]`) + "." + parts[2]), 401, "invalid_token", "malformed"},
		{"wrong cookie", []string{"Cookie", "other_session=" + valid}, 401, "", "no session credential"},
		{"scheme missing", []string{"Authorization", valid}, 401, "", "does not use the Bearer scheme"},
		{"two credentials", append([]string{"Cookie", "app_session=" + valid}, bearer(valid)...), 400, "invalid_request", "more than one session credential"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, tester, "GET", "/t", "", c.hdr...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d; body %s", r.status, c.status, r.body)
			}
			body := r.json(t)
			desc, _ := body["error_description"].(string)
			if !strings.Contains(desc, c.reason) {
				t.Errorf("error_description %q, want it to say %q", desc, c.reason)
			}
			wantCode := c.code
			if wantCode == "" {
				wantCode = "unauthenticated"
			}
			if body["error"] != wantCode {
				t.Errorf("error %v, want %s", body["error"], wantCode)
			}
			www := r.header.Get("WWW-Authenticate")
			if c.status != 400 && !strings.HasPrefix(www, `Bearer realm="tokenmint"`) {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", www)
			}
			if c.code != "" && c.status != 400 && !strings.Contains(www, `error="`+c.code+`"`) {
				t.Errorf("WWW-Authenticate %q, want error=%q", www, c.code)
			}
			if c.code == "" && strings.Contains(www, "error=") {
				t.Errorf("WWW-Authenticate %q carries an error code, want none without a credential", www)
			}
			noToken(t, r.body)
			if strings.Contains(r.body, sessionSecret) {
				t.Fatal("secret in the body")
			}
		})
	}
}
