package caddymodule

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/go-jose/go-jose/v4"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// seedKey is a key to put in a ring's storage before Caddy starts.
type seedKey struct {
	signsFrom, retiresAt time.Time
}

// seedRing writes generated keys and their index into file-system storage
// dir, as an earlier run would have, and returns their kids.
func seedRing(t *testing.T, dir, ring, alg string, seeds ...seedKey) []string {
	t.Helper()
	folder := filepath.Join(dir, "tokenmint", "keyrings", ring, alg)
	if err := os.MkdirAll(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	idx := ringIndex{Ring: ring, Algorithm: alg}
	var kids []string
	for _, s := range seeds {
		priv, err := keys.Generate(alg)
		if err != nil {
			t.Fatal(err)
		}
		kid, _ := keys.Thumbprint(priv.Public())
		text, _ := keys.MarshalPrivate(priv)
		if err := os.WriteFile(filepath.Join(folder, kid+".pem"), text, 0o600); err != nil {
			t.Fatal(err)
		}
		idx.Keys = append(idx.Keys, keyRecord{KID: kid, Created: s.signsFrom.Add(-time.Hour), SignsFrom: s.signsFrom, RetiresAt: s.retiresAt})
		kids = append(kids, kid)
	}
	text, _ := json.Marshal(idx)
	if err := os.WriteFile(filepath.Join(folder, "index.json"), text, 0o600); err != nil {
		t.Fatal(err)
	}
	return kids
}

// ringSite is one auto ring of rotation rotate in storage dir, a jwt route
// (ttl 10m, cached tokens) on / and the JWKS.
func ringSite(dir, rotate string) (string, string) {
	return `	storage file_system ` + dir + `
	provider_token_keys {
		ring r {
			auto ES256 {
				rotate ` + rotate + `
			}
		}
	}
`, `
http://localhost:9080 {
	handle /.well-known/* {
		provider_token_jwks r
	}
	handle {
		provider_token jwt {
			keyring r
			claim sub alice
			session anonymous
			ttl 10m
		}
	}
}
`
}

// near fails unless got is within a few seconds of want.
func near(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if d := got.Sub(want); d < -5*time.Second || d > 5*time.Second {
		t.Errorf("%s = %s, want about %s", what, got.UTC(), want.UTC())
	}
}

// TestKeyringRestartKeepsKeys: a config that loads a ring from storage,
// whether a reload of the same config, a changed rotation (another ring
// object, read from storage) or a restart, signs with the stored key and
// generates none.
func TestKeyringRestartKeepsKeys(t *testing.T) {
	dir := t.TempDir()
	g, s := ringSite(dir, "30d")
	tester := serveWith(t, g, s)
	first := segment(t, call(t, tester, "GET", "/", "").json(t)["token"].(string), 0)["kid"]
	for _, rotate := range []string{"30d", "60d", "45d"} {
		g, s := ringSite(dir, rotate)
		tester = serveWith(t, g, s)
		tok := call(t, tester, "GET", "/", "").json(t)["token"].(string)
		if kid := segment(t, tok, 0)["kid"]; kid != first {
			t.Fatalf("after loading rotate %s: kid %v, want the stored %v", rotate, kid, first)
		}
		set, _ := fetchJWKS(t, tester, "/.well-known/jwks.json")
		verifyByJWKS(t, set, tok)
		if n := len(readIndex(t, dir, "r", "ES256").Keys); n != 1 {
			t.Fatalf("after loading rotate %s: %d keys in storage, want 1", rotate, n)
		}
	}
}

// TestKeyringOverdueRotation: a ring whose next key is overdue (Caddy was
// down) gets it at start, announced for the announce period (3d of 30d)
// while the old key signs; then the new key signs (the handler's clock
// moved), no cached token of the old key is served, and both stay
// published.
func TestKeyringOverdueRotation(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	old := seedRing(t, dir, "r", "ES256", seedKey{signsFrom: start.Add(-29*24*time.Hour - 12*time.Hour)})[0]
	g, s := ringSite(dir, "30d")
	tester := serveWith(t, g, s)

	before := call(t, tester, "GET", "/", "").json(t)["token"].(string)
	idx := readIndex(t, dir, "r", "ES256")
	if len(idx.Keys) != 2 || idx.Keys[0].KID != old {
		t.Fatalf("storage holds %+v, want the old key and one new one", idx.Keys)
	}
	next := idx.Keys[1]
	near(t, "the new key's signs_from", next.SignsFrom, start.Add(3*24*time.Hour))
	near(t, "the new key's created", next.Created, start)
	// retires_at = successor's signs_from + the route's ttl (10m) + announce (3d)
	near(t, "the old key's retires_at", idx.Keys[0].RetiresAt, next.SignsFrom.Add(10*time.Minute+3*24*time.Hour))
	if h := segment(t, before, 0); h["kid"] != old {
		t.Fatalf("during the announce period the token's kid is %v, want the old key's %s", h["kid"], old)
	}
	set, _ := fetchJWKS(t, tester, "/.well-known/jwks.json")
	if len(set.Keys) != 2 || len(set.Key(next.KID)) != 1 {
		t.Fatalf("the JWKS has %d keys, want the old and the announced one", len(set.Keys))
	}
	verifyByJWKS(t, set, before)
	if again := call(t, tester, "GET", "/", "").json(t)["token"].(string); again != before {
		t.Fatal("a repeat request got a new token; want the cached one")
	}

	// Past the new key's signs_from, its tokens; the cache does not answer
	// with the old key's token, which has most of its 10 minutes left.
	shifted := next.SignsFrom.Add(time.Second)
	orig := now
	now = func() time.Time { return shifted }
	t.Cleanup(func() { now = orig })
	after := call(t, tester, "GET", "/", "").json(t)["token"].(string)
	if h := segment(t, after, 0); h["kid"] != next.KID {
		t.Fatalf("after signs_from the token's kid is %v, want the new key's %s", h["kid"], next.KID)
	}
	set, _ = fetchJWKS(t, tester, "/.well-known/jwks.json")
	if len(set.Keys) != 2 {
		t.Fatalf("after the switch the JWKS has %d keys, want both (the old key's tokens are still valid)", len(set.Keys))
	}
	if _, c := verifyByJWKS(t, set, after); int64(c["iat"].(float64)) != shifted.Unix() {
		t.Errorf("iat = %v, want the shifted clock's %d", c["iat"], shifted.Unix())
	}
}

// TestKeyringRetiredKeyLeaves: a key past its retires_at leaves the JWKS,
// the index and storage.
func TestKeyringRetiredKeyLeaves(t *testing.T) {
	dir := t.TempDir()
	nowT := time.Now()
	kids := seedRing(t, dir, "r", "ES256",
		seedKey{signsFrom: nowT.Add(-40 * 24 * time.Hour), retiresAt: nowT.Add(-5 * 24 * time.Hour)},
		seedKey{signsFrom: nowT.Add(-10 * 24 * time.Hour)})
	g, s := ringSite(dir, "30d")
	tester := serveWith(t, g, s)
	tok := call(t, tester, "GET", "/", "").json(t)["token"].(string)
	if kid := segment(t, tok, 0)["kid"]; kid != kids[1] {
		t.Fatalf("kid %v, want the current key's %s", kid, kids[1])
	}
	set, _ := fetchJWKS(t, tester, "/.well-known/jwks.json")
	if len(set.Keys) != 1 || set.Keys[0].KeyID != kids[1] {
		t.Fatalf("the JWKS has %d keys, want only the current one", len(set.Keys))
	}
	idx := readIndex(t, dir, "r", "ES256")
	if len(idx.Keys) != 1 || idx.Keys[0].KID != kids[1] {
		t.Fatalf("the index holds %+v, want only the current key", idx.Keys)
	}
	if _, err := os.Stat(filepath.Join(dir, "tokenmint", "keyrings", "r", "ES256", kids[0]+".pem")); err == nil {
		t.Fatal("the retired key's PEM is still in storage")
	}
}

// TestAutoRingOneGeneratorPerKey: rings of two "instances" (two ring
// objects on one storage folder, as two processes would have) that find a
// key due at the same moment make one key between them, and both load it;
// again when the next one is due.
func TestAutoRingOneGeneratorPerKey(t *testing.T) {
	storage := &certmagic.FileStorage{Path: t.TempDir()}
	cfg := &AutoKeys{Algorithm: "EdDSA", Rotate: 0}
	a, b := newAutoRing(storage, "r", cfg), newAutoRing(storage, "r", cfg)
	a.useTTL(time.Hour)
	b.useTTL(2 * time.Hour)
	clock := time.Now()
	seen := map[string]bool{}
	for round := 1; round <= 3; round++ {
		a.now = func() time.Time { return clock }
		b.now = a.now
		var wg sync.WaitGroup
		for _, r := range []*autoRing{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.maintain(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		idx, err := a.loadIndex(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var fresh []string
		for _, k := range idx.Keys {
			if !seen[k.KID] {
				fresh = append(fresh, k.KID)
				seen[k.KID] = true
			}
		}
		if len(fresh) != 1 {
			t.Fatalf("round %d: %d new keys in storage, want 1", round, len(fresh))
		}
		n := len(idx.Keys)
		newest := idx.Keys[n-1].KID
		for name, r := range map[string]*autoRing{"a": a, "b": b} {
			if ks := r.keys(); len(ks) != n || ks[n-1].kid != newest {
				t.Fatalf("round %d: ring %s holds %d keys, want %d ending with %s", round, name, len(ks), n, newest)
			}
		}
		if round > 1 {
			// The predecessor retires after the new key's signs_from plus
			// the longest ttl either instance knows (2h) plus announce
			// (3d); the one before it has retired and left.
			if n != 2 {
				t.Fatalf("round %d: %d keys in storage, want the current and the new one", round, n)
			}
			prev, cur := idx.Keys[0], idx.Keys[1]
			if want := cur.SignsFrom.Add(2*time.Hour + 3*24*time.Hour); !prev.RetiresAt.Equal(want) {
				t.Errorf("round %d: retires_at %s, want %s", round, prev.RetiresAt, want)
			}
			if want := prev.SignsFrom.Add(DefaultRotate); !cur.SignsFrom.Equal(want) {
				t.Errorf("round %d: signs_from %s, want the predecessor's + 30d = %s", round, cur.SignsFrom, want)
			}
		}
		// The next key is due 27 days after the newest starts signing.
		clock = idx.Keys[n-1].SignsFrom.Add(27 * 24 * time.Hour)
	}
}

// TestKeysCommand: `caddy provider-token keys` reads the config's storage as
// the server does: it lists each ring's keys with their timeline and
// state, and prints the JWKS the server serves.
func TestKeysCommand(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	old := seedRing(t, dir, "r", "ES256", seedKey{signsFrom: start.Add(-29*24*time.Hour - 12*time.Hour)})[0]
	pemPath := writePrivatePEM(t, mustRSA(t))
	g, s := ringSite(dir, "30d")
	g = strings.Replace(g, "\t\tring r {", "\t\tring p {\n\t\t\tkey "+pemPath+" p-1\n\t\t}\n\t\tring unused {\n\t\t\tauto EdDSA\n\t\t}\n\t\tring r {", 1)
	tester := serveWith(t, g, s)
	served, _ := fetchJWKS(t, tester, "/.well-known/jwks.json")
	next := readIndex(t, dir, "r", "ES256").Keys[1]

	file := filepath.Join(t.TempDir(), "Caddyfile")
	if err := os.WriteFile(file, []byte(withPorts(withGlobals(g)+s)), 0o600); err != nil {
		t.Fatal(err)
	}
	res := cliRun(t, "", "keys", "--config", file, "--adapter", "caddyfile")
	if res.err != nil {
		t.Fatalf("keys: %v\n%s", res.err, res.stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`ring p: PEM keys, RS256 \(JWKS max-age 1h0m0s\)\n\s+KID\s+ALG\s+CREATED\s+SIGNS FROM\s+RETIRES AT\s+STATE\n\s+p-1\s+RS256\s+-\s+-\s+-\s+signing\n`),
		regexp.MustCompile(`ring r: auto ES256, rotate 30d \(announce 3d, JWKS max-age 1h0m0s\), in ` + regexp.QuoteMeta(dir) + `\n`),
		regexp.MustCompile(`\n\s+` + old + `\s+ES256\s+\S+Z\s+\S+Z\s+` + regexp.QuoteMeta(next.SignsFrom.Add(10*time.Minute+3*24*time.Hour).UTC().Format(time.RFC3339)) + `\s+signing\n`),
		regexp.MustCompile(`\n\s+` + next.KID + `\s+ES256\s+` + regexp.QuoteMeta(next.Created.UTC().Format(time.RFC3339)) + `\s+` + regexp.QuoteMeta(next.SignsFrom.UTC().Format(time.RFC3339)) + `\s+-\s+announced\n`),
		regexp.MustCompile(`ring unused: auto EdDSA, rotate 30d \(announce 3d, JWKS max-age 1h0m0s\), in .*\n\s+no keys yet`),
	} {
		if !want.MatchString(res.stdout) {
			t.Errorf("keys output does not match %s:\n%s", want, res.stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tokenmint", "keyrings", "unused")); err == nil {
		t.Error("keys made the unused ring's folder; it must change nothing")
	}

	t.Logf("keys:\n%s", res.stdout)
	res = cliRun(t, "", "keys", "r", "--jwks", "--config", file, "--adapter", "caddyfile")
	if res.err != nil {
		t.Fatalf("keys --jwks: %v\n%s", res.err, res.stderr)
	}
	var printed, servedOnlyR jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(res.stdout), &printed); err != nil {
		t.Fatalf("keys --jwks printed no JWKS: %v\n%s", err, res.stdout)
	}
	for _, k := range served.Keys {
		if k.KeyID != "p-1" {
			servedOnlyR.Keys = append(servedOnlyR.Keys, k)
		}
	}
	a, _ := json.Marshal(printed)
	b, _ := json.Marshal(servedOnlyR)
	if string(a) != string(b) || len(printed.Keys) != 2 {
		t.Errorf("keys --jwks printed\n%s\nthe server serves ring r's\n%s", a, b)
	}
	if strings.Contains(res.stdout, `"d"`) {
		t.Errorf("keys --jwks printed a private member:\n%s", res.stdout)
	}

	res = cliRun(t, "", "keys", "nope", "--config", file, "--adapter", "caddyfile")
	if res.err == nil || !strings.Contains(res.err.Error(), `no ring "nope"; the rings are: p, r, unused`) {
		t.Errorf("keys nope: %v", res.err)
	}
}
