package identity

import (
	"crypto"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

// acquireTestOIDC acquires the set of issuer, starts it and releases it
// when the test ends.
func acquireTestOIDC(t testing.TB, issuer string, opts FetchOptions) *KeySet {
	t.Helper()
	c, err := testRegistry.OIDC(issuer, opts)
	if err != nil {
		t.Fatalf("OIDC(%s): %v", issuer, err)
	}
	t.Cleanup(func() { testRegistry.Release(c) })
	c.Start()
	return c
}

func TestDiscoveryURL(t *testing.T) {
	for issuer, want := range map[string]string{
		"https://login.example.com/realms/staff": "https://login.example.com/realms/staff/.well-known/openid-configuration",
		"https://tenant.auth0.com/":              "https://tenant.auth0.com/.well-known/openid-configuration",
		"https://accounts.google.com":            "https://accounts.google.com/.well-known/openid-configuration",
	} {
		if got := DiscoveryURL(issuer); got != want {
			t.Errorf("DiscoveryURL(%q) = %q, want %q", issuer, got, want)
		}
	}
}

func TestOIDCDiscoversKeys(t *testing.T) {
	for _, path := range []string{"", "/realms/staff", "/tenant/"} {
		t.Run("issuer path "+path, func(t *testing.T) {
			p := idptest.NewProvider(t, path)
			c := acquireTestOIDC(t, p.Issuer, FetchOptions{FirstFetchDelay: time.Hour})
			if d, k := p.Requests(); d+k != 0 {
				t.Fatalf("%d discovery and %d key requests at acquire, want none", d, k)
			}
			kid := p.Current().KID
			k, ok, err := c.Lookup(testCtx(t), kid)
			if !ok || err != nil {
				t.Fatalf("Lookup(%s) = %v, %v; want the provider's key", kid, ok, err)
			}
			if !k.Key.(interface{ Equal(crypto.PublicKey) bool }).Equal(p.Current().Signer.Public()) || k.Alg != "RS256" {
				t.Errorf("key %s alg %s does not equal the provider's RS256 key", k.KID, k.Alg)
			}
			if d, keys := p.Requests(); d != 1 || keys != 1 {
				t.Errorf("%d discovery and %d key requests, want 1 and 1", d, keys)
			}
		})
	}
}

func TestOIDCRotation(t *testing.T) {
	p := idptest.NewProvider(t, "/realms/staff")
	c := acquireTestOIDC(t, p.Issuer, FetchOptions{FirstFetchDelay: time.Hour, RefetchEvery: 20 * time.Millisecond, MaxRefresh: time.Hour})
	ctx := testCtx(t)
	old := p.Current()
	if _, ok, err := c.Lookup(ctx, old.KID); !ok || err != nil {
		t.Fatalf("Lookup(old) = %v, %v", ok, err)
	}
	next := p.Rotate(t)
	idptest.Eventually(t, "the rotated key", func() bool {
		k, ok, _ := c.Lookup(ctx, next.KID) // an unknown kid refetches, at most every RefetchEvery
		return ok && k.Alg == "ES256"
	})
	if !c.Has(old.KID) {
		t.Error("the old key left the set before the provider retired it")
	}
	p.Retire()
	idptest.Eventually(t, "the retired key to go", func() bool {
		_, _, _ = c.Lookup(ctx, "some-other-kid")
		return !c.Has(old.KID)
	})
	// The discovery document (no Cache-Control: 15m, clamped to 1h) is
	// fetched once; each refetch asks only for the key set.
	if d, k := p.Requests(); d != 1 || k < 3 {
		t.Errorf("%d discovery and %d key requests, want 1 discovery and a key fetch per refetch", d, k)
	}
}

func TestOIDCDiscoveryRefused(t *testing.T) {
	plainKeys := idptest.NewKeyServer(t)
	tests := []struct {
		name   string
		setup  func(p *idptest.Provider) (issuer string)
		reason string
	}{
		{"the document names another issuer", func(p *idptest.Provider) string {
			p.SetDocumentIssuer("https://evil.example")
			return p.Issuer
		}, `names issuer "https://evil.example", not`},
		{"a trailing slash differs", func(p *idptest.Provider) string { return p.Issuer + "/" }, "must match exactly"},
		{"no document", func(p *idptest.Provider) string { return p.URL + "/nowhere" }, "status 404"},
		{"garbage", func(p *idptest.Provider) string { p.SetDocumentBody([]byte("<html>oops")); return p.Issuer }, "invalid JSON"},
		{"down", func(p *idptest.Provider) string { p.Close(); return p.Issuer }, "unreachable"},
		{"status 500", func(p *idptest.Provider) string { p.SetStatus(500); return p.Issuer }, "status 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := idptest.NewProvider(t, "/realms/x")
			issuer := tt.setup(p)
			core, logs := observer.New(zapcore.WarnLevel)
			c := acquireTestOIDC(t, issuer, FetchOptions{FirstFetchDelay: time.Millisecond, RefetchEvery: time.Hour, Logger: zap.New(core)})
			_, ok, err := c.Lookup(testCtx(t), p.Current().KID)
			if ok || err == nil || !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), issuer) {
				t.Fatalf("Lookup = %v, %v; want no key and an error naming %s and %q", ok, err, issuer, tt.reason)
			}
			if _, keys := p.Requests(); keys != 0 {
				t.Errorf("the key set was fetched %d times after a refused discovery, want 0", keys)
			}
			idptest.Eventually(t, "the warning", func() bool { return logs.FilterMessageSnippet("OIDC issuer fetch failed").Len() > 0 })
			w := logs.FilterMessageSnippet("OIDC issuer fetch failed").All()[0].ContextMap()
			if w["issuer"] != issuer || !strings.Contains(w["reason"].(string), tt.reason) {
				t.Errorf("warning %v, want issuer %s and a reason with %q", w, issuer, tt.reason)
			}
		})
	}

	t.Run("jwks_uri over plain http to another host", func(t *testing.T) {
		doc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"issuer":"http://` + r.Host + `","jwks_uri":"http://keys.example/jwks"}`))
		}))
		defer doc.Close()
		c := acquireTestOIDC(t, doc.URL, FetchOptions{FirstFetchDelay: time.Hour})
		if _, err := c.Keys(testCtx(t)); err == nil || !strings.Contains(err.Error(), "jwks_uri") || !strings.Contains(err.Error(), "plain http") {
			t.Fatalf("Keys = %v; want jwks_uri refused as plain http", err)
		}
	})
	t.Run("no jwks_uri", func(t *testing.T) {
		doc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"issuer":"http://` + r.Host + `"}`))
		}))
		defer doc.Close()
		c := acquireTestOIDC(t, doc.URL, FetchOptions{FirstFetchDelay: time.Hour})
		if _, err := c.Keys(testCtx(t)); err == nil || !strings.Contains(err.Error(), "no jwks_uri") {
			t.Fatalf("Keys = %v; want no jwks_uri", err)
		}
	})
	if plainKeys.Requests() != 0 {
		t.Error("a key server nobody named was asked")
	}
}

// TestOIDCOutageKeepsKeys: once discovered, an issuer whose endpoints fail
// keeps its last good keys, rediscovers after a failed key fetch, and
// recovers.
func TestOIDCOutageKeepsKeys(t *testing.T) {
	p := idptest.NewProvider(t, "")
	core, logs := observer.New(zapcore.InfoLevel)
	c := acquireTestOIDC(t, p.Issuer, FetchOptions{FirstFetchDelay: time.Hour, RefetchEvery: 10 * time.Millisecond, Logger: zap.New(core)})
	ctx := testCtx(t)
	kid := p.Current().KID
	if _, ok, err := c.Lookup(ctx, kid); !ok || err != nil {
		t.Fatalf("Lookup = %v, %v", ok, err)
	}
	p.SetKeysBody([]byte("<html>oops"))
	idptest.Eventually(t, "a failed fetch", func() bool { _, failed := c.Fetches(); _, _, _ = c.Lookup(ctx, "x"); return failed > 0 })
	p.SetKeysBody(nil)
	p.SetStatus(503)
	idptest.Eventually(t, "a failed rediscovery", func() bool {
		_, _, _ = c.Lookup(ctx, "y")
		d, _ := p.Requests()
		return d >= 2
	})
	if _, ok, err := c.Lookup(ctx, kid); !ok || err != nil {
		t.Fatalf("Lookup(%s) during the outage = %v, %v; want the last good key", kid, ok, err)
	}
	p.SetStatus(0)
	next := p.Rotate(t)
	idptest.Eventually(t, "recovery", func() bool { _, ok, _ := c.Lookup(ctx, next.KID); return ok })
	if logs.FilterMessageSnippet("OIDC issuer fetch recovered").Len() == 0 {
		t.Errorf("no recovery logged: %v", logs.All())
	}
}

func TestCheckIssuerURL(t *testing.T) {
	for _, ok := range []string{"https://login.example.com/realms/staff", "https://tenant.auth0.com/", "http://localhost:8080/realms/x"} {
		if err := CheckIssuerURL(ok); err != nil {
			t.Errorf("CheckIssuerURL(%q) = %v, want it accepted", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"http://login.example.com":     "plain http",
		"login.example.com":            "not an https URL",
		"https://idp.example/?tenant=": "query or fragment",
		"https://idp.example/#x":       "query or fragment",
	} {
		if err := CheckIssuerURL(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckIssuerURL(%q) = %v, want %q", bad, err, want)
		}
	}
}
