package identity

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

// testRegistry shares the key sets of one test binary, as a Caddy process
// shares them across handlers.
var testRegistry = NewRegistry()

// acquireTestJWKS acquires the set at url, starts it and releases it when
// the test ends (before the key server closes, as cleanups run last-in
// first-out).
func acquireTestJWKS(t testing.TB, url string, opts FetchOptions) *KeySet {
	t.Helper()
	c, err := testRegistry.JWKS(url, opts)
	if err != nil {
		t.Fatalf("JWKS(%s): %v", url, err)
	}
	t.Cleanup(func() { testRegistry.Release(c) })
	c.Start()
	return c
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func kidsOf(keys []Key) map[string]Key {
	m := make(map[string]Key, len(keys))
	for _, k := range keys {
		m[k.KID] = k
	}
	return m
}

func TestJWKSKeysFromServer(t *testing.T) {
	srv := idptest.NewKeyServer(t)
	c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Hour})
	got, err := c.Keys(testCtx(t))
	if err != nil {
		t.Fatalf("Keys: %v", err)
	}
	want := map[string]string{"rsa": "RS256", "ec": "ES256", "ed": "EdDSA"}
	byKID := kidsOf(got)
	if len(byKID) != len(want) {
		t.Fatalf("got kids %v, want %v", byKID, want)
	}
	pubs := idptest.Keys().Public()
	for kid, alg := range want {
		k, ok, err := c.Lookup(testCtx(t), kid)
		if !ok || err != nil {
			t.Fatalf("Lookup(%q) = %v, %v; want the key", kid, ok, err)
		}
		if k.Alg != alg || k.KID != kid {
			t.Errorf("Lookup(%q): kid %q alg %q, want alg %q", kid, k.KID, k.Alg, alg)
		}
		if !k.Key.(interface{ Equal(crypto.PublicKey) bool }).Equal(pubs[kid]) {
			t.Errorf("Lookup(%q): key does not equal the served one", kid)
		}
	}
	switch k, _, _ := c.Lookup(testCtx(t), "rsa"); k.Key.(type) {
	case *rsa.PublicKey:
	default:
		t.Errorf("rsa key is %T, want *rsa.PublicKey", k.Key)
	}
	if ok, failed := c.Fetches(); ok != 1 || failed != 0 || srv.Requests() != 1 {
		t.Errorf("Fetches() = %d, %d with %d requests; want 1, 0 with 1", ok, failed, srv.Requests())
	}
}

func TestJWKSAcquireMakesNoRequest(t *testing.T) {
	t.Run("first fetch delayed", func(t *testing.T) {
		srv := idptest.NewKeyServer(t)
		c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Hour})
		if n := srv.Requests(); n != 0 {
			t.Fatalf("%d requests right after acquire, want 0", n)
		}
		time.Sleep(50 * time.Millisecond)
		if n := srv.Requests(); n != 0 {
			t.Fatalf("%d requests after acquire and a pause, want 0", n)
		}
		if ok, failed := c.Fetches(); ok+failed != 0 {
			t.Errorf("Fetches() = %d, %d; want none", ok, failed)
		}
	})
	t.Run("caddy validate: acquire and release at once, with the defaults", func(t *testing.T) {
		srv := idptest.NewKeyServer(t)
		c, err := testRegistry.JWKS(srv.URL, FetchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		testRegistry.Release(c)
		time.Sleep(2 * defaultFirstFetchDelay)
		if n := srv.Requests(); n != 0 {
			t.Fatalf("%d requests after acquire and release, want 0", n)
		}
	})
}

func TestJWKSColdKeysFetchOnce(t *testing.T) {
	srv := idptest.NewKeyServer(t)
	srv.SetDelay(200 * time.Millisecond) // so that the callers overlap
	c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Hour})
	ctx := testCtx(t)
	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	start := make(chan struct{})
	for range callers {
		wg.Go(func() {
			<-start
			keys, err := c.Keys(ctx)
			if err == nil && len(keys) != 3 {
				err = fmt.Errorf("got %d keys, want 3", len(keys))
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Keys: %v", err)
		}
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("%d concurrent cold Keys made %d requests, want 1", callers, n)
	}
}

func TestJWKSRotation(t *testing.T) {
	keys := idptest.Keys()
	next, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	oldOnly := map[string]crypto.PublicKey{"old": &keys.EC.PublicKey}
	both := map[string]crypto.PublicKey{"old": &keys.EC.PublicKey, "new": &next.PublicKey}
	newOnly := map[string]crypto.PublicKey{"new": &next.PublicKey}
	hasKid := func(t *testing.T, c *KeySet, kid string) bool {
		t.Helper()
		got, err := c.Keys(testCtx(t))
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		_, ok := kidsOf(got)[kid]
		return ok
	}

	t.Run("an unknown kid makes the cache refetch", func(t *testing.T) {
		srv := idptest.NewKeyServer(t)
		srv.SetKeys(oldOnly)
		// The background loop stays quiet: only Lookup fetches here.
		c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Hour, RefetchEvery: 20 * time.Millisecond})
		ctx := testCtx(t)
		if _, ok, err := c.Lookup(ctx, "old"); !ok || err != nil {
			t.Fatalf("Lookup(old) = %v, %v; want the key", ok, err)
		}

		srv.SetKeys(both)
		idptest.Eventually(t, "the new kid", func() bool {
			k, ok, err := c.Lookup(ctx, "new")
			if err != nil {
				t.Fatalf("Lookup(new): %v", err)
			}
			return ok && k.Key.(*ecdsa.PublicKey).Equal(&next.PublicKey)
		})
		if n := srv.Requests(); n < 2 {
			t.Errorf("%d requests, want a refetch", n)
		}

		srv.SetKeys(newOnly)
		idptest.Eventually(t, "the old kid to go", func() bool {
			_, _, _ = c.Lookup(ctx, "another-new-one") // refetches, at most every RefetchEvery
			return !hasKid(t, c, "old")
		})
		if _, ok, _ := c.Lookup(ctx, "new"); !ok {
			t.Errorf("Lookup(new) failed after the old key went")
		}
	})

	t.Run("the background refresh follows the provider", func(t *testing.T) {
		srv := idptest.NewKeyServer(t)
		srv.SetKeys(oldOnly)
		srv.SetCacheControl("max-age=0")
		c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Millisecond, MinRefresh: 20 * time.Millisecond, MaxRefresh: time.Hour})
		idptest.Eventually(t, "the first fetch", func() bool { ok, _ := c.Fetches(); return ok >= 1 })
		srv.SetKeys(both)
		idptest.Eventually(t, "the new kid", func() bool { return hasKid(t, c, "new") })
		srv.SetKeys(newOnly)
		idptest.Eventually(t, "the old kid to go", func() bool { return !hasKid(t, c, "old") })
	})
}

func TestJWKSUnknownKidRateLimit(t *testing.T) {
	for _, warm := range []bool{true, false} {
		t.Run(map[bool]string{true: "warm", false: "cold"}[warm], func(t *testing.T) {
			srv := idptest.NewKeyServer(t)
			c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Hour, RefetchEvery: time.Hour})
			ctx := testCtx(t)
			if warm {
				if _, err := c.Keys(ctx); err != nil {
					t.Fatal(err)
				}
			}
			const lookups, workers = 1000, 20
			var wg sync.WaitGroup
			var found, failed atomic.Int64
			for range workers {
				wg.Go(func() {
					for range lookups / workers {
						_, ok, err := c.Lookup(ctx, rand.Text())
						if ok {
							found.Add(1)
						}
						if err != nil {
							failed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			n := srv.Requests()
			t.Logf("%d lookups of random kids made %d requests to the key server", lookups, n)
			if n > 2 {
				t.Errorf("%d lookups of random kids made %d requests, want at most 2", lookups, n)
			}
			if found.Load() != 0 || failed.Load() != 0 {
				t.Errorf("random kids: %d found, %d errors; want none of either (the set is fresh)", found.Load(), failed.Load())
			}
			if _, ok, _ := c.Lookup(ctx, "rsa"); !ok {
				t.Errorf("Lookup(rsa) failed after the flood")
			}
		})
	}
}

func TestJWKSFailuresKeepKeys(t *testing.T) {
	huge := append(idptest.JWKS(idptest.Keys().Public()), make([]byte, 8<<10)...)
	for i := len(huge) - 8<<10; i < len(huge); i++ {
		huge[i] = ' ' // valid JSON, only too long
	}
	tests := []struct {
		name   string
		opts   FetchOptions
		breaks func(s *idptest.KeyServer)
		reason string
	}{
		{name: "server down", breaks: func(s *idptest.KeyServer) { s.Close() }, reason: "unreachable"},
		{name: "status 500", breaks: func(s *idptest.KeyServer) { s.SetStatus(http.StatusInternalServerError) }, reason: "status 500"},
		{name: "status 404", breaks: func(s *idptest.KeyServer) { s.SetStatus(http.StatusNotFound) }, reason: "status 404"},
		{name: "garbage", breaks: func(s *idptest.KeyServer) { s.SetBody([]byte("<html>oops</html>")) }, reason: "invalid JSON"},
		{name: "huge body", opts: FetchOptions{MaxBytes: 4 << 10}, breaks: func(s *idptest.KeyServer) { s.SetBody(huge) }, reason: "larger than the limit"},
		{name: "timeout", opts: FetchOptions{Timeout: time.Second}, breaks: func(s *idptest.KeyServer) { s.SetDelay(time.Minute) }, reason: "timed out"},
		{name: "empty set", breaks: func(s *idptest.KeyServer) { s.SetBody([]byte(`{"keys":[]}`)) }, reason: "has no keys"},
		{name: "no usable key", breaks: func(s *idptest.KeyServer) {
			s.SetBody(idptest.Document(map[string]any{"kty": "RSA", "kid": "x", "use": "enc", "n": "AQAB", "e": "AQAB"}))
		}, reason: "no usable signature key"},
	}
	modulus := base64.RawURLEncoding.EncodeToString(idptest.Keys().RSA.N.Bytes())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := idptest.NewKeyServer(t)
			if tt.name == "huge body" && len(idptest.JWKS(idptest.Keys().Public())) > int(tt.opts.MaxBytes) {
				t.Fatal("the good set must fit the limit")
			}
			core, logs := observer.New(zapcore.WarnLevel)
			opts := tt.opts
			opts.FirstFetchDelay, opts.RefetchEvery, opts.Logger = time.Hour, 20*time.Millisecond, zap.New(core)
			c := acquireTestJWKS(t, srv.URL, opts)
			ctx := testCtx(t)
			if _, err := c.Keys(ctx); err != nil {
				t.Fatalf("first fetch: %v", err)
			}

			tt.breaks(srv)
			var lastErr error
			idptest.Eventually(t, "a failed fetch", func() bool {
				_, ok, err := c.Lookup(ctx, "unknown")
				if ok {
					t.Fatal("Lookup(unknown) found a key")
				}
				lastErr = err
				_, failed := c.Fetches()
				return failed > 0 && err != nil
			})
			if !strings.Contains(lastErr.Error(), tt.reason) || !strings.Contains(lastErr.Error(), srv.URL) {
				t.Errorf("Lookup(unknown) err = %q, want the URL and %q", lastErr, tt.reason)
			}
			for kid := range idptest.Keys().Public() {
				if _, ok, err := c.Lookup(ctx, kid); !ok || err != nil {
					t.Errorf("Lookup(%q) after the failure = %v, %v; want the old key", kid, ok, err)
				}
			}
			if keys, err := c.Keys(ctx); err != nil || len(keys) != 3 {
				t.Errorf("Keys after the failure = %d keys, %v; want the 3 old ones", len(keys), err)
			}
			if ok, failed := c.Fetches(); ok != 1 || failed < 1 {
				t.Errorf("Fetches() = %d, %d; want 1 ok and at least 1 failed", ok, failed)
			}

			warns := logs.FilterMessageSnippet("JWKS fetch failed").All()
			if len(warns) == 0 {
				t.Fatalf("no warning logged; logs: %v", logs.All())
			}
			fields := warns[0].ContextMap()
			if fields["url"] != srv.URL || !strings.Contains(fmt.Sprint(fields["reason"]), tt.reason) {
				t.Errorf("warning fields %v, want url %s and a reason containing %q", fields, srv.URL, tt.reason)
			}
			for _, e := range logs.All() {
				if strings.Contains(fmt.Sprint(e.ContextMap()), modulus[:16]) {
					t.Errorf("a log entry holds key material: %q", e.Message)
				}
			}
		})
	}
}

func TestJWKSColdStartFailure(t *testing.T) {
	tests := []struct {
		name   string
		opts   FetchOptions
		setup  func(s *idptest.KeyServer)
		wait   time.Duration // the caller's ctx
		reason string
	}{
		{name: "server down", setup: func(s *idptest.KeyServer) { s.Close() }, wait: 15 * time.Second, reason: "unreachable"},
		{name: "status 503", setup: func(s *idptest.KeyServer) { s.SetStatus(http.StatusServiceUnavailable) }, wait: 15 * time.Second, reason: "status 503"},
		{name: "garbage", setup: func(s *idptest.KeyServer) { s.SetBody([]byte("nope")) }, wait: 15 * time.Second, reason: "invalid JSON"},
		{name: "fetch times out", opts: FetchOptions{Timeout: 100 * time.Millisecond},
			setup: func(s *idptest.KeyServer) { s.SetDelay(time.Minute) }, wait: 15 * time.Second, reason: "timed out after 100ms"},
		{name: "caller gives up first", opts: FetchOptions{Timeout: 30 * time.Second},
			setup: func(s *idptest.KeyServer) { s.SetDelay(time.Minute) }, wait: 100 * time.Millisecond, reason: "gave up waiting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := idptest.NewKeyServer(t)
			tt.setup(srv)
			opts := tt.opts
			opts.FirstFetchDelay, opts.RefetchEvery = time.Hour, time.Hour
			c := acquireTestJWKS(t, srv.URL, opts)
			ctx, cancel := context.WithTimeout(context.Background(), tt.wait)
			defer cancel()

			keys, err := c.Keys(ctx)
			if err == nil || keys != nil {
				t.Fatalf("Keys = %d keys, %v; want an error", len(keys), err)
			}
			if !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("Keys err = %q, want the URL and %q", err, tt.reason)
			}
			if tt.name == "caller gives up first" {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Keys err = %v, want it to wrap context.DeadlineExceeded", err)
				}
				return
			}
			if _, failed := c.Fetches(); failed != 1 {
				t.Errorf("%d failed fetches, want 1", failed)
			}
			// Within RefetchEvery, callers get the same reason without a new request.
			_, ok, err := c.Lookup(testCtx(t), "rsa")
			if ok || err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("Lookup(rsa) = %v, %v; want no key and %q", ok, err, tt.reason)
			}
			if n := srv.Requests(); n > 1 {
				t.Errorf("%d requests, want at most 1 within RefetchEvery", n)
			}
		})
	}
}

func TestJWKSCacheControlDrivesRefresh(t *testing.T) {
	tests := []struct {
		name         string
		cacheControl string
		min, max     time.Duration
	}{
		{"max-age=0 clamps to MinRefresh", "max-age=0", 50 * time.Millisecond, time.Hour},
		{"a day clamps to MaxRefresh", "max-age=86400", 10 * time.Millisecond, 50 * time.Millisecond},
		{"none: 15m clamps to MaxRefresh", "", 10 * time.Millisecond, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := idptest.NewKeyServer(t)
			srv.SetCacheControl(tt.cacheControl)
			c := acquireTestJWKS(t, srv.URL, FetchOptions{
				FirstFetchDelay: time.Millisecond, MinRefresh: tt.min, MaxRefresh: tt.max,
			})
			idptest.Eventually(t, "three background fetches", func() bool { ok, _ := c.Fetches(); return ok >= 3 })
			if _, failed := c.Fetches(); failed != 0 {
				t.Errorf("%d fetches failed, want none", failed)
			}
		})
	}
	t.Run("a long max-age holds off refreshes", func(t *testing.T) {
		srv := idptest.NewKeyServer(t)
		srv.SetCacheControl("max-age=3600")
		c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Millisecond, MinRefresh: time.Millisecond, MaxRefresh: 2 * time.Hour})
		idptest.Eventually(t, "the first fetch", func() bool { ok, _ := c.Fetches(); return ok >= 1 })
		time.Sleep(100 * time.Millisecond)
		if n := srv.Requests(); n != 1 {
			t.Errorf("%d requests with max-age=3600, want 1", n)
		}
	})
}

func TestJWKSRetriesAfterFailure(t *testing.T) {
	srv := idptest.NewKeyServer(t)
	srv.SetStatus(http.StatusBadGateway)
	c := acquireTestJWKS(t, srv.URL, FetchOptions{
		FirstFetchDelay: time.Millisecond, RefetchEvery: 10 * time.Millisecond,
		MinRefresh: time.Millisecond, MaxRefresh: 80 * time.Millisecond,
	})
	idptest.Eventually(t, "three background retries", func() bool { _, failed := c.Fetches(); return failed >= 3 })
	srv.SetStatus(http.StatusOK)
	idptest.Eventually(t, "a retry to succeed", func() bool { ok, _ := c.Fetches(); return ok >= 1 })
	if _, ok, err := c.Lookup(testCtx(t), "ed"); !ok || err != nil {
		t.Errorf("Lookup(ed) after recovery = %v, %v; want the key", ok, err)
	}
	if got := c.retryAfter(1); got != 10*time.Millisecond {
		t.Errorf("retryAfter(1) = %v, want RefetchEvery", got)
	}
	if got := c.retryAfter(3); got != 40*time.Millisecond {
		t.Errorf("retryAfter(3) = %v, want 40ms", got)
	}
	if got := c.retryAfter(100); got != 80*time.Millisecond {
		t.Errorf("retryAfter(100) = %v, want MaxRefresh", got)
	}
}

func TestJWKSSharedPerURL(t *testing.T) {
	srv := idptest.NewKeyServer(t)
	loopsBefore := idptest.Loops()
	before := runtime.NumGoroutine()

	a, err := testRegistry.JWKS(srv.URL, FetchOptions{FirstFetchDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	b, err := testRegistry.JWKS(srv.URL, FetchOptions{FirstFetchDelay: time.Minute, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("two acquires of one URL gave two caches")
	}
	if b.opts.Timeout != defaultTimeout || b.opts.FirstFetchDelay != time.Hour {
		t.Errorf("the second acquirer's options won: %+v", b.opts)
	}
	if refs := testRegistry.References(srv.URL); refs != 2 {
		t.Errorf("%d references, want 2", refs)
	}
	if n := idptest.Loops(); n != loopsBefore {
		t.Fatalf("%d refresh loops before Start, want %d: acquiring must not start one (caddy validate)", n, loopsBefore)
	}
	a.Start()
	b.Start() // each acquirer's app starts it; the second does nothing
	idptest.Eventually(t, "one refresh loop", func() bool { return idptest.Loops() == loopsBefore+1 })

	testRegistry.Release(a)
	if refs := testRegistry.References(srv.URL); refs != 1 {
		t.Errorf("%d references after one release, want 1", refs)
	}
	if a.ctx.Err() != nil || idptest.Loops() != loopsBefore+1 {
		t.Fatal("the cache stopped while a reference remains")
	}
	testRegistry.Release(b)
	if testRegistry.References(srv.URL) != 0 {
		t.Error("the pool still holds the URL after the last release")
	}
	if a.ctx.Err() == nil {
		t.Error("the last release did not stop the cache")
	}
	if n := idptest.Loops(); n != loopsBefore { // the last release waits for the loop to end
		t.Errorf("%d refresh loops after the last release, want %d", n, loopsBefore)
	}
	var after int
	idptest.Eventually(t, "the goroutine count to settle", func() bool { after = runtime.NumGoroutine(); return after <= before })
	t.Logf("goroutines: %d before, %d after", before, after)

	c, err := testRegistry.JWKS(srv.URL, FetchOptions{FirstFetchDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer testRegistry.Release(c)
	if c == a {
		t.Error("an acquire after the last release reused the stopped cache")
	}
	if n := srv.Requests(); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestJWKSReleaseStopsRefresh(t *testing.T) {
	t.Run("refresh loop", func(t *testing.T) {
		srv := idptest.NewKeyServer(t)
		srv.SetCacheControl("max-age=0")
		c, err := testRegistry.JWKS(srv.URL, FetchOptions{FirstFetchDelay: time.Millisecond, MinRefresh: 10 * time.Millisecond, MaxRefresh: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		c.Start()
		idptest.Eventually(t, "two background fetches", func() bool { ok, _ := c.Fetches(); return ok >= 2 })
		testRegistry.Release(c) // waits for the loop and any fetch to end
		ok, failed := c.Fetches()
		n := srv.Requests()
		time.Sleep(100 * time.Millisecond)
		if ok2, failed2 := c.Fetches(); ok2 != ok || failed2 != failed {
			t.Errorf("Fetches() went from %d, %d to %d, %d after release; want no more", ok, failed, ok2, failed2)
		}
		if m := srv.Requests(); m > n+1 { // one may have been in transit when it was cancelled
			t.Errorf("%d requests after release, want none", m-n)
		}
		if _, err := c.Keys(testCtx(t)); err != nil {
			t.Errorf("Keys on a released cache with keys: %v; want the last keys", err)
		}
	})
	t.Run("fetch under way", func(t *testing.T) {
		srv := idptest.NewKeyServer(t)
		srv.SetDelay(time.Minute)
		c, err := testRegistry.JWKS(srv.URL, FetchOptions{FirstFetchDelay: time.Hour, Timeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { _, err := c.Keys(context.Background()); done <- err }()
		idptest.Eventually(t, "the request to arrive", func() bool { return srv.Requests() == 1 })
		testRegistry.Release(c) // cancels the fetch and waits for it
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "released") {
				t.Errorf("Keys = %v, want an error saying the cache is released", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("Keys still waits after release")
		}
		if ok, failed := c.Fetches(); ok+failed != 0 {
			t.Errorf("Fetches() = %d, %d; a cancelled fetch counts as neither", ok, failed)
		}
	})
}

func TestJWKSPrivateKeyWarning(t *testing.T) {
	srv := idptest.NewKeyServer(t)
	keys := idptest.Keys()
	m := idptest.JWK("rsa", &keys.RSA.PublicKey)
	m["d"] = base64.RawURLEncoding.EncodeToString(keys.RSA.D.Bytes())
	srv.SetBody(idptest.Document(m))
	core, logs := observer.New(zapcore.WarnLevel)
	c := acquireTestJWKS(t, srv.URL, FetchOptions{FirstFetchDelay: time.Hour, Logger: zap.New(core)})
	k, ok, err := c.Lookup(testCtx(t), "rsa")
	if !ok || err != nil {
		t.Fatalf("Lookup(rsa) = %v, %v; want the key", ok, err)
	}
	if _, isPub := k.Key.(*rsa.PublicKey); !isPub {
		t.Errorf("key is %T, want *rsa.PublicKey", k.Key)
	}
	w := logs.FilterMessageSnippet("private keys").All()
	if len(w) != 1 || fmt.Sprint(w[0].ContextMap()["kids"]) != "[rsa]" {
		t.Errorf("warnings %v, want one naming kid rsa", logs.All())
	}
}

func BenchmarkJWKSLookupKnownKid(b *testing.B) {
	srv := idptest.NewKeyServer(b)
	c := acquireTestJWKS(b, srv.URL, FetchOptions{FirstFetchDelay: time.Hour})
	ctx := context.Background()
	if _, err := c.Keys(ctx); err != nil {
		b.Fatal(err)
	}
	var misses atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok, _ := c.Lookup(ctx, "ec"); !ok {
				misses.Add(1)
			}
		}
	})
	if misses.Load() > 0 {
		b.Fatalf("kid ec not found %d times", misses.Load())
	}
}
