package keys

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"slices"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// The example of RFC 7638, section 3.1.
func TestThumbprintRFC7638(t *testing.T) {
	n, _ := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	got, err := Thumbprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint = %s, want RFC 7638's %s", got, want)
	}
}

// Each generated key round-trips through PEM, signs its algorithm, and its
// JWK holds exactly the public members.
func TestGenerateAndPublicJWK(t *testing.T) {
	want := map[string][]string{
		"ES256": {"alg", "crv", "kid", "kty", "use", "x", "y"},
		"ES384": {"alg", "crv", "kid", "kty", "use", "x", "y"},
		"EdDSA": {"alg", "crv", "kid", "kty", "use", "x"},
		"RS256": {"alg", "e", "kid", "kty", "n", "use"},
		"PS256": {"alg", "e", "kid", "kty", "n", "use"},
	}
	for _, alg := range Generatable {
		t.Run(alg, func(t *testing.T) {
			key, err := Generate(alg)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckFit(key.Public(), alg); err != nil {
				t.Fatal(err)
			}
			pemText, err := MarshalPrivate(key)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParsePrivate(pemText)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()) {
				t.Fatal("the key read back from PEM is another key")
			}
			kid, err := Thumbprint(key.Public())
			if err != nil || len(kid) != 43 {
				t.Fatalf("thumbprint %q, %v; want 43 base64url characters", kid, err)
			}
			raw, err := PublicJWK(key.Public(), kid, alg)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			var names []string
			for k := range m {
				names = append(names, k)
			}
			slices.Sort(names)
			if !slices.Equal(names, want[alg]) {
				t.Errorf("JWK members %v, want %v", names, want[alg])
			}
			if m["kid"] != kid || m["alg"] != alg || m["use"] != "sig" {
				t.Errorf("JWK kid %v alg %v use %v", m["kid"], m["alg"], m["use"])
			}
			// A token signed by the key verifies under alg.
			tok, err := jwt.NewWithClaims(jwt.GetSigningMethod(alg), jwt.MapClaims{"sub": "x"}).SignedString(back)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return key.Public(), nil }, jwt.WithValidMethods([]string{alg})); err != nil {
				t.Errorf("a %s token of the generated key does not verify: %v", alg, err)
			}
			if _, err := PublicJWK(key, kid, alg); err == nil {
				t.Error("PublicJWK accepted a private key")
			}
		})
	}
	if _, err := Generate("HS256"); err == nil {
		t.Error("Generate(HS256) made a key")
	}
}

// BenchmarkGenerate: the time to make a key per algorithm.
func BenchmarkGenerate(b *testing.B) {
	for _, alg := range Generatable {
		b.Run(alg, func(b *testing.B) {
			for b.Loop() {
				if _, err := Generate(alg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
