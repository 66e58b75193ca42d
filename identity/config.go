package identity

import (
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/zap"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// Credential says where a session token travels.
type Credential struct {
	// Source is cookie or header. (A token in the query string is refused:
	// it would reach access logs, browser history and Referer headers.)
	// The header is Authorization or Proxy-Authorization: Caddy's logs
	// redact those and Cookie, and would write any other header.
	Source string
	// Name of the cookie or header.
	Name string
	// Scheme precedes the token in a header ("Bearer").
	Scheme string
}

// Issuer is an OpenID Connect identity provider. Its keys are found through
// its discovery document, and a token whose iss names it verifies with
// those keys only. Empty fields take the session's values.
type Issuer struct {
	// URL is the issuer exactly as its tokens' iss and its discovery
	// document's issuer write it (trailing slash included, or not).
	URL        string
	Audiences  []string
	UserClaim  string
	Require    map[string][]string
	Algorithms []string
}

// Config is what a Verifier checks: where the token travels, the keys that
// verify it and what its claims must say. Secrets are resolved and public
// keys parsed by the caller.
type Config struct {
	// From lists where the token may travel, tried in order; a request that
	// carries it in more than one place is refused (RFC 6750 section 2).
	// Default: header Authorization Bearer.
	From []Credential
	// Secrets verify HS256/HS384/HS512 tokens; any one verifies (rotation).
	Secrets [][]byte
	// PublicKeys verify RS*, PS*, ES* and EdDSA tokens, by key type.
	PublicKeys []crypto.PublicKey
	// JWKS are key set URLs, fetched in the background.
	JWKS []string
	// OIDC are identity providers found by discovery. A token whose iss
	// names one verifies with its keys only, under its policy; any other
	// token verifies with Secrets, PublicKeys and JWKS.
	OIDC []Issuer
	// Algorithms accepted. Default: those of the configured keys (HS* for
	// secrets; RS*/PS* for RSA, ES* by curve, EdDSA; for a JWKS or an OIDC
	// issuer, all of RS*, PS*, ES* and EdDSA). none is never accepted. An
	// OIDC issuer without algorithms of its own takes the asymmetric ones
	// listed here.
	Algorithms []string
	// Issuers accepted (iss) for tokens that Secrets, PublicKeys and JWKS
	// verify; none: any. (An OIDC issuer is accepted for its own keys.)
	Issuers []string
	// Audiences, one of which aud must hold; none: any. A wrong audience is
	// 401 invalid_token (RFC 6750: the token is not for us).
	Audiences []string
	// Leeway for exp, nbf and iat. Default: 30s.
	Leeway time.Duration
	// UserClaim names the claim that holds the user id. Default: sub.
	UserClaim string
	// Require maps a claim to the values it must hold one of (for an array
	// claim: contain one of); else 403.
	Require map[string][]string
	// Strip removes the credential from the request once verified.
	Strip bool
	// Realm for WWW-Authenticate. Default: tokenmint.
	Realm string
	// CacheSize bounds the verified-session cache (entries). Default
	// 10000; -1 disables it.
	CacheSize int
	// ClaimKeyPrefix prefixes each claim's name in Claim.Key, so that a
	// caller publishes claims without building keys per request (Caddy:
	// "http.auth.user.").
	ClaimKeyPrefix string
}

// Counter counts; a prometheus.Counter is one.
type Counter interface{ Inc() }

// Env is what a Verifier is given: its clock, its logger, the registry
// that shares key sets and how it fetches them, and its counters.
type Env struct {
	// Now tells the time that tokens are checked against. Default: time.Now.
	Now func() time.Time
	// Logger may be nil (no logs).
	Logger *zap.Logger
	// KeySets shares key sets across verifiers. Default: a registry of the
	// verifier's own.
	KeySets *Registry
	// Fetch tunes the key sets this verifier is the first to acquire; its
	// Logger defaults to Logger.
	Fetch FetchOptions
	// CacheHit and CacheMiss count lookups in the verified-session cache.
	CacheHit, CacheMiss Counter
}

// asymmetric are the algorithms a key set or an OIDC issuer verifies.
var asymmetric = slices.Concat(keys.RSA, keys.EC, []string{"EdDSA"})

// Check checks a config without needing its key material: at config time,
// Secrets and PublicKeys may hold stand-ins (their count matters, not their
// value). Errors name the setting as the Caddyfile writes it.
func (c *Config) Check() error {
	own := len(c.Secrets) + len(c.PublicKeys) + len(c.JWKS)
	if own+len(c.OIDC) == 0 {
		return errors.New("needs at least one key: secret, public_key or jwks, or an oidc issuer")
	}
	for _, f := range c.From {
		if err := f.check(); err != nil {
			return err
		}
	}
	if err := checkAlgorithms("", c.Algorithms, len(c.Secrets) > 0, len(c.PublicKeys)+len(c.JWKS)+len(c.OIDC) > 0); err != nil {
		return err
	}
	for i, u := range c.JWKS {
		if err := CheckKeyURL(u); err != nil {
			return fmt.Errorf("jwks %v", err)
		}
		if slices.Contains(c.JWKS[:i], u) {
			return fmt.Errorf("jwks %s is given twice; give each key set once", u)
		}
	}
	asym := slices.ContainsFunc(c.Algorithms, func(a string) bool { return !strings.HasPrefix(a, "HS") })
	for i, is := range c.OIDC {
		if err := CheckIssuerURL(is.URL); err != nil {
			return fmt.Errorf("oidc %v", err)
		}
		if slices.ContainsFunc(c.OIDC[:i], func(o Issuer) bool { return o.URL == is.URL }) {
			return fmt.Errorf("oidc %s is given twice; give each issuer once, with its settings in one block", is.URL)
		}
		if slices.Contains(c.Issuers, is.URL) {
			return fmt.Errorf("issuer %s is also an oidc issuer, whose tokens verify with its discovered keys only; remove it from issuer", is.URL)
		}
		if err := checkAlgorithms(is.URL, is.Algorithms, false, true); err != nil {
			return err
		}
		if len(is.Algorithms) == 0 && len(c.Algorithms) > 0 && !asym {
			return fmt.Errorf("oidc %s: the session's algorithms (%s) are all HMAC, which an OIDC issuer never signs with; add `algorithms RS256 ...` to its block", is.URL, strings.Join(c.Algorithms, " "))
		}
		for claim, want := range is.Require {
			if len(want) == 0 {
				return fmt.Errorf("oidc %s: require %s needs at least one value", is.URL, claim)
			}
		}
	}
	if len(c.Issuers) > 0 && own == 0 {
		return errors.New("issuer lists who may sign for secret, public_key and jwks keys, and there are none: each oidc line is its own issuer; remove issuer")
	}
	for claim, want := range c.Require {
		if len(want) == 0 {
			return fmt.Errorf("require %s needs at least one value", claim)
		}
	}
	if c.Leeway < 0 {
		return errors.New("leeway must not be negative")
	}
	if c.CacheSize < -1 {
		return errors.New("cache_size must be a number of entries, or -1 to disable the cache")
	}
	return nil
}

// checkAlgorithms checks an algorithm list: the session's (issuer "") or an
// OIDC issuer's, whose published keys never verify HMAC.
func checkAlgorithms(issuer string, algs []string, secrets, public bool) error {
	where := ""
	if issuer != "" {
		where = "oidc " + issuer + ": "
	}
	for _, a := range algs {
		switch {
		case strings.EqualFold(a, "none"):
			return fmt.Errorf("%salgorithm none is never accepted", where)
		case jwt.GetSigningMethod(a) == nil || !keys.Known(a):
			return fmt.Errorf("%sunknown algorithm %q; use HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA", where, a)
		case strings.HasPrefix(a, "HS") && issuer != "":
			return fmt.Errorf("%salgorithm %s is HMAC, which an OIDC issuer's published keys never verify; use RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA", where, a)
		case strings.HasPrefix(a, "HS") && !secrets:
			return fmt.Errorf("algorithm %s needs a secret", a)
		case !strings.HasPrefix(a, "HS") && !public:
			return fmt.Errorf("algorithm %s needs a public_key or jwks, or an oidc issuer", a)
		}
	}
	return nil
}

// check refuses sources that Caddy (or any proxy) would write to its logs.
func (c Credential) check() error {
	switch c.Source {
	case "cookie":
		if c.Scheme != "" {
			return fmt.Errorf("from cookie %s: only a header has a scheme", c.Name)
		}
	case "header":
		if n := http.CanonicalHeaderKey(c.Name); n != "Authorization" && n != "Proxy-Authorization" {
			return fmt.Errorf("from header %s: Caddy's logs redact only the Authorization, Proxy-Authorization and Cookie headers, so a session token in %s would be written to access and error logs; send it as Authorization (from header Authorization Bearer) or in a cookie (from cookie <name>)", c.Name, c.Name)
		}
	case "query":
		return fmt.Errorf("from query %s: a session token in the URL reaches access logs, browser history and Referer headers; send it in a header (from header Authorization Bearer) or a cookie (from cookie <name>)", c.Name)
	default:
		return fmt.Errorf("from %q: use cookie <name> or header <Name> [<scheme>]", c.Source)
	}
	if c.Name == "" {
		return fmt.Errorf("from %s needs a name", c.Source)
	}
	return nil
}
