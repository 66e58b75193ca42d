package caddymodule

import (
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/golang-jwt/jwt/v5"
)

func jwksSite(url string) string {
	return oidcSite(`
			jwks     ` + url + `
			audience tokenmint`)
}

// eventually polls a request until want holds; it asserts no timing.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSessionJWKSRotationAndOutage(t *testing.T) {
	shortJWKS(t)
	ks := newKeyServer(t)
	ks.SetCacheControl("max-age=0")
	keys := testJWKSKeys()
	tester := serve(t, jwksSite(ks.URL))

	rsTok := signKey(t, jwt.SigningMethodRS256, keys.RSA, "rsa", session("rs-user"))
	esTok := signKey(t, jwt.SigningMethodES256, keys.EC, "ec", session("es-user"))
	for tok, user := range map[string]string{rsTok: "rs-user", esTok: "es-user"} {
		r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+tok)
		wantStatus(t, r, 200)
		if _, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret); c["user_id"] != user {
			t.Errorf("hms user_id = %v, want the session's sub %s", c["user_id"], user)
		}
	}

	// Rotation: a new kid is accepted once the set has it.
	newKey := mustRSA(t)
	ks.SetKeys(map[string]crypto.PublicKey{"rsa2": &newKey.PublicKey, "ec": &keys.EC.PublicKey})
	newTok := signKey(t, jwt.SigningMethodRS256, newKey, "rsa2", session("new-user"))
	eventually(t, "the new kid to be accepted", func() bool {
		return call(t, tester, "GET", "/", "", "Authorization", "Bearer "+newTok).status == 200
	})
	// ...and the removed kid "rsa" is refused after refresh, even though a
	// session it verified is in the verified-session cache.
	eventually(t, "the removed kid to be refused", func() bool {
		r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+rsTok)
		return r.status == 401 && strings.Contains(r.body, "kid) is unknown")
	})

	// Outage: the endpoint fails in every way; cached keys keep serving,
	// for cached sessions and for new ones.
	for _, fault := range []struct {
		name    string
		breakIt func()
	}{
		{"500", func() { ks.SetStatus(500) }},
		{"garbage", func() { ks.SetStatus(200); ks.SetBody([]byte("<html>not a key set")) }},
		{"huge", func() { ks.SetBody([]byte(`{"keys":[` + strings.Repeat(" ", 2<<20) + `]}`)) }},
		{"timeout", func() { ks.SetBody(jwksJSON(nil)); ks.SetDelay(3 * time.Second) }},
		{"down", func() { ks.Close() }},
	} {
		before := ks.Requests()
		fault.breakIt()
		if fault.name != "down" {
			eventually(t, fault.name+": a refresh to be tried", func() bool { return ks.Requests() > before+1 })
		}
		for i := 0; i < 3; i++ {
			fresh := signKey(t, jwt.SigningMethodES256, keys.EC, "ec", session("es-user-"+fault.name, "n", i))
			if r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+fresh); r.status != 200 {
				t.Fatalf("%s: a new ES256 session got %d %s, want a token from the cached keys", fault.name, r.status, r.body)
			}
		}
		if r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+newTok); r.status != 200 {
			t.Fatalf("%s: the cached session got %d %s", fault.name, r.status, r.body)
		}
	}
}

func TestSessionJWKSColdStartDown(t *testing.T) {
	shortJWKS(t)
	ks := newKeyServer(t)
	ks.SetStatus(500)
	tester := serve(t, jwksSite(ks.URL))
	tok := signKey(t, jwt.SigningMethodRS256, testJWKSKeys().RSA, "rsa", session("u"))
	r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+tok)
	if r.status != 503 || !strings.Contains(r.body, "keys could not be fetched") || r.header.Get("Retry-After") == "" {
		t.Fatalf("cold start with the JWKS down: %d %q (Retry-After %q), want 503 with a reason", r.status, r.body, r.header.Get("Retry-After"))
	}
	noToken(t, r.body)
	// When the endpoint comes back, the same token works.
	ks.SetStatus(200)
	eventually(t, "the keys to arrive", func() bool {
		return call(t, tester, "GET", "/", "", "Authorization", "Bearer "+tok).status == 200
	})
}

func TestSessionJWKSGarbageKidsAreRateLimited(t *testing.T) {
	// Default intervals: at most one refetch per 10s for unknown kids.
	ks := newKeyServer(t)
	tester := serve(t, jwksSite(ks.URL))
	good := signKey(t, jwt.SigningMethodRS256, testJWKSKeys().RSA, "rsa", session("u"))
	wantStatus(t, call(t, tester, "GET", "/", "", "Authorization", "Bearer "+good), 200)
	before := ks.Requests()
	attacker := mustRSA(t)
	const n = 1000
	refused := 0
	for i := 0; i < n; i++ {
		var b [8]byte
		rand.Read(b[:])
		tok := signKey(t, jwt.SigningMethodRS256, attacker, hex.EncodeToString(b[:]), session("evil"))
		r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+tok)
		if r.status == 401 && strings.Contains(r.body, "kid) is unknown") {
			refused++
		}
	}
	asked := ks.Requests() - before
	t.Logf("%d tokens with random kids: %d refused as unknown, JWKS asked %d times", n, refused, asked)
	if refused != n {
		t.Errorf("refused %d of %d garbage tokens", refused, n)
	}
	// One refetch per RefetchEvery (10s); the run takes a few seconds, so
	// allow one more for a run that straddles a boundary.
	if asked > 2 {
		t.Errorf("the JWKS endpoint was asked %d times for %d garbage kids, want at most 2", asked, n)
	}
	wantStatus(t, call(t, tester, "GET", "/", "", "Authorization", "Bearer "+good), 200)
}

// TestValidateStaysOffline runs what `caddy validate` runs (adapt, then
// caddy.Validate: provision and clean up, never start) on a config with a
// JWKS session: the key server is never asked, no refresh loop is left,
// and the same config, served, does fetch (so the check can fail).
func TestValidateStaysOffline(t *testing.T) {
	shortJWKS(t)
	t.Setenv("TM_SECRET", testSecret)
	ks := newKeyServer(t)
	text := withPorts(globalOptions + jwksSite(ks.URL))
	adapted, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(text), nil)
	if err != nil {
		t.Fatalf("adapt: %v", err)
	}
	var cfg caddy.Config
	if err := json.Unmarshal(adapted, &cfg); err != nil {
		t.Fatal(err)
	}
	// Hold a reference, as a running config would, so that validate's
	// cleanup does not end the cache before a fetch it started could run.
	held, err := keySets.JWKS(ks.URL, sessionFetch)
	if err != nil {
		t.Fatal(err)
	}
	defer keySets.Release(held)
	loops := jwksLoops()
	if err := caddy.Validate(&cfg); err != nil {
		t.Fatalf("validate: %v", err)
	}
	time.Sleep(300 * time.Millisecond) // well past the first-fetch delay
	if n := ks.Requests(); n != 0 {
		t.Fatalf("caddy validate asked the key server %d times, want 0", n)
	}
	if n := jwksLoops(); n != loops || held.Started() {
		t.Fatalf("%d JWKS refresh loops after validate (started: %v), want %d", n, held.Started(), loops)
	}

	serve(t, jwksSite(ks.URL))
	jwksEventually(t, "the served config to fetch the key set", func() bool { return ks.Requests() > 0 })
}

// TestSessionJWKSKeyRemovalRevokesKidlessSessions: a token without kid is
// verified against every fitting key of the set; once the key that verified
// it leaves the set, the cached session stops verifying too, as it does for
// tokens with a kid.
func TestSessionJWKSKeyRemovalRevokesKidlessSessions(t *testing.T) {
	shortJWKS(t)
	ks := newKeyServer(t)
	ks.SetCacheControl("max-age=0")
	keys := testJWKSKeys()
	tester := serve(t, jwksSite(ks.URL))

	kidless := signKey(t, jwt.SigningMethodRS256, keys.RSA, "", session("no-kid-user"))
	for i := 0; i < 3; i++ { // the first verifies, the others come from the cache
		wantStatus(t, call(t, tester, "GET", "/", "", "Authorization", "Bearer "+kidless), 200)
	}
	other := mustRSA(t)
	ks.SetKeys(map[string]crypto.PublicKey{"rsa2": &other.PublicKey, "ec": &keys.EC.PublicKey})
	eventually(t, "the kid-less session to be refused once its key is gone", func() bool {
		return call(t, tester, "GET", "/", "", "Authorization", "Bearer "+kidless).status == 401
	})
	// A kid-less token of a key still published keeps verifying.
	ec := signKey(t, jwt.SigningMethodES256, keys.EC, "", session("ec-user"))
	wantStatus(t, call(t, tester, "GET", "/", "", "Authorization", "Bearer "+ec), 200)
}
