package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Keys for the asymmetric presets' tests, generated once per test binary.
var (
	testRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	})
	testP256Key = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
	testP384Key = sync.OnceValue(func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
	testEd25519Key = sync.OnceValue(func() ed25519.PrivateKey {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	})
)

func mustAsym(t testing.TB, alg string, key crypto.Signer) Signer {
	t.Helper()
	s, err := NewAsymmetric(alg, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// goldenKey is golden for tokens signed with a private key: it mints, checks
// the signature with pub, and compares the whole header and payload (a
// UUIDv4 jti pinned to "JTI"), and exp - iat with the ttl.
func goldenKey(t *testing.T, tmpl *Template, in Input, pub crypto.PublicKey, wantHeader, wantPayload string) Minted {
	t.Helper()
	m, err := tmpl.Mint(now, in)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	h, p := verifyKey(t, m.Token, tmpl.Alg(), pub)
	if jti, ok := p["jti"].(string); ok && uuidRE.MatchString(jti) {
		p["jti"] = "JTI"
	}
	if want := mustJSON(t, wantHeader); !reflect.DeepEqual(h, want) {
		hj, _ := json.Marshal(h)
		t.Errorf("header:\n got %s\nwant %s", hj, wantHeader)
	}
	if want := mustJSON(t, wantPayload); !reflect.DeepEqual(p, want) {
		pj, _ := json.Marshal(p)
		t.Errorf("payload:\n got %s\nwant %s", pj, wantPayload)
	}
	exp, ok := p["exp"].(float64)
	if !ok {
		t.Fatalf("payload has no exp")
	}
	iat, ok := p["iat"].(float64)
	if !ok { // a preset whose tokens carry no iat: exp counts from the mint
		iat = float64(m.IssuedAt)
	}
	if got, want := time.Duration(exp-iat)*time.Second, tmpl.TTL(); got != want {
		t.Errorf("exp - iat = %s, want the ttl %s", got, want)
	}
	if int64(exp) != m.Expires {
		t.Errorf("Minted.Expires = %d, token exp = %d", m.Expires, int64(exp))
	}
	return m
}

// countingSigner counts signatures.
type countingSigner struct {
	Signer
	n atomic.Int64
}

func (c *countingSigner) Sign(dst, input []byte) ([]byte, error) {
	c.n.Add(1)
	return c.Signer.Sign(dst, input)
}

// jaasCacheConfig is a jaas route for the cache's tests and benchmarks.
func jaasCacheConfig(s Signer, cache bool) Config {
	return Config{Signer: s, CacheTokens: &cache,
		Header: map[string]string{"kid": "vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe/4f4910"},
		Claims: map[string][]string{"sub": {"vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe"}}}
}

func userOf(t *testing.T, tok string) any {
	t.Helper()
	_, p := verifyKey(t, tok, "RS256", testRSAKey().Public())
	return p["context"].(map[string]any)["user"].(map[string]any)["id"]
}

// cacheMinter mints jaas tokens for a user and room at a time.
func cacheMinter(t *testing.T, tmpl *Template) func(at time.Time, user, room string) Minted {
	return func(at time.Time, user, room string) Minted {
		t.Helper()
		m, err := tmpl.Mint(at, bodyInput(user, map[string]Value{"room": S(room)}))
		if err != nil {
			t.Fatalf("Mint: %v", err)
		}
		return m
	}
}

// TestTokenCacheSignsOncePerLifetime: repeat requests of one identity are
// signed once while more than half the token's life remains, then once
// more, and the renewed token is reused in turn.
func TestTokenCacheSignsOncePerLifetime(t *testing.T) {
	signer := &countingSigner{Signer: mustAsym(t, "RS256", testRSAKey())}
	tmpl := compile(t, "jaas", jaasCacheConfig(signer, true))
	mint := cacheMinter(t, tmpl)

	first := mint(now, "alice", "lobby")
	// iat = nbf = now - 10 s, exp = iat + 2h: the token is reused while
	// exp - t > 1h, that is up to now + 3589 s.
	for _, d := range []time.Duration{0, time.Second, 30 * time.Minute, 3589 * time.Second} {
		if m := mint(now.Add(d), "alice", "lobby"); m.Token != first.Token {
			t.Fatalf("at now+%s: a new token, want the cached one", d)
		}
	}
	if n := signer.n.Load(); n != 1 {
		t.Fatalf("signatures for 5 identical requests within half the lifetime: got %d, want 1", n)
	}
	renewed := mint(now.Add(3590*time.Second), "alice", "lobby")
	if renewed.Token == first.Token || signer.n.Load() != 2 {
		t.Fatalf("past half the lifetime: same token %v, signatures %d; want a new token, 2", renewed.Token == first.Token, signer.n.Load())
	}
	if renewed.IssuedAt != now.Unix()+3590-10 {
		t.Errorf("renewed iat = %d, want %d", renewed.IssuedAt, now.Unix()+3580)
	}
	for _, d := range []time.Duration{3600 * time.Second, 7179 * time.Second} {
		if m := mint(now.Add(d), "alice", "lobby"); m.Token != renewed.Token {
			t.Fatalf("at now+%s: want the renewed token from the cache", d)
		}
	}
	if n := signer.n.Load(); n != 2 {
		t.Fatalf("signatures over 7179 s of repeats: got %d, want 2", n)
	}
}

// TestTokenCacheKeepsIdentitiesApart: the cache never answers one user's
// request with another's token, nor one room's with another's.
func TestTokenCacheKeepsIdentitiesApart(t *testing.T) {
	signer := &countingSigner{Signer: mustAsym(t, "RS256", testRSAKey())}
	tmpl := compile(t, "jaas", jaasCacheConfig(signer, true))
	mint := cacheMinter(t, tmpl)
	tokens := map[string]string{}
	for i := range 20 {
		user := []string{"alice", "bob"}[i%2]
		m := mint(now.Add(time.Duration(i)*time.Second), user, "lobby")
		if got := userOf(t, m.Token); got != user {
			t.Fatalf("request %d for %s got a token for %v", i, user, got)
		}
		if m.User != user {
			t.Fatalf("request %d: Minted.User = %q, want %q", i, m.User, user)
		}
		if prev, ok := tokens[user]; ok && prev != m.Token {
			t.Fatalf("request %d for %s: a new token, want the cached one", i, user)
		}
		tokens[user] = m.Token
	}
	if tokens["alice"] == tokens["bob"] {
		t.Fatal("alice and bob share a token")
	}
	if n := signer.n.Load(); n != 2 {
		t.Fatalf("20 interleaved requests of 2 users: %d signatures, want 2", n)
	}
	if m := mint(now, "alice", "sales"); m.Token == tokens["alice"] {
		t.Fatal("a request for another room got the lobby token")
	}
	if n := tmpl.CachedTokens(); n != 3 {
		t.Errorf("cached tokens: got %d, want 3 (alice lobby, bob lobby, alice sales)", n)
	}
}

// TestTokenCacheOff: with CacheTokens false every request is signed.
func TestTokenCacheOff(t *testing.T) {
	signer := &countingSigner{Signer: mustAsym(t, "RS256", testRSAKey())}
	tmpl := compile(t, "jaas", jaasCacheConfig(signer, false))
	seen := map[string]bool{}
	for range 3 {
		m, err := tmpl.Mint(now, bodyInput("alice", nil))
		if err != nil {
			t.Fatal(err)
		}
		seen[m.Token] = true
	}
	if n := signer.n.Load(); n != 3 || tmpl.CachedTokens() != 0 {
		t.Fatalf("uncached: %d signatures, %d cached; want 3, 0", n, tmpl.CachedTokens())
	}
	// PKCS #1 v1.5 is deterministic: same claims, same time, same token.
	if len(seen) != 1 {
		t.Errorf("%d distinct tokens for identical requests at one instant, want 1", len(seen))
	}
}

// The cache is on by default for asymmetric signers and off for HMAC.
func TestTokenCacheDefault(t *testing.T) {
	asym := compile(t, "centrifugo", Config{Signer: mustAsym(t, "ES256", testP256Key())})
	hmac := compile(t, "centrifugo", Config{Signer: mustHMAC(t, "HS256", testSecret)})
	for _, tmpl := range []*Template{asym, hmac} {
		if _, err := tmpl.Mint(now, Input{User: "alice"}); err != nil {
			t.Fatal(err)
		}
	}
	if asym.CachedTokens() != 1 || hmac.CachedTokens() != 0 {
		t.Errorf("cached tokens: ES256 %d, HS256 %d; want 1, 0", asym.CachedTokens(), hmac.CachedTokens())
	}
}

// BenchmarkAsymCache: an RS256 preset (jaas) answering repeat requests of
// one identity, from the minted-token cache and with the cache off.
func BenchmarkAsymCache(b *testing.B) {
	in := bodyInput("alice", map[string]Value{"room": S("lobby"), "name": S("Alice")})
	for _, cached := range []bool{true, false} {
		name := map[bool]string{true: "cached", false: "uncached"}[cached]
		b.Run(name, func(b *testing.B) {
			tmpl := compile(b, "jaas", jaasCacheConfig(mustAsym(b, "RS256", testRSAKey()), cached))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tmpl.Mint(now, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAsymCacheSideBySide interleaves blocks of cached and uncached
// mints on the same machine and reports both per-mint times on one line.
func BenchmarkAsymCacheSideBySide(b *testing.B) {
	in := bodyInput("alice", map[string]Value{"room": S("lobby"), "name": S("Alice")})
	key := testRSAKey()
	cached := compile(b, "jaas", jaasCacheConfig(mustAsym(b, "RS256", key), true))
	uncached := compile(b, "jaas", jaasCacheConfig(mustAsym(b, "RS256", key), false))
	const block = 8
	var tCached, tUncached time.Duration
	ops := 0
	for b.Loop() {
		t0 := time.Now()
		for range block {
			if _, err := cached.Mint(now, in); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for range block {
			if _, err := uncached.Mint(now, in); err != nil {
				b.Fatal(err)
			}
		}
		tCached += t1.Sub(t0)
		tUncached += time.Since(t1)
		ops += block
	}
	b.ReportMetric(float64(tCached.Nanoseconds())/float64(ops), "cached-ns/op")
	b.ReportMetric(float64(tUncached.Nanoseconds())/float64(ops), "uncached-ns/op")
	b.ReportMetric(float64(tUncached)/float64(tCached), "speedup")
}
