package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ringOf builds a ring of ES256 keys that sign from the given times.
func ringOf(t testing.TB, from ...time.Time) (*Ring, []*Key) {
	t.Helper()
	r := NewRing("ES256")
	var rk []RingKey
	var ks []*Key
	for i, f := range from {
		k := &Key{KID: "key-" + string(rune('a'+i)), Signer: mustAsym(t, "ES256", testP256Keys(i))}
		ks = append(ks, k)
		rk = append(rk, RingKey{Key: k, SignsFrom: f})
	}
	if err := r.Set(rk); err != nil {
		t.Fatal(err)
	}
	return r, ks
}

// p256Keys are three distinct P-256 keys, made once per test binary.
var p256Keys = sync.OnceValue(func() []crypto.Signer {
	ks := []crypto.Signer{testP256Key()}
	for range 2 {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		ks = append(ks, k)
	}
	return ks
})

func testP256Keys(i int) crypto.Signer { return p256Keys()[i] }

// verifyAt verifies tok as ES256 with pub at the time at and returns its
// header and claims.
func verifyAt(t *testing.T, tok string, pub crypto.PublicKey, at time.Time) (map[string]any, jwt.MapClaims) {
	t.Helper()
	var c jwt.MapClaims
	parsed, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(func() time.Time { return at }), jwt.WithExpirationRequired())
	if err != nil {
		t.Fatalf("token does not verify with the expected key: %v", err)
	}
	return parsed.Header, c
}

func TestRingSignerFollowsTimeline(t *testing.T) {
	t0 := now
	r, ks := ringOf(t, t0.Add(10*time.Minute), t0) // given out of order
	for _, tc := range []struct {
		at   time.Time
		want *Key
	}{
		{t0.Add(-time.Nanosecond), nil},
		{t0, ks[1]},
		{t0.Add(10*time.Minute - time.Nanosecond), ks[1]},
		{t0.Add(10 * time.Minute), ks[0]},
		{t0.Add(1000 * time.Hour), ks[0]},
	} {
		if got := r.SigningKey(tc.at); got != tc.want {
			t.Errorf("SigningKey(t0%+v) = %v, want %v", tc.at.Sub(t0), got, tc.want)
		}
	}
	if NewRing("ES256").SigningKey(t0) != nil {
		t.Error("an empty ring gives a key")
	}
}

func TestRingSetRefuses(t *testing.T) {
	es := mustAsym(t, "ES256", testP256Key())
	rs := mustAsym(t, "RS256", testRSAKey())
	for name, keys := range map[string][]RingKey{
		"another algorithm": {{Key: &Key{KID: "a", Signer: rs}}},
		"no kid":            {{Key: &Key{Signer: es}}},
		"a kid twice":       {{Key: &Key{KID: "a", Signer: es}}, {Key: &Key{KID: "a", Signer: es}}},
		"no signer":         {{Key: &Key{KID: "a"}}},
		"a control char":    {{Key: &Key{KID: "a\nb", Signer: es}}},
	} {
		if err := NewRing("ES256").Set(keys); err == nil {
			t.Errorf("%s: Set accepted it", name)
		}
	}
}

// A template on a ring signs with the key that signs at the mint's time and
// names it in the header's kid, and nothing else.
func TestRingTemplateKID(t *testing.T) {
	t0 := now
	r, ks := ringOf(t, t0, t0.Add(time.Hour))
	off := false
	tmpl := compile(t, "jwt", Config{Keys: r, CacheTokens: &off, Header: map[string]string{"typ": "at+jwt"},
		Claims: map[string][]string{"sub": {"alice"}}})
	if tmpl.Alg() != "ES256" {
		t.Fatalf("Alg = %s, want the ring's ES256", tmpl.Alg())
	}
	for _, tc := range []struct {
		at  time.Time
		key int
	}{{t0, 0}, {t0.Add(59 * time.Minute), 0}, {t0.Add(time.Hour), 1}, {t0.Add(2 * time.Hour), 1}} {
		m, err := tmpl.Mint(tc.at, Input{User: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		h, c := verifyAt(t, m.Token, ks[tc.key].Signer.(*asymSigner).key.Public(), tc.at)
		want := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": ks[tc.key].KID}
		if len(h) != len(want) || h["alg"] != want["alg"] || h["typ"] != want["typ"] || h["kid"] != want["kid"] {
			t.Errorf("at t0+%s: header %v, want %v", tc.at.Sub(t0), h, want)
		}
		if m.KID != ks[tc.key].KID || c["sub"] != "alice" {
			t.Errorf("at t0+%s: Minted.KID %q, sub %v; want %q, alice", tc.at.Sub(t0), m.KID, c["sub"], ks[tc.key].KID)
		}
	}
	// Before any key signs: 503, no token.
	if _, err := tmpl.Mint(t0.Add(-time.Second), Input{User: "alice"}); err == nil || err.Status != 503 {
		t.Errorf("mint before the first key signs: %v, want a 503", err)
	}
}

// TestTokenCacheRotation: once the ring's signer changes, no cached token of
// the previous key is served, for any identity; the new key's tokens are
// cached in turn, and the cache holds none of the old key's.
func TestTokenCacheRotation(t *testing.T) {
	t0 := now
	r, ks := ringOf(t, t0, t0.Add(10*time.Minute))
	counting := []*countingSigner{{Signer: ks[0].Signer}, {Signer: ks[1].Signer}}
	ks[0].Signer, ks[1].Signer = counting[0], counting[1]
	on := true
	tmpl := compile(t, "jwt", Config{Keys: r, CacheTokens: &on, TTL: time.Hour,
		Claims: map[string][]string{"sub": {"{user}"}}})
	mint := func(at time.Time, user string) Minted {
		t.Helper()
		m, err := tmpl.Mint(at, Input{User: user, Request: &fakeRequest{vars: map[string]string{"user": user}}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := map[string]Minted{}
	for _, u := range []string{"alice", "bob", "carol"} {
		before[u] = mint(t0, u)
		if again := mint(t0.Add(time.Minute), u); again.Token != before[u].Token {
			t.Fatalf("%s: a second token within the first key's time, want the cached one", u)
		}
	}
	if n := counting[0].n.Load(); n != 3 || tmpl.CachedTokens() != 3 {
		t.Fatalf("before rotation: %d signatures, %d cached; want 3, 3", n, tmpl.CachedTokens())
	}
	// The second key signs from t0+10m: every request gets its token,
	// though the first key's tokens have 50 of their 60 minutes left.
	at := t0.Add(10 * time.Minute)
	for _, u := range []string{"alice", "bob", "carol", "alice"} {
		m := mint(at, u)
		if m.Token == before[u].Token || m.KID != ks[1].KID {
			t.Fatalf("%s after rotation: cached %v, kid %q; want a new token of %q", u, m.Token == before[u].Token, m.KID, ks[1].KID)
		}
		if h := segmentHeader(t, m.Token); h != ks[1].KID {
			t.Fatalf("%s after rotation: header kid %q, want %q", u, h, ks[1].KID)
		}
	}
	if n0, n1 := counting[0].n.Load(), counting[1].n.Load(); n0 != 3 || n1 != 3 {
		t.Fatalf("signatures: first key %d, second %d; want 3, 3 (alice's repeat from the cache)", n0, n1)
	}
	if n := tmpl.CachedTokens(); n != 3 {
		t.Fatalf("cached tokens after rotation: %d, want 3 (the first key's dropped)", n)
	}

	// A ring whose keys are replaced (the first key removed) behaves the
	// same: no token of a key that is gone.
	k3 := &Key{KID: "key-c", Signer: mustAsym(t, "ES256", testP256Keys(2))}
	if err := r.Set([]RingKey{{Key: k3, SignsFrom: t0}}); err != nil {
		t.Fatal(err)
	}
	if m := mint(at.Add(time.Second), "alice"); m.KID != "key-c" || segmentHeader(t, m.Token) != "key-c" {
		t.Fatalf("after Set: kid %q, want key-c", m.KID)
	}
}

func segmentHeader(t *testing.T, tok string) string {
	t.Helper()
	tk, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := tk.Header["kid"].(string)
	return kid
}

func TestRingCompileErrors(t *testing.T) {
	r, _ := ringOf(t, now)
	for _, tc := range []struct {
		preset string
		cfg    Config
		want   string
	}{
		{"jwt", Config{Keys: r, Header: map[string]string{"kid": "mine"}}, "kid comes from the key ring"},
		{"jwt", Config{Keys: r, Signer: mustHMAC(t, "HS256", testSecret)}, "not both"},
		{"jaas", Config{Keys: r}, "signed with RS256, not ES256"},
		{"livekit", Config{Keys: r, Key: "APIkey"}, "not ES256"},
	} {
		p, _ := Lookup(tc.preset)
		_, err := Compile(p, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.preset, err, tc.want)
		}
	}
	// jaas requires a kid; a ring provides it.
	rs := NewRing("RS256")
	if err := rs.Set([]RingKey{{Key: &Key{KID: "vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe/ring", Signer: mustAsym(t, "RS256", testRSAKey())}}}); err != nil {
		t.Fatal(err)
	}
	tmpl := compile(t, "jaas", Config{Keys: rs, Claims: map[string][]string{"sub": {"vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe"}}})
	m, err := tmpl.Mint(now, bodyInput("alice", nil))
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := verifyKey(t, m.Token, "RS256", testRSAKey().Public()); h["kid"] != "vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe/ring" {
		t.Errorf("jaas kid = %v, want the ring key's", h["kid"])
	}
}

// A cached mint through a ring allocates no more than through a fixed
// signer.
func TestRingCachedMintAllocs(t *testing.T) {
	r, ks := ringOf(t, now)
	on := true
	claims := map[string][]string{"sub": {"alice"}, "role": {"reader"}}
	ring := compile(t, "jwt", Config{Keys: r, CacheTokens: &on, Claims: claims})
	fixed := compile(t, "jwt", Config{Signer: ks[0].Signer, CacheTokens: &on, Claims: claims})
	in := Input{User: "alice"}
	count := func(tmpl *Template) float64 {
		if _, err := tmpl.Mint(now, in); err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(200, func() {
			if _, err := tmpl.Mint(now, in); err != nil {
				t.Fatal(err)
			}
		})
	}
	if a, b := count(ring), count(fixed); a > b {
		t.Errorf("cached mint allocations: ring %.0f, fixed signer %.0f", a, b)
	}
}

// BenchmarkRingCache: ES256 through a key ring, cached and uncached.
func BenchmarkRingCache(b *testing.B) {
	r, _ := ringOf(b, now)
	for _, cached := range []bool{true, false} {
		b.Run(map[bool]string{true: "cached", false: "uncached"}[cached], func(b *testing.B) {
			tmpl := compile(b, "jwt", Config{Keys: r, CacheTokens: &cached, Claims: map[string][]string{"sub": {"alice"}}})
			in := Input{User: "alice"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tmpl.Mint(now, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
