package caddymodule

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	mrand "math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The session fuzz keys are derived from fixed seeds, so that a failing
// input in testdata/fuzz/FuzzSessionVerify replays against the same keys.
// They are test keys, nothing else: never configure them anywhere.
const (
	fuzzSessionSecret = "fuzz-session-secret-0123456789abcdef"
	fuzzForeignSecret = "fuzz-foreign-secret-0123456789abcdef"
)

// fuzzSessionKeys are the verifier's keys and the attacker's.
type fuzzSessionKeys struct {
	rsa, foreignRSA *rsa.PrivateKey
	ec              *ecdsa.PrivateKey
	rsaPEM, ecPEM   string // paths of the public keys
	rsaPEMText      string // the RSA public key PEM, the classic HS256 confusion secret
}

func newFuzzSessionKeys(tb testing.TB) *fuzzSessionKeys {
	tb.Helper()
	k := &fuzzSessionKeys{rsa: fuzzRSAKey(tb, "tokenmint fuzz rsa"), foreignRSA: fuzzRSAKey(tb, "tokenmint fuzz foreign rsa")}
	scalar := sha256.Sum256([]byte("tokenmint fuzz ec"))
	ec, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar[:])
	if err != nil {
		tb.Fatal(err)
	}
	k.ec = ec
	dir := tb.TempDir()
	write := func(name string, pub any) (string, string) {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			tb.Fatal(err)
		}
		text := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, text, 0o600); err != nil {
			tb.Fatal(err)
		}
		return path, string(text)
	}
	k.rsaPEM, k.rsaPEMText = write("rsa.pem", &k.rsa.PublicKey)
	k.ecPEM, _ = write("ec.pem", &k.ec.PublicKey)
	return k
}

// fuzzRSAKey derives a 2048-bit RSA key from seed (crypto/rsa ignores a
// custom random source since Go 1.26).
func fuzzRSAKey(tb testing.TB, seed string) *rsa.PrivateKey {
	tb.Helper()
	rng := mrand.NewChaCha8(sha256.Sum256([]byte(seed)))
	prime := func() *big.Int {
		buf := make([]byte, 128)
		for {
			rng.Read(buf)
			buf[0] |= 0xc0 // two top bits: p*q has 2048 bits
			buf[len(buf)-1] |= 1
			if p := new(big.Int).SetBytes(buf); p.ProbablyPrime(20) {
				return p
			}
		}
	}
	one, e := big.NewInt(1), big.NewInt(65537)
	for {
		p, q := prime(), prime()
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if p.Cmp(q) == 0 || d == nil {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if err := k.Validate(); err != nil {
			tb.Fatalf("derived RSA key: %v", err)
		}
		return k
	}
}

func fuzzSeg(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// fuzzSign signs header and payload, as given, with key under alg. ES256
// signs deterministically (RFC 6979), so tokens are the same every run.
func fuzzSign(tb testing.TB, alg string, key any, header, payload []byte) string {
	tb.Helper()
	input := fuzzSeg(header) + "." + fuzzSeg(payload)
	var sig []byte
	var err error
	switch alg {
	case "none":
	case "ES256":
		digest := sha256.Sum256([]byte(input))
		der, serr := key.(*ecdsa.PrivateKey).Sign(nil, digest[:], crypto.SHA256)
		var rs struct{ R, S *big.Int }
		if serr != nil {
			tb.Fatal(serr)
		}
		if _, err := asn1.Unmarshal(der, &rs); err != nil {
			tb.Fatal(err)
		}
		sig = make([]byte, 64)
		rs.R.FillBytes(sig[:32])
		rs.S.FillBytes(sig[32:])
	default:
		sig, err = jwt.GetSigningMethod(alg).Sign(input, key)
	}
	if err != nil {
		tb.Fatalf("sign %s: %v", alg, err)
	}
	return input + "." + fuzzSeg(sig)
}

// fuzzSessionPayload is a good session: it expires in 2100.
const fuzzSessionPayload = `{"exp":4102444800,"iat":1764000000,"sub":"fuzz-user","plan":"pro"}`

// FuzzSessionVerify attacks a jwtVerifier that holds an HMAC secret, an RSA
// and an EC public key, with its session cache on. The fuzzer's bytes make
// the Bearer token (mode % 7):
//
//	0  the whole raw token
//	1  header and payload JSON signed with a foreign HMAC secret
//	2  header and payload JSON signed with a foreign RSA key
//	3  header and payload JSON with an empty signature (alg none)
//	4  a valid HS256, RS256 or ES256 token with one byte xored
//	5  header and payload JSON signed with the configured secret
//	6  header and payload JSON signed HS256 with the RSA public key's PEM
//
// Properties: no panic; an identity only for a token whose signature
// verifies, with golang-jwt, under one of the configured keys, that carries
// a numeric exp not in the past, and whose sub is the identity's user;
// otherwise a 401 or 403 whose text names neither the token nor the
// secret; and asking twice (the second answer may come from the cache)
// gives the same answer.
func FuzzSessionVerify(f *testing.F) {
	keys := newFuzzSessionKeys(f)
	v, err := newJWTVerifier(&JWTSession{Secrets: []string{fuzzSessionSecret}, PublicKeys: []string{keys.rsaPEM, keys.ecPEM}}, nopLogger())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(v.Close)
	if v.Cached() < 0 {
		f.Fatal("the session cache is off; the fuzz target wants it on")
	}

	payload := []byte(fuzzSessionPayload)
	header := func(alg string) []byte { return []byte(`{"alg":"` + alg + `","typ":"JWT"}`) }
	valid := []string{
		fuzzSign(f, "HS256", []byte(fuzzSessionSecret), header("HS256"), payload),
		fuzzSign(f, "RS256", keys.rsa, header("RS256"), payload),
		fuzzSign(f, "ES256", keys.ec, header("ES256"), payload),
	}
	for _, tok := range valid {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if _, _, serr := v.Authenticate(req); serr != nil {
			f.Fatalf("a valid session is refused: %v", serr)
		}
	}

	// Seeds: mode, a, b, pos, xor.
	for _, tok := range valid {
		f.Add(uint8(0), []byte(tok), []byte(nil), uint16(0), byte(0))
		f.Add(uint8(0), []byte(tok[:len(tok)/2]), []byte(nil), uint16(0), byte(0))
		f.Add(uint8(0), []byte(tok[:len(tok)-1]), []byte(nil), uint16(0), byte(0))
		f.Add(uint8(0), []byte(tok[:strings.LastIndexByte(tok, '.')+1]), []byte(nil), uint16(0), byte(0))
		f.Add(uint8(0), []byte(tok[:strings.LastIndexByte(tok, '.')]), []byte(nil), uint16(0), byte(0))
	}
	noneTok := fuzzSign(f, "none", nil, header("none"), payload)
	confused := fuzzSign(f, "HS256", []byte(keys.rsaPEMText), header("HS256"), payload)
	for _, raw := range []string{noneTok, confused, "", "a.b.c", "..", "Bearer x", strings.Repeat("A", 9000),
		fuzzSign(f, "HS256", []byte(fuzzSessionSecret), header("HS256"), []byte(`{"sub":"no-exp"}`)),
		fuzzSign(f, "HS256", []byte(fuzzSessionSecret), header("HS256"), []byte(`{"sub":"old","exp":1000000000}`)),
		fuzzSign(f, "HS256", []byte(fuzzSessionSecret), header("RS256"), payload), // alg says RS256, HMAC signed
		fuzzSign(f, "RS256", keys.rsa, header("HS256"), payload),                  // alg says HS256, RSA signed
		fuzzSign(f, "ES256", keys.ec, header("ES384"), payload),
	} {
		f.Add(uint8(0), []byte(raw), []byte(nil), uint16(0), byte(0))
	}
	for _, h := range []string{`{"alg":"HS256","typ":"JWT"}`, `{"alg":"RS256"}`, `{"alg":"ES256"}`, `{"alg":"none"}`,
		`{"alg":"NONE"}`, `{"alg":"HS256","kid":"x"}`, `{"alg":"HS256","alg":"none"}`, `{"alg":"PS256"}`, `{}`, `[]`} {
		for _, p := range []string{fuzzSessionPayload, `{"sub":"x"}`, `{"sub":1,"exp":4102444800}`, `{"exp":"4102444800","sub":"x"}`,
			`{"exp":4102444800,"sub":"x","exp":1}`, `{"exp":1e10,"sub":"x"}`, `{"sub":"x","exp":4102444800,"nbf":4102444800}`, `null`} {
			for mode := uint8(1); mode <= 6; mode++ {
				if mode != 4 {
					f.Add(mode, []byte(h), []byte(p), uint16(0), byte(0))
				}
			}
		}
	}
	for i := range valid {
		for _, pos := range []uint16{0, 5, 40, 80, 200, 500, 65535} {
			f.Add(uint8(4+7*i), []byte(nil), []byte(nil), pos, byte(1))
		}
		f.Add(uint8(4+7*i), []byte(nil), []byte(nil), uint16(0), byte(0))
	}

	hsAlgs := []string{"HS256", "HS384", "HS512"}
	rsAlgs := []string{"RS256", "RS384", "RS512"}
	f.Fuzz(func(t *testing.T, mode uint8, a, b []byte, pos uint16, x byte) {
		var tok string
		sub := int(mode / 7)
		switch mode % 7 {
		case 0:
			tok = string(a)
		case 1:
			tok = fuzzSign(t, hsAlgs[sub%3], []byte(fuzzForeignSecret), a, b)
		case 2:
			tok = fuzzSign(t, rsAlgs[sub%3], keys.foreignRSA, a, b)
		case 3:
			tok = fuzzSign(t, "none", nil, a, b)
		case 4:
			bs := []byte(valid[sub%len(valid)])
			bs[int(pos)%len(bs)] ^= x
			tok = string(bs)
		case 5:
			tok = fuzzSign(t, hsAlgs[sub%3], []byte(fuzzSessionSecret), a, b)
		case 6:
			tok = fuzzSign(t, "HS256", []byte(keys.rsaPEMText), a, b)
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		seen := strings.TrimSpace(tok) // what credential() takes from the header

		id, _, serr := v.Authenticate(req)
		again, _, serr2 := v.Authenticate(req)
		if (id == nil) == (serr == nil) {
			t.Fatalf("token %q: identity %v and error %v: want exactly one", seen, id, serr)
		}
		if (again == nil) != (id == nil) || (id != nil && again.User != id.User) || (serr != nil && serr2.Status != serr.Status) {
			t.Fatalf("token %q: first answer %v %v, second (cached) %v %v", seen, id, serr, again, serr2)
		}
		if serr != nil {
			if serr.Status != 401 && serr.Status != 403 {
				t.Fatalf("token %q: status %d, want 401 or 403", seen, serr.Status)
			}
			if serr.Desc == "" || strings.Contains(serr.Desc, fuzzSessionSecret) || (len(seen) >= 8 && strings.Contains(serr.Desc, seen)) {
				t.Fatalf("token %q: refusal text %q is empty or names the token or the secret", seen, serr.Desc)
			}
			return
		}

		alg, ok := fuzzVerifiesUnder(seen, keys)
		if !ok {
			t.Fatalf("ACCEPTED a token that no configured key signed: %q (user %q)", seen, id.User)
		}
		claims := fuzzPayload(t, seen)
		exp, isNum := claims["exp"].(json.Number)
		expF, err := exp.Float64()
		if !isNum || err != nil {
			t.Fatalf("accepted %s token %q without a numeric exp: %v", alg, seen, claims["exp"])
		}
		if expF < float64(time.Now().Add(-v.Leeway()).Unix()) {
			t.Fatalf("accepted %s token %q that expired at %v", alg, seen, exp)
		}
		if want := scalarText(claims["sub"]); want == "" || id.User != want {
			t.Fatalf("accepted %s token %q: user %q, want the sub %v", alg, seen, id.User, claims["sub"])
		}
	})
}

// fuzzVerifiesUnder reports whether golang-jwt verifies tok's signature
// under one of the verifier's keys, each with its own algorithms only (no
// claim checks: those are the verifier's business).
func fuzzVerifiesUnder(tok string, k *fuzzSessionKeys) (string, bool) {
	for _, kv := range []struct {
		key  any
		algs []string
	}{
		{[]byte(fuzzSessionSecret), []string{"HS256", "HS384", "HS512"}},
		{&k.rsa.PublicKey, []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}},
		{&k.ec.PublicKey, []string{"ES256"}},
	} {
		p := jwt.NewParser(jwt.WithValidMethods(kv.algs), jwt.WithoutClaimsValidation())
		if t, err := p.Parse(tok, func(*jwt.Token) (any, error) { return kv.key, nil }); err == nil {
			return t.Method.Alg(), true
		}
	}
	return "", false
}

// fuzzPayload decodes the payload of an accepted token, numbers as
// json.Number.
func fuzzPayload(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("accepted token %q: payload segment: %v", tok, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		t.Fatalf("accepted token %q: payload %q: %v", tok, raw, err)
	}
	return claims
}

// scalarText renders a string or number claim as the verifier renders the
// user id.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}
