package caddymodule

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// instanceConfig is one Caddy of the multi-instance test: an auto ES256
// ring rotating every minute (the shortest rotation: announce 6 s, JWKS
// max-age 1 s) in the shared storage folder, its JWKS, and two jwt routes
// (ttl 2m), one with the token cache (the default) and one without.
func instanceConfig(storage, port string) string {
	return `{
	admin off
	auto_https off
	grace_period 1s
	storage file_system ` + storage + `
	log {
		output stderr
		level INFO
		format json
	}
	provider_token_keys {
		ring r {
			auto ES256 {
				rotate 1m
			}
		}
	}
}

http://127.0.0.1:` + port + ` {
	handle /.well-known/* {
		provider_token_jwks r
	}
	handle /cached {
		provider_token jwt {
			keyring r
			claim sub alice
			session anonymous
			ttl 2m
		}
	}
	handle /fresh {
		provider_token jwt {
			keyring r
			claim sub {query.user}
			session anonymous
			ttl 2m
			cache_tokens off
		}
	}
}
`
}

// instance is a running Caddy process.
type instance struct {
	name, url string
	cmd       *exec.Cmd
	stderr    bytes.Buffer
	done      chan error
	stopOnce  sync.Once
}

func startInstance(t *testing.T, bin, name, storage, port string) *instance {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(file, []byte(instanceConfig(storage, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	in := &instance{name: name, url: "http://127.0.0.1:" + port, done: make(chan error, 1)}
	in.cmd = exec.Command(bin, "run", "--config", file, "--adapter", "caddyfile")
	in.cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	in.cmd.Stderr = &syncWriter{w: &in.stderr}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.done <- in.cmd.Wait() }()
	t.Cleanup(func() { in.stop(t) })
	return in
}

func (in *instance) stop(t *testing.T) {
	in.stopOnce.Do(func() {
		_ = in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.done:
		case <-time.After(15 * time.Second):
			_ = in.cmd.Process.Kill()
			<-in.done
			t.Errorf("%s did not stop on SIGTERM", in.name)
		}
	})
}

// syncWriter serializes writes into a buffer read by the test.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func (in *instance) log() string { return in.cmd.Stderr.(*syncWriter).String() }

// fetchedJWKS is a key set as a verifier holds it: the keys, when it was
// fetched, and how long it may be kept (Cache-Control max-age).
type fetchedJWKS struct {
	set     jose.JSONWebKeySet
	kids    []string
	at      time.Time
	maxAge  time.Duration
	rawKeys string
}

var maxAgeRE = regexp.MustCompile(`max-age=(\d+)`)

func getJWKS(client *http.Client, url string) (*fetchedJWKS, error) {
	res, err := client.Get(url + "/.well-known/jwks.json")
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return nil, fmt.Errorf("JWKS: HTTP %d %s", res.StatusCode, body)
	}
	m := maxAgeRE.FindStringSubmatch(res.Header.Get("Cache-Control"))
	if m == nil {
		return nil, fmt.Errorf("JWKS Cache-Control %q has no max-age", res.Header.Get("Cache-Control"))
	}
	secs, _ := strconv.Atoi(m[1])
	f := &fetchedJWKS{at: time.Now(), maxAge: time.Duration(secs) * time.Second, rawKeys: string(body)}
	if err := json.Unmarshal(body, &f.set); err != nil {
		return nil, err
	}
	for _, k := range f.set.Keys {
		f.kids = append(f.kids, k.KeyID)
	}
	slices.Sort(f.kids)
	return f, nil
}

func getToken(client *http.Client, url string) (string, error) {
	res, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return "", fmt.Errorf("HTTP %d %s", res.StatusCode, body)
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Token == "" {
		return "", fmt.Errorf("no token in %s", body)
	}
	return v.Token, nil
}

// verifyWith checks tok against a fetched key set: its kid must be there,
// and its key must verify it (ES256 only).
func verifyWith(f *fetchedJWKS, tok string) (string, error) {
	var kid string
	_, err := jwt.Parse(tok, func(tk *jwt.Token) (any, error) {
		kid, _ = tk.Header["kid"].(string)
		found := f.set.Key(kid)
		if len(found) != 1 {
			return nil, fmt.Errorf("kid %q is not in the JWKS fetched %s before (%v)", kid, time.Since(f.at).Round(time.Millisecond), f.kids)
		}
		return found[0].Key, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithExpirationRequired())
	return kid, err
}

// TestMultiInstance starts two real Caddy processes (the built ./caddy) on
// one storage folder and an auto ring rotating every minute: both serve
// the same JWKS, a token of one verifies through the other's JWKS, and
// under load from both, through a rotation, no request fails, every token's
// kid is in the JWKS its verifier fetched before it (kept for the JWKS's
// max-age, as a caching verifier does), and each key is generated once.
//
// It needs the binary: TOKENMINT_CADDY_BINARY=$PWD/caddy (.ci/issuer-test
// sets it after ./xcaddy.sh build). It takes a little over a minute.
func TestMultiInstance(t *testing.T) {
	bin := os.Getenv("TOKENMINT_CADDY_BINARY")
	if bin == "" {
		t.Skip("TOKENMINT_CADDY_BINARY is not set: .ci/issuer-test runs this test with the built ./caddy")
	}
	storage := t.TempDir()
	// Both start at once: they race for the ring's first key.
	a := startInstance(t, bin, "A", storage, httpPort)
	b := startInstance(t, bin, "B", storage, httpsPort)
	instances := []*instance{a, b}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, in := range instances {
		eventually(t, in.name+" to serve its JWKS", func() bool {
			_, err := getJWKS(client, in.url)
			return err == nil
		})
	}
	start := time.Now()

	// Both serve the same JWKS; a token of each verifies through the
	// other's.
	ja, err := getJWKS(client, a.url)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := getJWKS(client, b.url)
	if err != nil {
		t.Fatal(err)
	}
	if ja.rawKeys != jb.rawKeys || len(ja.kids) != 1 {
		t.Fatalf("the instances serve different JWKS or not one key:\nA %s\nB %s", ja.rawKeys, jb.rawKeys)
	}
	if ja.maxAge != time.Second {
		t.Fatalf("JWKS max-age %s, want 1s (a quarter of the 6s announce period)", ja.maxAge)
	}
	for _, pair := range [][2]*instance{{a, b}, {b, a}} {
		tok, err := getToken(client, pair[0].url+"/fresh?user=x")
		if err != nil {
			t.Fatal(err)
		}
		j, _ := getJWKS(client, pair[1].url)
		if _, err := verifyWith(j, tok); err != nil {
			t.Fatalf("a token of %s does not verify through %s's JWKS: %v", pair[0].name, pair[1].name, err)
		}
	}
	first := ja.kids[0]

	// Load from both instances until both sign with the next key, and 5 s
	// more. Each worker is a caching verifier of one instance's JWKS,
	// minting at both.
	var (
		requests, failures atomic.Int64
		mu                 sync.Mutex
		problems           []string
		kidsSeen           = map[string]map[string]bool{"A": {}, "B": {}}
	)
	problem := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 20 {
			problems = append(problems, s)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	switchedAt := time.Time{}
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			verifierOf := instances[w%2]
			var cache *fetchedJWKS
			for i := 0; ctx.Err() == nil; i++ {
				if cache == nil || time.Since(cache.at) >= cache.maxAge {
					f, err := getJWKS(client, verifierOf.url)
					if err != nil {
						failures.Add(1)
						problem("JWKS of " + verifierOf.name + ": " + err.Error())
						continue
					}
					cache = f
				}
				minter := instances[(w/2+i)%2]
				path := "/cached"
				if i%2 == 1 {
					path = "/fresh?user=u" + strconv.Itoa(w)
				}
				requests.Add(1)
				tok, err := getToken(client, minter.url+path)
				if err != nil {
					failures.Add(1)
					problem(minter.name + path + ": " + err.Error())
					continue
				}
				kid, err := verifyWith(cache, tok)
				if err != nil {
					failures.Add(1)
					problem(fmt.Sprintf("a token of %s%s against %s's JWKS: %v", minter.name, path, verifierOf.name, err))
					continue
				}
				mu.Lock()
				kidsSeen[minter.name][kid] = true
				both := len(kidsSeen["A"]) >= 2 && len(kidsSeen["B"]) >= 2
				if both && switchedAt.IsZero() {
					switchedAt = time.Now()
				}
				done := !switchedAt.IsZero() && time.Since(switchedAt) > 5*time.Second
				mu.Unlock()
				if done {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("load: %d requests in %s from 6 verifiers, %d failed; both instances signed with the next key %s after start",
		requests.Load(), time.Since(start).Round(time.Second), failures.Load(), switchedAt.Sub(start).Round(time.Second))
	for _, p := range problems {
		t.Error(p)
	}
	if switchedAt.IsZero() {
		t.Fatalf("the instances did not both switch to a new key within 150 s (kids seen: %v)", kidsSeen)
	}

	// Storage and logs: one key generated per rotation, by one instance.
	idx := readIndex(t, storage, "r", "ES256")
	for _, in := range instances {
		in.stop(t)
	}
	generated := map[string][]string{}
	for _, in := range instances {
		sc := bufio.NewScanner(strings.NewReader(in.log()))
		for sc.Scan() {
			var line struct {
				Msg string `json:"msg"`
				KID string `json:"kid"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "generated a signing key" {
				generated[line.KID] = append(generated[line.KID], in.name)
			}
		}
	}
	var stored []string
	for _, k := range idx.Keys {
		stored = append(stored, k.KID)
	}
	t.Logf("keys: %d in storage (%v), generated by %v", len(idx.Keys), stored, generated)
	if len(idx.Keys) != 2 || idx.Keys[0].KID != first {
		t.Fatalf("storage holds %v, want the first key %s and one rotation", stored, first)
	}
	for _, k := range idx.Keys {
		if by := generated[k.KID]; len(by) != 1 {
			t.Errorf("key %s was generated by %v, want exactly one instance", k.KID, by)
		}
	}
	if len(generated) != 2 {
		t.Errorf("%d keys were generated, want 2 (the first and one rotation)", len(generated))
	}
	next := idx.Keys[1]
	if d := next.SignsFrom.Sub(next.Created); d != 6*time.Second {
		t.Errorf("the next key signs %s after it was made, want the announce period of 6s", d)
	}
	if want := next.SignsFrom.Add(2*time.Minute + 6*time.Second); !idx.Keys[0].RetiresAt.Equal(want) {
		t.Errorf("the first key retires at %s, want the next key's signs_from + ttl 2m + announce 6s = %s", idx.Keys[0].RetiresAt, want)
	}
}
