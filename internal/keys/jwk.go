package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Generatable lists the algorithms Generate makes keys for, as the
// Caddyfile's `auto` takes them.
var Generatable = []string{"ES256", "ES384", "EdDSA", "RS256", "PS256"}

// Generate makes a new private key for alg: P-256 for ES256, P-384 for
// ES384, Ed25519 for EdDSA, RSA 2048 for RS256 and PS256.
func Generate(alg string) (crypto.Signer, error) {
	switch alg {
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "EdDSA":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case "RS256", "PS256":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("cannot generate a key for %q (generated keys: ES256, ES384, EdDSA, RS256, PS256)", alg)
}

// MarshalPrivate encodes a private key as a PKCS #8 PEM block, which
// ParsePrivate reads back.
func MarshalPrivate(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// publicOnly refuses anything but a public key, so that no private part
// can reach a JWK.
func publicOnly(pub crypto.PublicKey) error {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("%T is not a public key", pub)
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of a public key,
// base64url without padding: the kid of a ring key that names none.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	if err := publicOnly(pub); err != nil {
		return "", err
	}
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// PublicJWK returns the JWK (RFC 7517) of a public key: kty, kid, alg, use
// "sig", and n and e (RSA), crv, x and y (EC) or crv and x (OKP). It
// refuses a private key.
func PublicJWK(pub crypto.PublicKey, kid, alg string) (json.RawMessage, error) {
	if err := publicOnly(pub); err != nil {
		return nil, err
	}
	if err := CheckFit(pub, alg); err != nil {
		return nil, err
	}
	return jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"}.MarshalJSON()
}
