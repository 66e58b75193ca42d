package caddymodule

import (
	"fmt"
	"strings"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// newSigner makes the signer: HMAC from Secret, or asymmetric from
// SigningKey. At adapt time (resolve unset) nothing is read: secret is a
// stand-in and a signing key is represented by its algorithm alone.
func (h *Handler) newSigner(p *tokens.Preset, resolve bool) (tokens.Signer, error) {
	algs := p.Algorithms
	if len(algs) == 0 {
		algs = []string{"HS256"}
	}
	switch {
	case h.Secret != "" && h.SigningKey != "":
		return nil, fmt.Errorf("give secret (HMAC) or signing_key (RS/PS/ES/EdDSA), not both")
	case h.Secret == "" && h.SigningKey == "":
		if !strings.HasPrefix(algs[0], "HS") {
			return nil, fmt.Errorf("%s needs `signing_key <pem file>` or `keyring <name>` to sign with (%s)", p.Name, strings.Join(algs, ", "))
		}
		if !strings.HasPrefix(algs[len(algs)-1], "HS") {
			return nil, fmt.Errorf("%s needs `secret <value>` (write it as {env.NAME} or {file.PATH}), `signing_key <pem file>` or `keyring <name>` to sign with", p.Name)
		}
		return nil, fmt.Errorf("%s needs `secret <value>` to sign with; write it as {env.NAME} or {file.PATH}", p.Name)
	case h.Secret != "":
		alg := h.Algorithm
		if alg == "" {
			for _, a := range algs {
				if strings.HasPrefix(a, "HS") {
					alg = a
					break
				}
			}
			if alg == "" {
				return nil, fmt.Errorf("%s signs with %s: give `signing_key <pem file>`, not a secret", p.Name, strings.Join(algs, ", "))
			}
		}
		secret := []byte("adapt-time-check") // a stand-in until provision
		if resolve {
			r, err := resolveSecret(h.Secret)
			if err != nil {
				return nil, err
			}
			secret = []byte(r)
		}
		s, err := tokens.NewHMAC(alg, secret)
		if err != nil {
			return nil, fmt.Errorf("secret: %v", err)
		}
		return s, nil
	}
	if !resolve {
		alg := h.Algorithm
		if alg == "" {
			for _, a := range algs {
				if !strings.HasPrefix(a, "HS") {
					alg = a
					break
				}
			}
		}
		if alg == "" || strings.HasPrefix(alg, "HS") {
			return nil, fmt.Errorf("signing_key: %s signs with %s; an HMAC algorithm takes a secret", p.Name, strings.Join(algs, ", "))
		}
		return standinSigner(alg), nil
	}
	path, err := resolveGlobal(h.SigningKey)
	if err != nil {
		return nil, fmt.Errorf("signing_key: %v", err)
	}
	key, err := keys.ReadPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("signing_key %s: %v", path, err)
	}
	alg := h.Algorithm
	if alg == "" {
		for _, a := range algs {
			if keys.Fits(key.Public(), a) {
				alg = a
				break
			}
		}
		if alg == "" {
			return nil, fmt.Errorf("signing_key %s: a %s key fits none of %s's algorithms (%s)", path, keys.Kind(key.Public()), p.Name, strings.Join(algs, ", "))
		}
	} else if err := keys.CheckFit(key.Public(), alg); err != nil {
		return nil, fmt.Errorf("signing_key %s with algorithm %s: %v; change the algorithm or the key", path, alg, err)
	}
	s, err := tokens.NewAsymmetric(alg, key)
	if err != nil {
		return nil, fmt.Errorf("signing_key %s: %v", path, err)
	}
	return s, nil
}

// standinSigner stands in for a signing key at adapt time.
type standinSigner string

func (s standinSigner) Alg() string { return string(s) }

func (s standinSigner) Size() int { return 64 }

func (s standinSigner) Sign(dst, _ []byte) ([]byte, error) {
	return append(dst, make([]byte, 64)...), nil
}
