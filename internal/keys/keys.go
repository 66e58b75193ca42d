// Package keys reads PEM key files and says which JWS algorithms a key
// signs or verifies. Both sides of tokenmint use it: the signer of provider
// tokens (signing_key, key rings) and the verifier of session tokens
// (public_key), so that a key file means the same thing to both.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// The JWS algorithms by key kind.
var (
	HMAC = []string{"HS256", "HS384", "HS512"}
	RSA  = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	EC   = []string{"ES256", "ES384", "ES512"}
)

// Known reports whether alg is a JWS signature algorithm tokenmint signs or
// verifies (never "none").
func Known(alg string) bool {
	return slices.Contains(HMAC, alg) || slices.Contains(RSA, alg) || slices.Contains(EC, alg) || alg == "EdDSA"
}

// Algorithms lists the algorithms a public key verifies (and its private
// key signs): RS* and PS* for RSA, the one ES* of an EC key's curve, EdDSA
// for Ed25519. It is nil for any other key.
func Algorithms(pub crypto.PublicKey) []string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return RSA
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []string{"ES256"}
		case elliptic.P384():
			return []string{"ES384"}
		case elliptic.P521():
			return []string{"ES512"}
		}
	case ed25519.PublicKey:
		return []string{"EdDSA"}
	}
	return nil
}

// Fits reports whether the public key pub verifies alg. A public key never
// fits an HMAC algorithm.
func Fits(pub crypto.PublicKey, alg string) bool {
	return slices.Contains(Algorithms(pub), alg)
}

// Kind names a key's type for messages: "RSA 2048", "EC P-256", "Ed25519".
func Kind(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", pub), "*")
}

// CheckFit returns an error naming both sides when key does not sign alg:
// "an EC P-256 key signs ES256, not ES384".
func CheckFit(pub crypto.PublicKey, alg string) error {
	if Fits(pub, alg) {
		return nil
	}
	algs := Algorithms(pub)
	if len(algs) == 0 {
		return fmt.Errorf("%s keys are not supported", Kind(pub))
	}
	article := "a"
	if k := Kind(pub); strings.HasPrefix(k, "E") || strings.HasPrefix(k, "RSA") {
		article = "an"
	}
	return fmt.Errorf("%s %s key signs %s, not %s", article, Kind(pub), strings.Join(algs, ", "), alg)
}

// readBlock reads the first PEM block of a file that is not EC PARAMETERS
// (which `openssl ecparam -genkey` writes before the key).
func readBlock(path string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return firstBlock(data)
}

func firstBlock(data []byte) (*pem.Block, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM block found")
		}
		if block.Type != "EC PARAMETERS" {
			return block, nil
		}
	}
}

// ReadPrivate reads a PEM private key file: PKCS#8 (any type), PKCS#1 RSA or
// SEC1 EC. RSA keys need at least 2048 bits.
func ReadPrivate(path string) (crypto.Signer, error) {
	block, err := readBlock(path)
	if err != nil {
		return nil, err
	}
	return parsePrivate(block)
}

// ParsePrivate parses PEM text holding a private key, as ReadPrivate.
func ParsePrivate(data []byte) (crypto.Signer, error) {
	block, err := firstBlock(data)
	if err != nil {
		return nil, err
	}
	return parsePrivate(block)
}

func parsePrivate(block *pem.Block) (crypto.Signer, error) {
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the key is encrypted; give it unencrypted, in a file only Caddy can read")
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("the RSA key has %d bits; providers need at least 2048", k.N.BitLen())
		}
		return k, nil
	case *ecdsa.PrivateKey:
		if Algorithms(k.Public()) == nil {
			return nil, fmt.Errorf("EC curve %s is not supported (use P-256, P-384 or P-521)", k.Curve.Params().Name)
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("unsupported private key type %T", key)
}

// ReadPublic reads a PEM public key or certificate file (RSA, EC or
// Ed25519). A private key is refused: a verifier never needs one.
func ReadPublic(path string) (crypto.PublicKey, error) {
	block, err := readBlock(path)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("PEM block %q is not a public key or certificate (never give a private key)", block.Type)
	}
	if err != nil {
		return nil, err
	}
	if Algorithms(key) == nil {
		return nil, fmt.Errorf("unsupported key type %T", key)
	}
	return key, nil
}
