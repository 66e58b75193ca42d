package caddymodule

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// KeyRing is a named set of signing keys (the global option
// provider_token_keys { ring <name> { ... } }): provider_token signs with
// its current key (keyring <name>), and provider_token_jwks publishes its
// public keys. Give Keys or Auto.
type KeyRing struct {
	// Keys are PEM private key files (PKCS #8, PKCS #1 RSA or SEC1 EC),
	// read once at provision; a path may hold {env.*}. The first key signs;
	// every key is published, so a new key can be announced (listed second)
	// before it signs (moved first), and a retired one kept published
	// (listed last) until the tokens it signed have expired.
	Keys []RingKeyFile `json:"keys,omitempty"`

	// Algorithm the first key signs with. For an RSA key: RS256, RS384,
	// RS512, PS256, PS384 or PS512; EC and Ed25519 keys have one.
	// Default: RS256 for RSA, the curve's ES* for EC, EdDSA for Ed25519.
	Algorithm string `json:"algorithm,omitempty"`

	// Auto generates the ring's keys when it is first used, keeps them in
	// Caddy's storage (shared by every instance that shares the storage)
	// and rotates them.
	Auto *AutoKeys `json:"auto,omitempty"`
}

// RingKeyFile is one PEM key of a ring.
type RingKeyFile struct {
	// File is the path of the PEM private key.
	File string `json:"file"`
	// KID is the key's id in headers and the JWKS. Default: the key's RFC
	// 7638 thumbprint (SHA-256, base64url).
	KID string `json:"kid,omitempty"`
}

// AutoKeys configures a ring of generated keys.
type AutoKeys struct {
	// Algorithm of the generated keys: ES256 (P-256), ES384 (P-384),
	// EdDSA (Ed25519), RS256 or PS256 (RSA 2048).
	Algorithm string `json:"algorithm"`

	// Rotate is how long each key signs before the next takes over. The
	// next key is published a tenth of this earlier (the announce
	// period), and a key stays published after it stops signing for the
	// longest ttl of the routes that use the ring, plus the announce
	// period. At least 1m. Default: 30d.
	Rotate caddy.Duration `json:"rotate,omitempty"`
}

// DefaultRotate is an auto ring's rotation period.
const DefaultRotate = 30 * 24 * time.Hour

// minRotate is the shortest rotation period: its announce period (6 s) is
// still longer than its JWKS max-age (1 s) plus the time another instance
// takes to find the new key.
const minRotate = time.Minute

// maxJWKSAge caps a JWKS's max-age; it is also the max-age of rings whose
// keys only change with the config (PEM keys).
const maxJWKSAge = time.Hour

var ringNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// check validates a ring's config without reading anything.
func (kr *KeyRing) check(name string) error {
	if !ringNameRE.MatchString(name) {
		return fmt.Errorf("ring name %q: use letters, digits, - and _ (at most 64)", name)
	}
	switch {
	case kr == nil || (len(kr.Keys) == 0 && kr.Auto == nil):
		return fmt.Errorf("ring %s has no keys: give `key <pem file> [<kid>]` lines or `auto <algorithm>`", name)
	case len(kr.Keys) > 0 && kr.Auto != nil:
		return fmt.Errorf("ring %s: give key lines or auto, not both (a ring's keys are either yours or generated)", name)
	case kr.Auto != nil:
		if kr.Algorithm != "" {
			return fmt.Errorf("ring %s: the algorithm of an auto ring is auto's: auto %s", name, kr.Algorithm)
		}
		if !slices.Contains(keys.Generatable, kr.Auto.Algorithm) {
			return fmt.Errorf("ring %s: auto %q: use one of %s", name, kr.Auto.Algorithm, strings.Join(keys.Generatable, ", "))
		}
		if r := time.Duration(kr.Auto.Rotate); r != 0 && r < minRotate {
			return fmt.Errorf("ring %s: rotate %s is shorter than the minimum of %s", name, r, minRotate)
		}
	default:
		if kr.Algorithm != "" && (!keys.Known(kr.Algorithm) || strings.HasPrefix(kr.Algorithm, "HS")) {
			return fmt.Errorf("ring %s: algorithm %q: a ring signs RS*, PS*, ES* or EdDSA", name, kr.Algorithm)
		}
		kids := map[string]bool{}
		for _, k := range kr.Keys {
			if strings.TrimSpace(k.File) == "" {
				return fmt.Errorf("ring %s: a key needs its PEM file", name)
			}
			if k.KID != "" {
				if kids[k.KID] {
					return fmt.Errorf("ring %s: kid %q names two keys", name, k.KID)
				}
				kids[k.KID] = true
			}
		}
	}
	return nil
}

// rotate is the ring's rotation period, defaulted.
func (a *AutoKeys) rotate() time.Duration {
	if a.Rotate == 0 {
		return DefaultRotate
	}
	return time.Duration(a.Rotate)
}

// alg is the ring's signing algorithm as far as the config says ("" for a
// PEM ring whose key decides).
func (kr *KeyRing) alg() string {
	if kr.Auto != nil {
		return kr.Auto.Algorithm
	}
	return kr.Algorithm
}

// ringKey is one key of a ring: its public half, its JWK, the signer, and
// (for generated keys) its timeline. Values are never changed once shared;
// a new timeline makes a new ringKey around the same *tokens.Key, so that
// templates keep their encoded header.
type ringKey struct {
	kid       string
	alg       string
	pub       crypto.PublicKey
	jwk       json.RawMessage
	key       *tokens.Key
	created   time.Time // zero for PEM keys
	signsFrom time.Time // zero for PEM keys: the first signs
	retiresAt time.Time // zero while it may sign, and for PEM keys
}

// newRingKey wraps a private key: the kid defaults to its thumbprint.
func newRingKey(priv crypto.Signer, kid, alg string) (*ringKey, error) {
	if err := keys.CheckFit(priv.Public(), alg); err != nil {
		return nil, err
	}
	if kid == "" {
		var err error
		if kid, err = keys.Thumbprint(priv.Public()); err != nil {
			return nil, err
		}
	}
	jwk, err := keys.PublicJWK(priv.Public(), kid, alg)
	if err != nil {
		return nil, err
	}
	signer, err := tokens.NewAsymmetric(alg, priv)
	if err != nil {
		return nil, err
	}
	return &ringKey{kid: kid, alg: alg, pub: priv.Public(), jwk: jwk, key: &tokens.Key{KID: kid, Signer: signer}}, nil
}

// publishedAt reports whether the key is in the JWKS at now.
func (k *ringKey) publishedAt(now time.Time) bool {
	return k.retiresAt.IsZero() || now.Before(k.retiresAt)
}

// keyRing is a provisioned ring: its signing source and its keys.
type keyRing struct {
	name   string
	alg    string
	source *tokens.Ring
	static []*ringKey // PEM rings: every key, the first signs
	auto   *autoRing  // auto rings
}

// loadStatic reads a PEM ring's keys.
func loadStatic(name string, kr *KeyRing) (*keyRing, error) {
	r := &keyRing{name: name}
	for i, kf := range kr.Keys {
		path, err := resolveGlobal(kf.File)
		if err != nil {
			return nil, fmt.Errorf("ring %s: key %s: %v", name, kf.File, err)
		}
		priv, err := keys.ReadPrivate(path)
		if err != nil {
			return nil, fmt.Errorf("ring %s: key %s: %v", name, path, err)
		}
		alg := kr.Algorithm
		if i == 0 && alg == "" {
			alg = keys.Algorithms(priv.Public())[0]
		}
		if i > 0 {
			// A published key that does not sign is announced with its
			// own default algorithm, unless it fits the ring's.
			if alg = r.alg; !keys.Fits(priv.Public(), alg) {
				alg = keys.Algorithms(priv.Public())[0]
			}
		}
		if err := keys.CheckFit(priv.Public(), alg); err != nil {
			return nil, fmt.Errorf("ring %s: key %s with algorithm %s: %v; change the algorithm or the key", name, path, alg, err)
		}
		k, err := newRingKey(priv, kf.KID, alg)
		if err != nil {
			return nil, fmt.Errorf("ring %s: key %s: %v", name, path, err)
		}
		for _, other := range r.static {
			if other.kid == k.kid {
				return nil, fmt.Errorf("ring %s: kid %q names two keys (%s is given twice?)", name, k.kid, path)
			}
		}
		if i == 0 {
			r.alg = alg
		}
		r.static = append(r.static, k)
	}
	r.source = tokens.NewRing(r.alg)
	if err := r.source.Set([]tokens.RingKey{{Key: r.static[0].key}}); err != nil {
		return nil, fmt.Errorf("ring %s: %v", name, err)
	}
	return r, nil
}

// published returns the keys a JWKS lists at now, and the time that list
// next changes by itself (zero if never).
func (r *keyRing) published(now time.Time) ([]*ringKey, time.Time) {
	if r.auto == nil {
		return r.static, time.Time{}
	}
	var out []*ringKey
	var until time.Time
	for _, k := range r.auto.keys() {
		if !k.publishedAt(now) {
			continue
		}
		out = append(out, k)
		if !k.retiresAt.IsZero() && (until.IsZero() || k.retiresAt.Before(until)) {
			until = k.retiresAt
		}
	}
	return out, until
}

// version changes whenever the ring's keys do.
func (r *keyRing) version() uint64 {
	if r.auto == nil {
		return 0
	}
	return r.auto.version.Load()
}

// maxAge is how long a verifier may cache the ring's JWKS: a quarter of an
// auto ring's announce period (at most an hour), an hour for PEM keys.
func (r *keyRing) maxAge() time.Duration {
	if r.auto == nil {
		return maxJWKSAge
	}
	return min(r.auto.announce()/4, maxJWKSAge).Truncate(time.Second)
}

// ready reports whether the ring has a key to sign with.
func (r *keyRing) ready() bool { return r.auto == nil || r.auto.isReady() }

// wait waits until the ring has a key, starting an auto ring's first load
// (and its first key, on first use) if nothing has yet.
func (r *keyRing) wait(ctx context.Context) error {
	if r.auto == nil {
		return nil
	}
	return r.auto.wait(ctx)
}
