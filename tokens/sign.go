package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"sync"

	"github.com/golang-jwt/jwt/v5"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// Signer signs a JWT's signing input (base64url header "." base64url
// payload) and appends the raw signature to dst.
type Signer interface {
	Alg() string
	// Size is the length of a signature in bytes.
	Size() int
	Sign(dst, signingInput []byte) ([]byte, error)
}

// NewHMAC returns a signer for HS256, HS384 or HS512. It keeps a pool of
// keyed hashes, so signing allocates nothing.
func NewHMAC(alg string, secret []byte) (Signer, error) {
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return nil, fmt.Errorf("%s is not an HMAC algorithm (want HS256, HS384 or HS512)", alg)
	}
	if len(secret) == 0 {
		return nil, errors.New("the HMAC secret is empty")
	}
	key := append([]byte(nil), secret...)
	s := &hmacSigner{alg: alg, size: h().Size()}
	s.pool.New = func() any { return hmac.New(h, key) }
	return s, nil
}

type hmacSigner struct {
	alg  string
	size int
	pool sync.Pool
}

func (s *hmacSigner) Alg() string { return s.alg }
func (s *hmacSigner) Size() int   { return s.size }

func (s *hmacSigner) Sign(dst, input []byte) ([]byte, error) {
	m := s.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(input)
	dst = m.Sum(dst)
	s.pool.Put(m)
	return dst, nil
}

// NewAsymmetric returns a signer for RS*, PS*, ES* or EdDSA with a parsed
// private key. golang-jwt does the signing, so its key-type checks apply.
func NewAsymmetric(alg string, key crypto.Signer) (Signer, error) {
	m := jwt.GetSigningMethod(alg)
	if m == nil || alg == "none" {
		return nil, fmt.Errorf("unknown signing algorithm %q", alg)
	}
	if err := keys.CheckFit(key.Public(), alg); err != nil {
		return nil, err
	}
	size := 64 // ES256, EdDSA
	switch k := key.(type) {
	case *rsa.PrivateKey:
		size = k.Size()
	case *ecdsa.PrivateKey:
		size = 2 * ((k.Curve.Params().BitSize + 7) / 8)
	}
	return &asymSigner{method: m, key: key, size: size}, nil
}

type asymSigner struct {
	method jwt.SigningMethod
	key    crypto.Signer
	size   int
}

func (s *asymSigner) Alg() string { return s.method.Alg() }
func (s *asymSigner) Size() int   { return s.size }

func (s *asymSigner) Sign(dst, input []byte) ([]byte, error) {
	sig, err := s.method.Sign(string(input), s.key)
	if err != nil {
		return dst, err
	}
	return append(dst, sig...), nil
}
