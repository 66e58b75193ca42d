// Package idptest holds identity providers for tests: a JWKS endpoint whose
// answers a test can change while it runs, and an OpenID Connect provider
// (discovery document and key set) whose keys rotate. Tests of package
// identity and of the Caddy module share them.
package idptest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestKeys are signing keys for the JWKS and session tests, generated once
// per test binary.
type TestKeys struct {
	RSA *rsa.PrivateKey   // kid "rsa", alg RS256
	EC  *ecdsa.PrivateKey // P-256; kid "ec", alg ES256
	Ed  ed25519.PrivateKey
}

// Keys returns the test binary's TestKeys.
var Keys = sync.OnceValue(func() TestKeys {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	_, dk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return TestKeys{RSA: rk, EC: ek, Ed: dk}
})

// Public returns the public keys by kid: "rsa", "ec" and "ed".
func (k TestKeys) Public() map[string]crypto.PublicKey {
	return map[string]crypto.PublicKey{"rsa": &k.RSA.PublicKey, "ec": &k.EC.PublicKey, "ed": k.Ed.Public()}
}

// JWKS renders keys as a JWK set, each under its kid, with use "sig" and
// its alg (RS256, ES256/384/512 by curve, EdDSA). Keys are *rsa.PublicKey,
// *ecdsa.PublicKey or ed25519.PublicKey.
func JWKS(keys map[string]crypto.PublicKey) []byte {
	members := make([]map[string]any, 0, len(keys))
	for kid, pub := range keys {
		members = append(members, JWK(kid, pub))
	}
	return Document(members...)
}

// JWK is the JWK of pub, as a map the tests may alter.
func JWK(kid string, pub crypto.PublicKey) map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
			"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
	case *ecdsa.PublicKey:
		raw, err := k.Bytes()
		if err != nil {
			panic(err)
		}
		size := (len(raw) - 1) / 2
		crv := k.Curve.Params().Name
		alg := map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[crv]
		return map[string]any{"kty": "EC", "kid": kid, "use": "sig", "alg": alg, "crv": crv,
			"x": b64(raw[1 : 1+size]), "y": b64(raw[1+size:])}
	case ed25519.PublicKey:
		return map[string]any{"kty": "OKP", "kid": kid, "use": "sig", "alg": "EdDSA", "crv": "Ed25519", "x": b64(k)}
	}
	panic(fmt.Sprintf("idptest.JWK: unsupported key type %T", pub))
}

// Document wraps JWKs in a set, in the order given.
func Document(members ...map[string]any) []byte {
	if members == nil {
		members = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": members})
	if err != nil {
		panic(err)
	}
	return b
}

// answer is what an endpoint serves; the zero status means 200.
type answer struct {
	status       int
	body         []byte
	delay        time.Duration
	cacheControl string
}

func (a answer) write(w http.ResponseWriter, r *http.Request) {
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if a.cacheControl != "" {
		w.Header().Set("Cache-Control", a.cacheControl)
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// KeyServer is an identity provider's JWKS endpoint for tests. It starts
// serving Keys().Public(); what it answers can be changed while it runs,
// and it counts the requests it gets.
type KeyServer struct {
	*httptest.Server
	requests atomic.Int64

	mu sync.Mutex
	a  answer
}

// NewKeyServer starts a KeyServer, closed when the test ends.
func NewKeyServer(t testing.TB) *KeyServer {
	t.Helper()
	s := &KeyServer{a: answer{body: JWKS(Keys().Public())}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		a := s.a
		s.mu.Unlock()
		a.write(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// SetKeys serves these keys (as JWKS renders them) from now on.
func (s *KeyServer) SetKeys(keys map[string]crypto.PublicKey) { s.SetBody(JWKS(keys)) }

// SetBody serves this body from now on.
func (s *KeyServer) SetBody(b []byte) { s.mu.Lock(); s.a.body = b; s.mu.Unlock() }

// SetStatus answers with this status from now on.
func (s *KeyServer) SetStatus(code int) { s.mu.Lock(); s.a.status = code; s.mu.Unlock() }

// SetDelay holds each answer this long (or until the client gives up).
func (s *KeyServer) SetDelay(d time.Duration) { s.mu.Lock(); s.a.delay = d; s.mu.Unlock() }

// SetCacheControl sends this Cache-Control header ("" for none).
func (s *KeyServer) SetCacheControl(v string) { s.mu.Lock(); s.a.cacheControl = v; s.mu.Unlock() }

// Requests counts the requests so far.
func (s *KeyServer) Requests() int64 { return s.requests.Load() }

// SigningKey is a key an OIDC Provider signs with.
type SigningKey struct {
	KID    string
	Alg    string
	Signer crypto.Signer
}

// Provider is an OpenID Connect identity provider for tests: its discovery
// document at Issuer + /.well-known/openid-configuration names Issuer and
// its key set at /keys. Its keys rotate: the newest signs, the older ones
// stay published until retired.
type Provider struct {
	*httptest.Server
	// Issuer is the provider's issuer: the server's URL and the path given.
	Issuer string

	discoveries, keyFetches atomic.Int64

	mu        sync.Mutex
	docIssuer string
	keys      []SigningKey // newest first
	doc, set  answer
}

// NewProvider starts a Provider whose issuer is its URL followed by path
// ("" or, as Keycloak's, "/realms/staff"), closed when the test ends. Its
// first key is a fresh RSA key (RS256).
func NewProvider(t testing.TB, path string) *Provider {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{keys: []SigningKey{{KID: newKID(), Alg: "RS256", Signer: rk}}}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	p.Issuer = p.URL + path
	p.docIssuer = p.Issuer
	t.Cleanup(p.Close)
	return p
}

func newKID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "k-" + hex.EncodeToString(b[:])
}

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	doc, set, issuer, keys := p.doc, p.set, p.docIssuer, p.keys
	p.mu.Unlock()
	switch r.URL.Path {
	case strings.TrimSuffix(strings.TrimPrefix(p.Issuer, p.URL), "/") + "/.well-known/openid-configuration":
		p.discoveries.Add(1)
		if doc.body == nil {
			doc.body, _ = json.Marshal(map[string]any{
				"issuer": issuer, "jwks_uri": p.URL + "/keys",
				"authorization_endpoint": p.URL + "/authorize", "response_types_supported": []string{"code"},
				"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
			})
		}
		doc.write(w, r)
	case "/keys":
		p.keyFetches.Add(1)
		if set.body == nil {
			pubs := make(map[string]crypto.PublicKey, len(keys))
			for _, k := range keys {
				pubs[k.KID] = k.Signer.Public()
			}
			set.body = JWKS(pubs)
		}
		set.write(w, r)
	default:
		http.NotFound(w, r)
	}
}

// Current is the key that signs now.
func (p *Provider) Current() SigningKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[0]
}

// Rotate makes a new ES256 key the signing one; the older keys stay
// published until Retire.
func (p *Provider) Rotate(t testing.TB) SigningKey {
	t.Helper()
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := SigningKey{KID: newKID(), Alg: "ES256", Signer: ek}
	p.mu.Lock()
	p.keys = append([]SigningKey{k}, p.keys...)
	p.mu.Unlock()
	return k
}

// Retire stops publishing every key but the current one.
func (p *Provider) Retire() {
	p.mu.Lock()
	p.keys = p.keys[:1]
	p.mu.Unlock()
}

// Sign signs claims with the current key, under its kid. Without an iss
// in claims, iss is the provider's issuer.
func (p *Provider) Sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	return p.SignWith(t, p.Current(), claims)
}

// SignWith signs claims with k, as Sign does.
func (p *Provider) SignWith(t testing.TB, k SigningKey, claims jwt.MapClaims) string {
	t.Helper()
	c := maps.Clone(claims)
	if _, ok := c["iss"]; !ok {
		c["iss"] = p.Issuer
	}
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(k.Alg), c)
	tok.Header["kid"] = k.KID
	s, err := tok.SignedString(k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// SetDocumentIssuer makes the discovery document name issuer instead of
// the provider's own.
func (p *Provider) SetDocumentIssuer(issuer string) {
	p.mu.Lock()
	p.docIssuer = issuer
	p.mu.Unlock()
}

// SetStatus answers both endpoints with this status (0 or 200: the
// normal answers).
func (p *Provider) SetStatus(code int) {
	p.mu.Lock()
	p.doc.status, p.set.status = code, code
	p.mu.Unlock()
}

// SetDocumentBody serves this body as the discovery document (nil: the
// provider's own).
func (p *Provider) SetDocumentBody(b []byte) { p.mu.Lock(); p.doc.body = b; p.mu.Unlock() }

// SetKeysBody serves this body as the key set (nil: the published keys).
func (p *Provider) SetKeysBody(b []byte) { p.mu.Lock(); p.set.body = b; p.mu.Unlock() }

// SetCacheControl sends this Cache-Control with both documents.
func (p *Provider) SetCacheControl(v string) {
	p.mu.Lock()
	p.doc.cacheControl, p.set.cacheControl = v, v
	p.mu.Unlock()
}

// Requests counts the discovery and key set requests so far.
func (p *Provider) Requests() (discovery, keys int64) {
	return p.discoveries.Load(), p.keyFetches.Load()
}

// Eventually polls cond until it holds, failing the test after a generous
// wait. It asserts no timing.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Loops counts the goroutines running a key set's refresh loop.
func Loops() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "identity.(*KeySet).loop(")
		}
		buf = make([]byte, 2*len(buf))
	}
}
