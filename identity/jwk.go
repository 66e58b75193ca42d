package identity

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

const acceptJWKS = "application/jwk-set+json, application/json"

// jwksLoader fetches a JWK set from its URL.
type jwksLoader struct{ url string }

func (l jwksLoader) load(ctx context.Context, o *FetchOptions) (fetched, error) {
	body, refresh, err := get(ctx, o, l.url, acceptJWKS)
	if err != nil {
		return fetched{}, err
	}
	got, err := parseJWKSet(body)
	if err != nil {
		return fetched{}, err
	}
	got.refresh = refresh
	return got, nil
}

// jwkMeta are the JWK members read for the checks go-jose leaves to its
// caller (use, key_ops, which curves and algorithms tokenmint verifies) and
// for messages.
type jwkMeta struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Alg    string   `json:"alg"`
	Kid    string   `json:"kid"`
	Crv    string   `json:"crv"`
}

// privateMembers are removed before go-jose sees a key, so that no private
// key material is ever parsed or kept.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// curveSizes are the EC curves verified, by crv, with their coordinate size.
var curveSizes = map[string]int{"P-256": 32, "P-384": 48, "P-521": 66}

// parseJWKSet parses a JWK set. Each member is parsed on its own by
// go-jose's JSONWebKey (go-jose's JSONWebKeySet fails whole on one member
// it cannot read, where RFC 7517 section 5 asks to skip it). Keys that are
// not usable signature keys are skipped, each with a reason (kid and why,
// never key material); a set without a usable key is an error.
func parseJWKSet(data []byte) (fetched, error) {
	var got fetched
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return got, fmt.Errorf("invalid JSON: %v", err)
	}
	if doc.Keys == nil {
		return got, errors.New(`not a JWK set: no "keys" array`)
	}
	set := &published{byKID: make(map[string]Key, len(doc.Keys))}
	for i, raw := range doc.Keys {
		k, kid, private, err := parseJWK(raw)
		if _, dup := set.byKID[kid]; err == nil && dup {
			err = errors.New("duplicate kid; the first one is kept")
		}
		if err != nil {
			name := fmt.Sprintf("key %d", i)
			if kid != "" {
				name = fmt.Sprintf("key %d (kid %q)", i, kid)
			}
			got.skipped = append(got.skipped, name+": "+err.Error())
			continue
		}
		if private {
			got.private = append(got.private, kid) // still usable: the private part was dropped unread
		}
		set.list = append(set.list, k)
		if k.KID != "" {
			set.byKID[k.KID] = k
		}
	}
	if len(set.list) == 0 {
		if len(got.skipped) == 0 {
			return got, errors.New("the set has no keys")
		}
		return got, fmt.Errorf("no usable signature key in the set (%d skipped; first: %s)", len(got.skipped), got.skipped[0])
	}
	got.set = set
	return got, nil
}

// parseJWK parses one signature verification key with go-jose (n and e,
// points on their curve, Ed25519 sizes, an x5c chain and its match with
// the key, x5t thumbprints), after the checks go-jose does not make. It
// returns the kid for messages even when the key is refused.
func parseJWK(raw json.RawMessage) (k Key, kid string, private bool, err error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return Key{}, "", false, err
	}
	var m jwkMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return Key{}, "", false, err
	}
	kid = m.Kid
	if m.Use != "" && m.Use != "sig" {
		return Key{}, kid, false, fmt.Errorf("use %q is not sig", m.Use)
	}
	if len(m.KeyOps) > 0 && !slices.Contains(m.KeyOps, "verify") {
		return Key{}, kid, false, errors.New(`key_ops does not allow "verify"`)
	}
	switch m.Kty {
	case "RSA":
	case "EC":
		if _, ok := curveSizes[m.Crv]; !ok {
			return Key{}, kid, false, fmt.Errorf("EC curve %q is not supported (use P-256, P-384 or P-521)", m.Crv)
		}
	case "OKP":
		if m.Crv != "Ed25519" {
			return Key{}, kid, false, fmt.Errorf("OKP curve %q is not supported (use Ed25519)", m.Crv)
		}
	case "":
		return Key{}, kid, false, errors.New("no kty")
	default:
		return Key{}, kid, false, fmt.Errorf("kty %q is not supported (use RSA, EC or OKP)", m.Kty)
	}
	for _, name := range privateMembers {
		if _, ok := members[name]; ok {
			private = true
			delete(members, name)
		}
	}
	if err := tolerate(members, &m); err != nil {
		return Key{}, kid, false, err
	}
	clean, err := json.Marshal(members)
	if err != nil {
		return Key{}, kid, false, err
	}
	var jk jose.JSONWebKey
	if err := jk.UnmarshalJSON(clean); err != nil {
		return Key{}, kid, false, errors.New(strings.TrimPrefix(err.Error(), "go-jose/go-jose: "))
	}
	if rk, ok := jk.Key.(*rsa.PublicKey); ok {
		// crypto/rsa refuses to verify with moduli under 1024 bits.
		if rk.N.BitLen() < 1024 {
			return Key{}, kid, false, fmt.Errorf("RSA modulus of %d bits is too small", rk.N.BitLen())
		}
		if rk.E < 3 || rk.E%2 == 0 {
			return Key{}, kid, false, errors.New("RSA exponent is out of range")
		}
	}
	alg := m.Alg
	if alg != "" {
		if alg == "Ed25519" {
			alg = "EdDSA"
		}
		if !keys.Known(alg) {
			return Key{}, kid, false, fmt.Errorf("alg %q is not a supported signature algorithm", m.Alg)
		}
		if err := keys.CheckFit(jk.Key, alg); err != nil {
			return Key{}, kid, false, fmt.Errorf("alg %s does not fit the key: %v", m.Alg, err)
		}
	}
	return Key{KID: kid, Alg: alg, Key: jk.Key}, kid, private, nil
}

// tolerate rewrites two habits of real identity providers that RFC 7518
// forbids and go-jose refuses: base64 padding on n, e, x and y, and EC
// coordinates without their leading zero bytes. It also refuses an RSA
// exponent over 4 bytes, which go-jose would truncate.
func tolerate(members map[string]json.RawMessage, m *jwkMeta) error {
	for _, name := range []string{"n", "e", "x", "y"} {
		var s string
		if json.Unmarshal(members[name], &s) != nil {
			continue // absent or not a string: go-jose says why
		}
		trimmed := strings.TrimRight(s, "=")
		b, err := base64.RawURLEncoding.DecodeString(trimmed)
		if err != nil {
			return fmt.Errorf("%s is not base64url", name)
		}
		switch {
		case name == "e" && len(b) > 4:
			return errors.New("RSA exponent is out of range")
		case m.Kty == "EC" && (name == "x" || name == "y") && len(b) < curveSizes[m.Crv]:
			full := make([]byte, curveSizes[m.Crv])
			copy(full[len(full)-len(b):], b)
			trimmed = base64.RawURLEncoding.EncodeToString(full)
		}
		if trimmed != s {
			members[name], _ = json.Marshal(trimmed)
		}
	}
	return nil
}
