package caddymodule

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

// oidcSite is an hms_app token route whose session comes from the
// issuers' tokens (or a JWKS's); block is the inside of `session jwt { }`.
func oidcSite(block string) string {
	return `
http://localhost:9080 {
	provider_token hms_app {
		key     k
		secret  {env.TM_SECRET}
		claim   role guest
		claim   room_id r
		session jwt {
` + block + `
		}
	}
}
`
}

// userOf mints through tester with tok and returns the hms user_id, or
// fails with the answer.
func userOf(t *testing.T, r response) string {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("status %d, want 200; body %s", r.status, r.body)
	}
	_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
	u, _ := c["user_id"].(string)
	return u
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// TestOIDCDiscoveryAndRotation: the session's keys come from the issuer's
// discovery document; a rotated key is accepted once published, a retired
// one refused, even for a session in the cache.
func TestOIDCDiscoveryAndRotation(t *testing.T) {
	shortJWKS(t)
	p := idptest.NewProvider(t, "/realms/staff")
	p.SetCacheControl("max-age=0")
	tester := serve(t, oidcSite("\t\t\toidc "+p.Issuer+"\n\t\t\taudience tokenmint"))

	first := p.Sign(t, session("staff-1", "iss", nil))
	if u := userOf(t, call(t, tester, "GET", "/", "", bearer(first)...)); u != "staff-1" {
		t.Fatalf("user_id %q, want staff-1", u)
	}
	if d, k := p.Requests(); d < 1 || k < 1 {
		t.Fatalf("%d discovery and %d key requests, want the document and the keys it names", d, k)
	}

	p.Rotate(t)
	second := p.Sign(t, session("staff-2", "iss", nil))
	eventually(t, "the rotated key to be accepted", func() bool {
		return call(t, tester, "GET", "/", "", bearer(second)...).status == 200
	})
	wantStatus(t, call(t, tester, "GET", "/", "", bearer(first)...), 200) // the old key is still published

	p.Retire()
	eventually(t, "the retired key's cached session to be refused", func() bool {
		r := call(t, tester, "GET", "/", "", bearer(first)...)
		return r.status == 401 && strings.Contains(r.body, "kid) is unknown")
	})
	if u := userOf(t, call(t, tester, "GET", "/", "", bearer(second)...)); u != "staff-2" {
		t.Errorf("user_id %q after retiring the old key, want staff-2", u)
	}
}

// TestOIDCIssuerMismatchRefused: a discovery document that names another
// issuer is refused at fetch, with a warning in Caddy's log; its keys are
// never fetched, and requests get 503 until the provider is fixed.
func TestOIDCIssuerMismatchRefused(t *testing.T) {
	shortJWKS(t)
	logFile := filepath.Join(t.TempDir(), "caddy.log")
	p := idptest.NewProvider(t, "")
	p.SetDocumentIssuer("https://impostor.example")
	config := strings.Replace(globalOptions, "{\n", "{\n\tlog {\n\t\toutput file "+logFile+"\n\t\tlevel WARN\n\t\tformat json\n\t}\n", 1) +
		oidcSite("\t\t\toidc "+p.Issuer)
	tester := serveRaw(t, config)
	tok := p.Sign(t, session("u", "iss", nil))

	var warning map[string]any
	eventually(t, "the warning", func() bool {
		raw, _ := os.ReadFile(logFile)
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.Contains(line, "OIDC issuer fetch failed") {
				_ = json.Unmarshal([]byte(line), &warning)
				return true
			}
		}
		return false
	})
	if warning["issuer"] != p.Issuer || !strings.Contains(warning["reason"].(string), `names issuer "https://impostor.example"`) {
		t.Errorf("warning %v, want the issuer and the name the document gave", warning)
	}
	r := call(t, tester, "GET", "/", "", bearer(tok)...)
	if r.status != 503 || r.header.Get("Retry-After") == "" {
		t.Fatalf("with the document refused: %d %s, want 503 with Retry-After", r.status, r.body)
	}
	if _, keys := p.Requests(); keys != 0 {
		t.Errorf("the keys of a refused document were fetched %d times, want 0", keys)
	}

	p.SetDocumentIssuer(p.Issuer)
	eventually(t, "the fixed document to be used", func() bool {
		return call(t, tester, "GET", "/", "", bearer(tok)...).status == 200
	})
}

// TestOIDCTwoIssuersOneRoute is the syntax: two oidc issuers (one
// with its own audience and user claim) and a JWKS on one route. Each
// token verifies with its own issuer's keys only.
func TestOIDCTwoIssuersOneRoute(t *testing.T) {
	shortJWKS(t)
	staff := idptest.NewProvider(t, "/realms/staff")
	customers := idptest.NewProvider(t, "/")
	ks := newKeyServer(t)
	tester := serve(t, oidcSite(`
			oidc `+staff.Issuer+`
			oidc `+customers.Issuer+` {
				audience https://api.example.com
				user_claim email
			}
			jwks `+ks.URL+`   # now repeatable too
			audience tokenmint`))
	keys := testJWKSKeys()

	staffTok := staff.Sign(t, session("staff-7", "iss", nil))
	customerTok := customers.Sign(t, session("c-sub", "iss", nil, "aud", "https://api.example.com", "email", "cus@example.com"))
	jwksTok := signKey(t, jwt.SigningMethodES256, keys.EC, "ec", session("app-user"))
	for tok, want := range map[string]string{staffTok: "staff-7", customerTok: "cus@example.com", jwksTok: "app-user"} {
		if u := userOf(t, call(t, tester, "GET", "/", "", bearer(tok)...)); u != want {
			t.Errorf("user_id %q, want %q", u, want)
		}
	}

	cases := []struct {
		name, tok, reason string
	}{
		{"staff's key, iss customers", staff.Sign(t, session("mallory", "iss", customers.Issuer, "aud", "https://api.example.com", "email", "m@x")), "kid) is unknown"},
		{"customers' key, iss staff", customers.Sign(t, session("mallory", "iss", staff.Issuer)), "kid) is unknown"},
		{"the JWKS key, iss staff", signKey(t, jwt.SigningMethodES256, keys.EC, "ec", session("mallory", "iss", staff.Issuer)), "kid) is unknown"},
		{"staff's key, iss of the app", staff.Sign(t, session("mallory")), "kid) is unknown"},
		{"customers without their audience", customers.Sign(t, session("c", "iss", nil, "email", "c@x")), "not for this audience"},
		{"customers without email", customers.Sign(t, session("c", "iss", nil, "aud", "https://api.example.com")), "has no email claim"},
		{"staff with the customers' audience", staff.Sign(t, session("s", "iss", nil, "aud", "https://api.example.com")), "not for this audience"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, tester, "GET", "/", "", bearer(c.tok)...)
			if r.status != 401 || !strings.Contains(r.body, c.reason) || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("%d %s (WWW-Authenticate %q), want 401 invalid_token saying %q", r.status, r.body, r.header.Get("WWW-Authenticate"), c.reason)
			}
			noToken(t, r.body)
		})
	}
}

// TestOIDCOutageAndRecovery: an issuer whose endpoints fail keeps its
// last good keys, for cached and new sessions; a provider that was down at
// start gets 503 until it answers; both recover.
func TestOIDCOutageAndRecovery(t *testing.T) {
	shortJWKS(t)
	up := idptest.NewProvider(t, "/up")
	up.SetCacheControl("max-age=0")
	cold := idptest.NewProvider(t, "/cold")
	cold.SetStatus(500)
	tester := serve(t, oidcSite("\t\t\toidc "+up.Issuer+"\n\t\t\toidc "+cold.Issuer))

	cached := up.Sign(t, session("cached", "iss", nil))
	wantStatus(t, call(t, tester, "GET", "/", "", bearer(cached)...), 200)
	coldTok := cold.Sign(t, session("cold-user", "iss", nil))
	r := call(t, tester, "GET", "/", "", bearer(coldTok)...)
	if r.status != 503 || !strings.Contains(r.body, "keys could not be fetched") {
		t.Fatalf("an issuer down from the start: %d %s, want 503", r.status, r.body)
	}

	for _, fault := range []struct {
		name    string
		breakIt func()
	}{
		{"500", func() { up.SetStatus(500) }},
		{"garbage keys", func() { up.SetStatus(0); up.SetKeysBody([]byte("<html>not a key set")) }},
		{"garbage document", func() { up.SetKeysBody(nil); up.SetDocumentBody([]byte("{")) }},
	} {
		d0, k0 := up.Requests()
		fault.breakIt()
		eventually(t, fault.name+": a refresh to be tried", func() bool { d, k := up.Requests(); return d+k > d0+k0+1 })
		for i := 0; i < 3; i++ {
			fresh := up.Sign(t, session("fresh-"+fault.name, "iss", nil, "n", i))
			if r := call(t, tester, "GET", "/", "", bearer(fresh)...); r.status != 200 {
				t.Fatalf("%s: a new session got %d %s, want a token from the last good keys", fault.name, r.status, r.body)
			}
		}
		wantStatus(t, call(t, tester, "GET", "/", "", bearer(cached)...), 200)
	}
	up.SetDocumentBody(nil)
	next := up.Rotate(t)
	eventually(t, "the recovered issuer's new key", func() bool {
		return call(t, tester, "GET", "/", "", bearer(up.SignWith(t, next, session("rotated", "iss", nil)))...).status == 200
	})

	cold.SetStatus(0)
	eventually(t, "the cold issuer to come up", func() bool {
		return call(t, tester, "GET", "/", "", bearer(coldTok)...).status == 200
	})
}

// TestOIDCUnknownKidFlood: a thousand tokens with made-up kids, naming
// either of two issuers, make each issuer's key set be fetched at most once
// per RefetchEvery: with the default, at most once per 10 s; with 50 ms,
// they do refetch, and no more often than that.
func TestOIDCUnknownKidFlood(t *testing.T) {
	for _, every := range []time.Duration{0, 50 * time.Millisecond} {
		name := "default 10s"
		if every > 0 {
			name = every.String()
		}
		t.Run(name, func(t *testing.T) {
			if every > 0 {
				shortJWKS(t)
				// Only unknown kids refetch: the background refresh waits an hour.
				sessionFetch.RefetchEvery, sessionFetch.MinRefresh, sessionFetch.MaxRefresh = every, time.Hour, time.Hour
			} else {
				every = 10 * time.Second
			}
			floodIssuers(t, every)
		})
	}
}

func floodIssuers(t *testing.T, every time.Duration) {
	a, b := idptest.NewProvider(t, "/a"), idptest.NewProvider(t, "/b")
	tester := serve(t, oidcSite("\t\t\toidc "+a.Issuer+"\n\t\t\toidc "+b.Issuer))
	for _, p := range []*idptest.Provider{a, b} {
		wantStatus(t, call(t, tester, "GET", "/", "", bearer(p.Sign(t, session("u", "iss", nil)))...), 200)
	}
	da, ka := a.Requests()
	db, kb := b.Requests()
	attacker := mustRSA(t)
	const n = 1000
	refused := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		var kid [8]byte
		_, _ = rand.Read(kid[:])
		iss := []string{a.Issuer, b.Issuer}[i%2]
		tok := signKey(t, jwt.SigningMethodRS256, attacker, hex.EncodeToString(kid[:]), session("evil", "iss", iss))
		if r := call(t, tester, "GET", "/", "", bearer(tok)...); r.status == 401 && strings.Contains(r.body, "kid) is unknown") {
			refused++
		}
	}
	elapsed := time.Since(start)
	da2, ka2 := a.Requests()
	db2, kb2 := b.Requests()
	t.Logf("%d tokens with random kids in %v (refetch every %v): %d refused; issuer a's keys asked %d times, issuer b's %d",
		n, elapsed.Round(time.Millisecond), every, refused, ka2-ka, kb2-kb)
	if refused != n {
		t.Errorf("refused %d of %d garbage tokens", refused, n)
	}
	// At most one refetch per RefetchEvery per issuer: as many as the run's
	// length holds, plus one for the window the run began in.
	limit := int64(elapsed/every) + 1
	for name, asked := range map[string]int64{"a": ka2 - ka, "b": kb2 - kb} {
		if asked > limit {
			t.Errorf("issuer %s's key set was asked %d times in %v, want at most %d", name, asked, elapsed, limit)
		}
		if every < time.Second && asked == 0 {
			t.Errorf("issuer %s's key set was never refetched for unknown kids", name)
		}
	}
	if every >= time.Second && (da2 != da || db2 != db) {
		t.Errorf("the flood refetched discovery documents (%d, %d times); only key sets should be", da2-da, db2-db)
	}
}

// TestOIDCValidateStaysOffline runs what `caddy validate` runs on a config
// with oidc issuers in provider_token and in session_jwt: neither the
// discovery document nor the keys are asked for, no refresh loop starts,
// and the same config, served, does fetch (so the check can fail).
func TestOIDCValidateStaysOffline(t *testing.T) {
	shortJWKS(t)
	t.Setenv("TM_SECRET", testSecret)
	p := idptest.NewProvider(t, "/realms/staff")
	site := oidcSite("\t\t\toidc "+p.Issuer) + `
http://127.0.0.1:9080 {
	session_jwt {
		oidc ` + p.Issuer + `
	}
	respond "{http.auth.user.id}"
}
`
	adapted, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(withPorts(globalOptions+site)), nil)
	if err != nil {
		t.Fatalf("adapt: %v", err)
	}
	var cfg caddy.Config
	if err := json.Unmarshal(adapted, &cfg); err != nil {
		t.Fatal(err)
	}
	held, err := keySets.OIDC(p.Issuer, sessionFetch) // as a running config would
	if err != nil {
		t.Fatal(err)
	}
	defer keySets.Release(held)
	loops := jwksLoops()
	if err := caddy.Validate(&cfg); err != nil {
		t.Fatalf("validate: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // well past the first-fetch delay
	if d, k := p.Requests(); d+k != 0 {
		t.Fatalf("caddy validate asked the issuer %d times for discovery and %d for keys, want 0", d, k)
	}
	if n := jwksLoops(); n != loops || held.Started() {
		t.Fatalf("%d refresh loops after validate (started: %v), want %d", n, held.Started(), loops)
	}

	serve(t, site)
	jwksEventually(t, "the served config to discover the issuer", func() bool { d, k := p.Requests(); return d > 0 && k > 0 })
}
