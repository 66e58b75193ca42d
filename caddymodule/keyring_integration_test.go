package caddymodule

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddytest"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// autoAlgs are the algorithms an auto ring generates.
var autoAlgs = []string{"ES256", "ES384", "EdDSA", "RS256", "PS256"}

// writePrivatePEM writes a private key as PKCS #8 PEM into a temp file.
func writePrivatePEM(t *testing.T, key crypto.Signer) string {
	t.Helper()
	text, err := keys.MarshalPrivate(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// issuerSite is a Caddyfile with PEM rings (an RSA key that signs and an EC
// key published beside it; an EC key with a named kid), an auto ring per
// algorithm, a jwt route per ring, and the rings' JWKS and discovery
// document on /.well-known/*, in storage dir.
func issuerSite(dir, rsaPath, ecPath, namedPath string) (globals, site string) {
	var rings, routes strings.Builder
	for _, alg := range autoAlgs {
		rings.WriteString("\t\tring auto-" + alg + " {\n\t\t\tauto " + alg + "\n\t\t}\n")
		routes.WriteString(`
	handle /t/auto-` + alg + ` {
		provider_token jwt {
			keyring auto-` + alg + `
			claim iss http://localhost:9080
			claim sub {http.auth.user.id}
			session anonymous
			ttl 10m
		}
	}`)
	}
	for _, ring := range []string{"pem", "named"} {
		routes.WriteString(`
	handle /t/` + ring + ` {
		provider_token jwt {
			keyring ` + ring + `
			claim iss http://localhost:9080
			claim sub alice
			session anonymous
		}
	}`)
	}
	return `	storage file_system ` + dir + `
	provider_token_keys {
		ring pem {
			key ` + rsaPath + `
			key ` + ecPath + `
		}
		ring named {
			key ` + namedPath + ` named-2026
		}
` + rings.String() + `	}
`, `
http://localhost:9080 {
	handle /.well-known/* {
		provider_token_jwks pem named auto-ES256 auto-ES384 auto-EdDSA auto-RS256 auto-PS256 {
			issuer http://localhost:9080
		}
		respond "next handler" 200
	}
	handle /bare/* {
		uri strip_prefix /bare
		provider_token_jwks named
	}` + routes.String() + `
}
`
}

// serveIssuer starts issuerSite with fresh keys and storage; it returns
// the tester, the storage folder and the PEM keys.
func serveIssuer(t *testing.T) (*caddytest.Tester, string, map[string]crypto.Signer) {
	t.Helper()
	dir := t.TempDir()
	logFile := filepath.Join(dir, "caddy.log")
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	named, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pem := map[string]crypto.Signer{"rsa": mustRSA(t), "ec": ec, "named": named}
	globals, site := issuerSite(dir, writePrivatePEM(t, pem["rsa"]), writePrivatePEM(t, pem["ec"]), writePrivatePEM(t, pem["named"]))
	globals = "\tlog {\n\t\toutput file " + logFile + "\n\t\tlevel DEBUG\n\t\tformat json\n\t}\n" + globals
	tester := serveWith(t, globals, site)
	return tester, dir, pem
}

// withGlobals adds global options to the test's.
func withGlobals(globals string) string {
	return strings.Replace(globalOptions, "\n}\n", "\n"+globals+"}\n", 1)
}

// serveWith is serve with more global options.
func serveWith(t *testing.T, globals, sites string) *caddytest.Tester {
	t.Helper()
	t.Setenv("TM_SECRET", testSecret)
	return startFresh(t, withPorts(withGlobals(globals)+sites), "caddyfile")
}

// fetchJWKS gets a JWKS and checks its answer's headers and that every
// key holds only public members.
func fetchJWKS(t *testing.T, tester *caddytest.Tester, path string) (jose.JSONWebKeySet, response) {
	t.Helper()
	r := call(t, tester, "GET", path, "")
	wantStatus(t, r, 200)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("JWKS Content-Type = %q, want application/json", ct)
	}
	if o := r.header.Get("Access-Control-Allow-Origin"); o != "*" || r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("JWKS Access-Control-Allow-Origin = %q, want * (public keys, for verifiers in browsers) and no credentials", o)
	}
	var raw struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(r.body), &raw); err != nil {
		t.Fatalf("JWKS is not JSON: %v: %s", err, r.body)
	}
	for _, k := range raw.Keys {
		for name := range k {
			if !slices.Contains([]string{"kty", "kid", "alg", "use", "n", "e", "crv", "x", "y"}, name) {
				t.Errorf("JWKS key %v has member %q: only public members belong there", k["kid"], name)
			}
		}
		if k["use"] != "sig" || k["kid"] == "" || k["alg"] == "" {
			t.Errorf("JWKS key: use %v, kid %v, alg %v; want sig and both set", k["use"], k["kid"], k["alg"])
		}
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.body), &set); err != nil {
		t.Fatalf("go-jose cannot read the JWKS: %v", err)
	}
	return set, r
}

// verifyByJWKS verifies tok with the key of its kid in set, under the key's
// alg only, and returns header and claims.
func verifyByJWKS(t *testing.T, set jose.JSONWebKeySet, tok string) (map[string]any, jwt.MapClaims) {
	t.Helper()
	var c jwt.MapClaims
	parsed, err := jwt.ParseWithClaims(tok, &c, func(tk *jwt.Token) (any, error) {
		kid, _ := tk.Header["kid"].(string)
		found := set.Key(kid)
		if len(found) != 1 {
			t.Fatalf("the token's kid %q is not in the JWKS (%d keys)", kid, len(set.Keys))
		}
		if tk.Method.Alg() != found[0].Algorithm {
			t.Fatalf("token alg %s, JWKS alg %s", tk.Method.Alg(), found[0].Algorithm)
		}
		return found[0].Key, nil
	}, jwt.WithExpirationRequired(), jwt.WithValidMethods(append(slices.Clone(autoAlgs), "RS256", "ES384")))
	if err != nil {
		t.Fatalf("token does not verify against the JWKS: %v", err)
	}
	return parsed.Header, c
}

// TestKeyringIssuer: tokens of PEM and auto rings of every algorithm carry
// the signing key's kid and verify against the JWKS that
// provider_token_jwks serves, through go-oidc's discovery and verifier too;
// the JWKS holds public members only; auto keys sit in storage as 0600
// PEM files in 0700 folders.
func TestKeyringIssuer(t *testing.T) {
	tester, dir, pem := serveIssuer(t)

	tokens := map[string]string{}
	for _, ring := range append([]string{"pem", "named"}, prefixed("auto-", autoAlgs)...) {
		r := call(t, tester, "GET", "/t/"+ring, "")
		wantStatus(t, r, 200)
		tokens[ring] = r.json(t)["token"].(string)
	}
	set, r := fetchJWKS(t, tester, "/.well-known/jwks.json")
	if cc := r.header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Errorf("JWKS Cache-Control = %q, want public, max-age=3600 (30d rotation: announce 3d, max-age capped at 1h)", cc)
	}
	// pem's two keys, named's, and one per auto ring.
	if n := len(set.Keys); n != 3+len(autoAlgs) {
		t.Fatalf("JWKS has %d keys, want %d: %s", n, 3+len(autoAlgs), r.body)
	}
	for ring, tok := range tokens {
		h, c := verifyByJWKS(t, set, tok)
		want := map[string]string{"pem": "RS256", "named": "ES384"}[ring]
		if want == "" {
			want = strings.TrimPrefix(ring, "auto-")
		}
		if h["alg"] != want {
			t.Errorf("%s: alg %v, want %s", ring, h["alg"], want)
		}
		if c["iss"] != base {
			t.Errorf("%s: iss %v", ring, c["iss"])
		}
	}
	// The PEM kids: thumbprints unless named; the EC key of ring pem is
	// published but never signs.
	rsaKID, _ := keys.Thumbprint(pem["rsa"].Public())
	ecKID, _ := keys.Thumbprint(pem["ec"].Public())
	if h := segment(t, tokens["pem"], 0); h["kid"] != rsaKID {
		t.Errorf("pem kid = %v, want the RSA key's thumbprint %s", h["kid"], rsaKID)
	}
	if h := segment(t, tokens["named"], 0); h["kid"] != "named-2026" {
		t.Errorf("named kid = %v, want named-2026", h["kid"])
	}
	if len(set.Key(ecKID)) != 1 || set.Key(ecKID)[0].Algorithm != "ES256" {
		t.Errorf("the ring's second key %s is not published as ES256", ecKID)
	}

	// Discovery: go-oidc reads it, checks the issuer, fetches jwks_uri and
	// verifies each token.
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, base)
	if err != nil {
		t.Fatalf("go-oidc rejects the discovery document: %v", err)
	}
	var disc map[string]any
	if err := provider.Claims(&disc); err != nil {
		t.Fatal(err)
	}
	if o := call(t, tester, "GET", "/.well-known/openid-configuration", "").header.Get("Access-Control-Allow-Origin"); o != "*" {
		t.Errorf("discovery Access-Control-Allow-Origin = %q, want *", o)
	}
	if disc["jwks_uri"] != base+"/.well-known/jwks.json" || disc["issuer"] != base {
		t.Errorf("discovery: issuer %v, jwks_uri %v", disc["issuer"], disc["jwks_uri"])
	}
	algs, _ := disc["id_token_signing_alg_values_supported"].([]any)
	for _, want := range []string{"RS256", "ES256", "ES384", "EdDSA", "PS256"} {
		if !slices.Contains(algs, any(want)) {
			t.Errorf("discovery algorithms %v lack %s", algs, want)
		}
	}
	verifier := provider.Verifier(&oidc.Config{SkipClientIDCheck: true})
	for ring, tok := range tokens {
		if _, err := verifier.Verify(ctx, tok); err != nil {
			t.Errorf("go-oidc rejects the %s token: %v", ring, err)
		}
	}

	// Other paths go to the next handler; without an issuer, discovery is
	// 404 and the JWKS is at /.well-known/jwks.json.
	if r := call(t, tester, "GET", "/.well-known/security.txt", ""); r.status != 200 || r.body != "next handler" {
		t.Errorf("another .well-known path: %d %q, want the next handler's answer", r.status, r.body)
	}
	if r := call(t, tester, "GET", "/bare/.well-known/openid-configuration", ""); r.status != 404 {
		t.Errorf("discovery without issuer: %d, want 404", r.status)
	}
	if bare, _ := fetchJWKS(t, tester, "/bare/.well-known/jwks.json"); len(bare.Keys) != 1 || bare.Keys[0].KeyID != "named-2026" {
		t.Errorf("the bare JWKS holds %d keys, want ring named's one", len(bare.Keys))
	}
	if r := call(t, tester, "POST", "/.well-known/jwks.json", ""); r.status != 405 {
		t.Errorf("POST to the JWKS: %d, want 405", r.status)
	}

	// Storage: one key per auto ring, PEM files readable by Caddy's user only.
	for _, alg := range autoAlgs {
		idx := readIndex(t, dir, "auto-"+alg, alg)
		if len(idx.Keys) != 1 {
			t.Fatalf("ring auto-%s has %d keys in storage, want 1", alg, len(idx.Keys))
		}
		k := idx.Keys[0]
		if h := segment(t, tokens["auto-"+alg], 0); h["kid"] != k.KID {
			t.Errorf("auto-%s kid = %v, want the stored key's %s", alg, h["kid"], k.KID)
		}
		if !k.SignsFrom.Equal(k.Created) || !k.RetiresAt.IsZero() {
			t.Errorf("auto-%s's first key: created %s, signs_from %s, retires_at %s; want it to sign at once and not retire", alg, k.Created, k.SignsFrom, k.RetiresAt)
		}
	}
	root := filepath.Join(dir, "tokenmint")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s has mode %o, want %o", path, info.Mode().Perm(), want)
		}
		if strings.HasSuffix(path, ".pem") {
			text, _ := os.ReadFile(path)
			if _, err := keys.ParsePrivate(text); err != nil {
				t.Errorf("%s is not a PEM private key: %v", path, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// No key material in the log (at DEBUG), the JWKS, or the admin API's
	// config.
	logText, err := os.ReadFile(filepath.Join(dir, "caddy.log"))
	if err != nil || !strings.Contains(string(logText), "generated a signing key") {
		t.Fatalf("the DEBUG log (%v) does not show key generation", err)
	}
	var privs []crypto.Signer
	for _, k := range pem {
		privs = append(privs, k)
	}
	for _, alg := range autoAlgs {
		idx := readIndex(t, dir, "auto-"+alg, alg)
		text, _ := os.ReadFile(filepath.Join(dir, "tokenmint", "keyrings", "auto-"+alg, alg, idx.Keys[0].KID+".pem"))
		k, _ := keys.ParsePrivate(text)
		privs = append(privs, k)
	}
	jwksText := call(t, tester, "GET", "/.well-known/jwks.json", "").body
	adminCfg := getAdminConfig(t)
	for _, k := range privs {
		for _, secret := range privateMarkers(t, k) {
			for what, text := range map[string]string{"log": string(logText), "JWKS": jwksText, "admin config": adminCfg} {
				if leaks(text, secret) {
					t.Errorf("the %s holds private key material of a %T", what, k)
				}
			}
		}
	}
	if strings.Contains(adminCfg, "PRIVATE KEY") || strings.Contains(adminCfg, `"d"`) {
		t.Errorf("the admin API's config holds key material")
	}
	if !strings.Contains(adminCfg, `"key_rings"`) {
		t.Errorf("the admin API's config lacks the key rings: %s", adminCfg)
	}
}

// privateMarkers returns text that only a private key's holder has: its
// JWK "d", and 20 characters of its PKCS #8 PEM body that encode private
// bytes only (the tail of an EC key's PEM is its public point, which the
// JWKS rightly holds). The PEM marker is found in a text whose line breaks
// are removed (see leaks), since a PEM may wrap anywhere.
func privateMarkers(t *testing.T, k crypto.Signer) []string {
	t.Helper()
	raw, err := jose.JSONWebKey{Key: k}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	d, _ := m["d"].(string)
	var secret []byte
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		secret, err = k.Bytes()
	case *rsa.PrivateKey:
		secret = k.D.Bytes()
	case ed25519.PrivateKey:
		secret = k.Seed()
	}
	der, derErr := x509.MarshalPKCS8PrivateKey(k)
	at := bytes.Index(der, secret)
	if err != nil || derErr != nil || d == "" || len(secret) < 18 || at < 0 {
		t.Fatalf("no private part to look for in a %T (%v, %v)", k, err, derErr)
	}
	start := (at + 2) / 3 // the first base64 group that begins inside the secret
	body := base64.StdEncoding.EncodeToString(der)
	marker := body[start*4 : start*4+20]
	if text, _ := keys.MarshalPrivate(k); !leaks(string(text), marker) || !leaks(string(raw), d) {
		t.Fatalf("the markers of a %T are not found in its own PEM and JWK: the check would prove nothing", k)
	}
	return []string{d, marker}
}

// leaks reports whether text holds marker, however a PEM in it is wrapped
// (raw line breaks, or JSON-escaped ones in a log).
func leaks(text, marker string) bool {
	return strings.Contains(strings.NewReplacer("\n", "", "\r", "", `\n`, "", `\r`, "").Replace(text), marker)
}

func prefixed(p string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return out
}

// readIndex reads a ring's index.json from file-system storage.
func readIndex(t *testing.T, dir, ring, alg string) ringIndex {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(dir, "tokenmint", "keyrings", ring, alg, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx ringIndex
	if err := json.Unmarshal(text, &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}

// getAdminConfig returns the running config as the admin API shows it.
func getAdminConfig(t *testing.T) string {
	t.Helper()
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://localhost:" + adminPort + "/config/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestKeyringValidateTouchesNoStorage: caddy validate provisions auto
// rings without reading or writing storage.
func TestKeyringValidateTouchesNoStorage(t *testing.T) {
	dir := t.TempDir()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p := writePrivatePEM(t, ec)
	globals, site := issuerSite(dir, writePrivatePEM(t, mustRSA(t)), p, p)
	text := withPorts(withGlobals(globals) + site)
	adapted, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(text), nil)
	if err != nil {
		t.Fatalf("adapt: %v", err)
	}
	var cfg caddy.Config
	if err := json.Unmarshal(adapted, &cfg); err != nil {
		t.Fatal(err)
	}
	if err := caddy.Validate(&cfg); err != nil {
		t.Fatalf("validate: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	// (Caddy's own pki app writes its CA there at validate.)
	for _, name := range []string{"tokenmint", "locks"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("caddy validate wrote %s into storage, want nothing of tokenmint's", name)
		}
	}
}

// pyjwt returns a python3 that has Debian's PyJWT and cryptography. It
// skips the test when there is none, unless TOKENMINT_REQUIRE_PYJWT is set
// (as .ci/issuer-test, which installs them, does).
func pyjwt(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import jwt, cryptography").Run() == nil {
			return py
		}
	}
	if os.Getenv("TOKENMINT_REQUIRE_PYJWT") != "" {
		t.Fatal("no python3 with PyJWT and cryptography (apt-get install python3-jwt python3-cryptography)")
	}
	t.Skip("no python3 with PyJWT and cryptography: .ci/issuer-test installs them and runs this test")
	return ""
}

// TestKeyringVerifiesWithPyJWT: PyJWT's PyJWKClient, pointed at the
// discovery document's jwks_uri, verifies a token of every auto algorithm
// and of the PEM rings.
func TestKeyringVerifiesWithPyJWT(t *testing.T) {
	py := pyjwt(t)
	tester, _, _ := serveIssuer(t)
	rings := append([]string{"pem", "named"}, prefixed("auto-", autoAlgs)...)
	var in strings.Builder
	for _, ring := range rings {
		r := call(t, tester, "GET", "/t/"+ring, "")
		wantStatus(t, r, 200)
		in.WriteString(ring + " " + r.json(t)["token"].(string) + "\n")
	}
	cmd := exec.Command(py, "testdata/pyjwk_verify.py", base)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pyjwk_verify.py: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			got[f[0]] = line
		}
	}
	for _, ring := range rings {
		if !strings.HasPrefix(got[ring], ring+" ok ") {
			t.Errorf("PyJWT on the %s token: %q", ring, got[ring])
		}
	}
	t.Logf("PyJWT:\n%s", out)
}

// TestKeyringLoadErrors: what only loading the config can find (a PEM
// ring's algorithm is its key's; JSON configs skip the Caddyfile's checks)
// fails the load with a message that names the fix.
func TestKeyringLoadErrors(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPath := writePrivatePEM(t, ec)
	rsaPath := writePrivatePEM(t, mustRSA(t))
	route := func(handler string) string {
		return `"http":{"servers":{"s":{"listen":[":9080"],"routes":[{"handle":[` + handler + `]}]}}}`
	}
	app := `"tokenmint":{"key_rings":{"ec":{"keys":[{"file":"` + ecPath + `"}]},"rsa":{"keys":[{"file":"` + rsaPath + `"}]}}}`
	for _, tc := range []struct {
		name, apps string
		want       []string
	}{
		{"a PEM ring's key does not fit the preset",
			`{` + app + `,` + route(`{"handler":"provider_token","preset":"jaas","keyring":"ec","claims":{"sub":["vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe"]}}`) + `}`,
			[]string{"keyring ec signs ES256", "jaas tokens are signed with RS256"}},
		{"a ring's algorithm does not fit its key",
			`{"tokenmint":{"key_rings":{"rsa":{"keys":[{"file":"` + rsaPath + `"}],"algorithm":"ES256"}}}}`,
			[]string{"ring rsa", "with algorithm ES256", "an RSA 2048 key signs RS256", "change the algorithm or the key"}},
		{"an unknown ring in JSON",
			`{` + app + `,` + route(`{"handler":"provider_token","preset":"jwt","keyring":"nope"}`) + `}`,
			[]string{`key ring "nope" is not defined; the rings are: ec, rsa`}},
		{"a JWKS of an unknown ring",
			`{` + app + `,` + route(`{"handler":"provider_token_jwks","rings":["nope"]}`) + `}`,
			[]string{`key ring "nope" is not defined`}},
		{"no rings at all",
			`{` + route(`{"handler":"provider_token","preset":"jwt","keyring":"r"}`) + `}`,
			[]string{`key ring "r" is not defined: define it in the global option provider_token_keys`}},
		{"a missing key file",
			`{"tokenmint":{"key_rings":{"m":{"keys":[{"file":"/nonexistent/k.pem"}]}}}}`,
			[]string{"ring m: key /nonexistent/k.pem", "no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cfg caddy.Config
			if err := json.Unmarshal([]byte(withPorts(`{"admin":{"disabled":true},"apps":`+tc.apps+`}`)), &cfg); err != nil {
				t.Fatal(err)
			}
			err := caddy.Validate(&cfg)
			if err == nil {
				t.Fatal("the config loads, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
