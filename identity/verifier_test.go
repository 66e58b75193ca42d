package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

const testSecret = "identity-test-secret-0123456789abcdef"

// claims is a good session for sub, expiring in an hour, with extra
// name, value pairs (a nil value removes the claim).
func claims(sub string, extra ...any) jwt.MapClaims {
	c := jwt.MapClaims{"sub": sub, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == nil {
			delete(c, extra[i].(string))
			continue
		}
		c[extra[i].(string)] = extra[i+1]
	}
	return c
}

func newTestVerifier(t *testing.T, cfg Config) *Verifier {
	t.Helper()
	v, err := New(cfg, Env{KeySets: testRegistry, Fetch: FetchOptions{FirstFetchDelay: time.Hour, RefetchEvery: 10 * time.Millisecond}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(v.Close)
	return v
}

// authenticate asks v about a request carrying tok as a Bearer token.
func authenticate(t *testing.T, v *Verifier, tok string) (*Identity, *Refusal) {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	id, from, refusal := v.Authenticate(r)
	if refusal == nil && (from == nil || from.Source != "header" || from.Name != "Authorization") {
		t.Fatalf("a verified Bearer token came from %v, want the Authorization header", from)
	}
	return id, refusal
}

func wantUser(t *testing.T, v *Verifier, tok, user string) *Identity {
	t.Helper()
	id, refusal := authenticate(t, v, tok)
	if refusal != nil {
		t.Fatalf("refused (%s: %s), want user %s", refusal.Reason, refusal.Desc, user)
	}
	if id.User != user {
		t.Fatalf("user %q, want %q", id.User, user)
	}
	return id
}

func wantRefusal(t *testing.T, v *Verifier, tok string, status int, reason string) {
	t.Helper()
	id, refusal := authenticate(t, v, tok)
	if refusal == nil {
		t.Fatalf("accepted as %q, want %d %s", id.User, status, reason)
	}
	if refusal.Status != status || refusal.Reason != reason {
		t.Fatalf("refused %d %s (%s), want %d %s", refusal.Status, refusal.Reason, refusal.Desc, status, reason)
	}
}

func hs256(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestIssuerBindsKeys: a token verifies only with the keys of the issuer
// its iss names. Issuer A's key never verifies a token that says B, nor
// one that names no configured issuer; the session's own secret never
// verifies a token that names an OIDC issuer.
func TestIssuerBindsKeys(t *testing.T) {
	a, b := idptest.NewProvider(t, "/realms/a"), idptest.NewProvider(t, "/realms/b")
	v := newTestVerifier(t, Config{
		Secrets: [][]byte{[]byte(testSecret)},
		OIDC:    []Issuer{{URL: a.Issuer}, {URL: b.Issuer}},
	})
	wantUser(t, v, a.Sign(t, claims("alice")), "alice")
	wantUser(t, v, b.Sign(t, claims("bob")), "bob")
	wantUser(t, v, hs256(t, claims("carol", "iss", "https://app.example")), "carol")

	aKey := a.Current()
	noKID := func(iss string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims("mallory", "iss", iss))
		s, err := tok.SignedString(aKey.Signer)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name, tok, reason string
	}{
		{"A's key, A's kid, iss B", a.Sign(t, claims("mallory", "iss", b.Issuer)), "unknown_kid"},
		{"A's key, no kid, iss B", noKID(b.Issuer), "bad_signature"},
		{"A's key, iss not configured", a.Sign(t, claims("mallory", "iss", "https://elsewhere.example")), "bad_algorithm"},
		{"A's key, no iss", a.Sign(t, claims("mallory", "iss", "")), "bad_algorithm"},
		{"the session's secret, iss A", hs256(t, claims("mallory", "iss", a.Issuer)), "bad_algorithm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantRefusal(t, v, c.tok, 401, c.reason) })
	}

	t.Run("B publishes A's kid with its own key", func(t *testing.T) {
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		b.SetKeysBody(idptest.JWKS(map[string]crypto.PublicKey{aKey.KID: &other.PublicKey, b.Current().KID: b.Current().Signer.Public()}))
		defer b.SetKeysBody(nil)
		tok := a.Sign(t, claims("mallory", "iss", b.Issuer))
		idptest.Eventually(t, "B's set to hold A's kid", func() bool {
			_, refusal := authenticate(t, v, tok)
			return refusal != nil && refusal.Reason != "unknown_kid"
		})
		wantRefusal(t, v, tok, 401, "bad_signature") // B's key under that kid is not A's
		wantUser(t, v, a.Sign(t, claims("alice")), "alice")
	})

	t.Run("only oidc issuers: an unknown iss is refused", func(t *testing.T) {
		only := newTestVerifier(t, Config{OIDC: []Issuer{{URL: a.Issuer}}})
		wantUser(t, only, a.Sign(t, claims("alice")), "alice")
		wantRefusal(t, only, a.Sign(t, claims("mallory", "iss", b.Issuer)), 401, "wrong_issuer")
		wantRefusal(t, only, hs256(t, claims("mallory")), 401, "bad_algorithm") // no secret: HS256 is no algorithm of this verifier
	})
}

// TestIssuerPolicies: audience, user_claim, require and algorithms per
// issuer, the session's values as defaults.
func TestIssuerPolicies(t *testing.T) {
	a, b := idptest.NewProvider(t, "/a"), idptest.NewProvider(t, "/b")
	v := newTestVerifier(t, Config{
		Audiences: []string{"app"},
		Require:   map[string][]string{"plan": {"pro"}},
		OIDC: []Issuer{
			{URL: a.Issuer, Audiences: []string{"https://api.example.com"}, UserClaim: "email", Require: map[string][]string{"groups": {"staff"}}},
			{URL: b.Issuer, Algorithms: []string{"ES256"}},
		},
	})
	staff := claims("a-sub", "email", "ann@example.com", "aud", "https://api.example.com", "groups", []string{"staff", "x"})
	id := wantUser(t, v, a.Sign(t, staff), "ann@example.com")
	if id.Metadata["sub"] != "a-sub" || id.Metadata["groups"] != `["staff","x"]` {
		t.Errorf("metadata %v, want sub a-sub and groups as JSON", id.Metadata)
	}
	wantRefusal(t, v, a.Sign(t, claims("a-sub", "email", "ann@example.com", "aud", "app", "groups", "staff")), 401, "wrong_audience")
	wantRefusal(t, v, a.Sign(t, claims("a-sub", "aud", "https://api.example.com", "groups", "staff")), 401, "no_user")
	wantRefusal(t, v, a.Sign(t, claims("a-sub", "email", "e", "aud", "https://api.example.com", "groups", "guest")), 403, "require_failed")

	// B takes the session's audience, user claim and require, and only ES256.
	wantRefusal(t, v, b.Sign(t, claims("bob", "aud", "app", "plan", "pro")), 401, "bad_algorithm") // its first key is RS256
	b.Rotate(t)
	wantUser(t, v, b.Sign(t, claims("bob", "aud", "app", "plan", "pro")), "bob")
	wantRefusal(t, v, b.Sign(t, claims("bob", "aud", "https://api.example.com", "plan", "pro")), 401, "wrong_audience")
	wantRefusal(t, v, b.Sign(t, claims("bob", "aud", "app", "plan", "free")), 403, "require_failed")
}

// TestOwnSetsShareAKid: two JWKS (not bound to an issuer) that publish one
// kid are both tried, the signature decides, and the set that verified a
// cached session revokes it when the key leaves.
func TestOwnSetsShareAKid(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s1, s2 := idptest.NewKeyServer(t), idptest.NewKeyServer(t)
	s1.SetKeys(map[string]crypto.PublicKey{"shared": &k1.PublicKey})
	s2.SetKeys(map[string]crypto.PublicKey{"shared": &k2.PublicKey})
	v := newTestVerifier(t, Config{JWKS: []string{s1.URL, s2.URL}})
	sign := func(k *ecdsa.PrivateKey, sub string, kid ...string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims(sub))
		tok.Header["kid"] = append(kid, "shared")[0]
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	one, two := sign(k1, "one"), sign(k2, "two")
	wantUser(t, v, one, "one")
	wantUser(t, v, two, "two")
	if n := v.Cached(); n != 2 {
		t.Fatalf("%d cached sessions, want 2", n)
	}
	s2.SetKeys(map[string]crypto.PublicKey{"other": &k1.PublicKey})
	idptest.Eventually(t, "the second set's key to go", func() bool {
		_, _ = authenticate(t, v, sign(k1, "x", "unknown")) // an unknown kid refetches both sets, at most every RefetchEvery
		_, refusal := authenticate(t, v, two)
		return refusal != nil
	})
	wantUser(t, v, one, "one") // still published by the first set
}

func TestConfigCheck(t *testing.T) {
	secret := [][]byte{[]byte(testSecret)}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no key", Config{Issuers: []string{"x"}}, "needs at least one key"},
		{"jwks twice", Config{JWKS: []string{"https://k.example/j", "https://k.example/j"}}, "is given twice"},
		{"oidc twice", Config{OIDC: []Issuer{{URL: "https://i.example"}, {URL: "https://i.example"}}}, "is given twice"},
		{"oidc over plain http", Config{OIDC: []Issuer{{URL: "http://i.example"}}}, "plain http"},
		{"oidc with a query", Config{OIDC: []Issuer{{URL: "https://i.example/?t=1"}}}, "query or fragment"},
		{"oidc HS256", Config{OIDC: []Issuer{{URL: "https://i.example", Algorithms: []string{"HS256"}}}}, "HMAC"},
		{"oidc none", Config{OIDC: []Issuer{{URL: "https://i.example", Algorithms: []string{"none"}}}}, "never accepted"},
		{"session HMAC only with oidc", Config{Secrets: secret, Algorithms: []string{"HS256"}, OIDC: []Issuer{{URL: "https://i.example"}}}, "all HMAC"},
		{"issuer names an oidc issuer", Config{Secrets: secret, Issuers: []string{"https://i.example"}, OIDC: []Issuer{{URL: "https://i.example"}}}, "remove it from issuer"},
		{"issuer without own keys", Config{Issuers: []string{"https://x.example"}, OIDC: []Issuer{{URL: "https://i.example"}}}, "remove issuer"},
		{"RS256 without public keys", Config{Secrets: secret, Algorithms: []string{"RS256"}}, "needs a public_key or jwks"},
		{"from query", Config{Secrets: secret, From: []Credential{{Source: "query", Name: "t"}}}, "access logs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Check()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check = %v, want %q", err, tt.want)
			}
			if _, err := New(tt.cfg, Env{}); err == nil {
				t.Fatal("New accepted a config Check refuses")
			}
		})
	}
	if err := (&Config{Secrets: secret, Algorithms: []string{"HS256", "ES256"}, OIDC: []Issuer{{URL: "https://i.example"}}}).Check(); err != nil {
		t.Errorf("a session HS256 and ES256 with an oidc issuer: %v", err)
	}
}
