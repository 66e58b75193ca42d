package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata/ecparam-p256.pem is what `openssl ecparam -genkey -name
// prime256v1` writes: an EC PARAMETERS block, then the key.
func TestReadPrivateSkipsECParameters(t *testing.T) {
	data, err := os.ReadFile("testdata/ecparam-p256.pem")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "-----BEGIN EC PARAMETERS-----") {
		t.Fatal("the test file does not start with EC PARAMETERS: the test would prove nothing")
	}
	key, err := ReadPrivate("testdata/ecparam-p256.pem")
	if err != nil {
		t.Fatalf("ReadPrivate: %v", err)
	}
	if got := Algorithms(key.Public()); len(got) != 1 || got[0] != "ES256" {
		t.Fatalf("algorithms = %v, want [ES256]", got)
	}
}

func writePEM(t *testing.T, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckFit(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		name string
		pub  any
		alg  string
		want string // "" fits
	}{
		{"P-256 ES256", p256.Public(), "ES256", ""},
		{"P-256 ES384", p256.Public(), "ES384", "an EC P-256 key signs ES256, not ES384"},
		{"P-384 ES256", p384.Public(), "ES256", "an EC P-384 key signs ES384, not ES256"},
		{"RSA PS384", rk.Public(), "PS384", ""},
		{"RSA ES256", rk.Public(), "ES256", "an RSA 2048 key signs RS256, RS384, RS512, PS256, PS384, PS512, not ES256"},
		{"RSA HS256", rk.Public(), "HS256", "not HS256"},
		{"EC EdDSA", p256.Public(), "EdDSA", "not EdDSA"},
		{"Ed25519 EdDSA", ed.Public(), "EdDSA", ""},
		{"Ed25519 RS256", ed.Public(), "RS256", "an Ed25519 key signs EdDSA, not RS256"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckFit(c.pub, c.alg)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("CheckFit(%s) = %v, want a fit", c.alg, err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("CheckFit(%s) = %v, want an error containing %q", c.alg, err, c.want)
			}
		})
	}
}

func TestReadPrivateRefusals(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := x509.MarshalPKIXPublicKey(p256.Public())
	for name, c := range map[string]struct {
		path, want string
	}{
		"small RSA":  {writePEM(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), "1024 bits"},
		"public key": {writePEM(t, "PUBLIC KEY", pub), "is not a private key"},
		"encrypted":  {writePEM(t, "ENCRYPTED PRIVATE KEY", []byte{1}), "encrypted"},
		"not PEM":    {writePEM(t, "X", nil)[:0] + "/dev/null", "no PEM block"},
	} {
		if _, err := ReadPrivate(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: ReadPrivate = %v, want an error containing %q", name, err, c.want)
		}
	}
}

func TestReadPublic(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(p256.Public())
	key, err := ReadPublic(writePEM(t, "PUBLIC KEY", der))
	if err != nil || !Fits(key, "ES256") {
		t.Fatalf("ReadPublic = %v, %v; want a P-256 key", key, err)
	}
	priv, _ := x509.MarshalECPrivateKey(p256)
	if _, err := ReadPublic(writePEM(t, "EC PRIVATE KEY", priv)); err == nil || !strings.Contains(err.Error(), "never give a private key") {
		t.Fatalf("ReadPublic of a private key = %v, want a refusal", err)
	}
}
