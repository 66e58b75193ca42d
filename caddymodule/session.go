package caddymodule

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/tokenmint/caddy-tokenmint/identity"
	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// Session selects how the user is identified.
type Session struct {
	// Method is one of:
	//   - auth_user: the user id an earlier authentication handler
	//     (session_jwt, basic_auth, forward_auth, ...) set as
	//     {http.auth.user.id}; without one, 401.
	//   - anonymous: mint without a user; must be written out.
	//   - header: the user id is in the request header Header, as placed by
	//     forward_auth's copy_headers; without one, 401.
	//   - jwt: the app's own session JWT, verified as JWT says.
	// Default: auth_user.
	Method string `json:"method"`

	// Header holds the user id (method header).
	Header string `json:"header,omitempty"`

	// JWT configures method jwt.
	JWT *JWTSession `json:"jwt,omitempty"`
}

// Credential says where a session JWT travels.
type Credential struct {
	// Source is cookie or header. (A token in the query string is refused:
	// it would reach access logs, browser history and Referer headers.)
	// The header is Authorization or Proxy-Authorization: Caddy's logs
	// redact those and Cookie, and would write any other header.
	Source string `json:"source"`
	// Name of the cookie or header.
	Name string `json:"name"`
	// Scheme precedes the token in a header ("Bearer").
	Scheme string `json:"scheme,omitempty"`
}

// JWTSession verifies the app's own session JWT, or an identity provider's
// token. A verified session publishes {http.auth.user.id} and
// {http.auth.user.<claim>} for every top-level claim (scalars as text,
// arrays and objects as JSON). provider_token's `session jwt` and the
// session_jwt authentication provider take the same fields.
type JWTSession struct {
	// From lists where the token may travel, tried in order; a request that
	// carries it in more than one place is refused (RFC 6750 section 2).
	// Default: header Authorization Bearer.
	From []Credential `json:"from,omitempty"`
	// Secrets verify HS256/HS384/HS512 tokens; any one verifies (rotation).
	// {env.*} and {file.*} are resolved at provision.
	Secrets []string `json:"secrets,omitempty"`
	// PublicKeys are PEM files (RSA, ECDSA or Ed25519 public keys or
	// certificates), read at provision.
	PublicKeys []string `json:"public_keys,omitempty"`
	// JWKS are URLs of key sets (one URL may be written as a string). Each
	// is fetched in the background after start (never at provision),
	// shared per URL by all handlers and across reloads, and refreshed by
	// its Cache-Control.
	JWKS URLList `json:"jwks,omitempty"`
	// OIDC are OpenID Connect identity providers, found by discovery as
	// JWKS are fetched. A token whose iss names one verifies with its keys
	// only, under its settings; any other token verifies with the secrets,
	// public keys and JWKS.
	OIDC []OIDCIssuer `json:"oidc,omitempty"`
	// Algorithms accepted. Default: those of the configured keys (HS* for
	// secrets; RS*/PS* for RSA, ES* by curve, EdDSA; for a JWKS or an OIDC
	// issuer, all of RS*, PS*, ES* and EdDSA). none is never accepted.
	Algorithms []string `json:"algorithms,omitempty"`
	// Issuers accepted (iss) for tokens the secrets, public keys and JWKS
	// verify; none configured: any. (An OIDC issuer is accepted for its
	// own keys.)
	Issuers []string `json:"issuers,omitempty"`
	// Audiences, one of which aud must hold; none configured: any. A wrong
	// audience is 401 invalid_token (RFC 6750: the token is not for us).
	// The default for OIDC issuers too.
	Audiences []string `json:"audiences,omitempty"`
	// Leeway for exp, nbf and iat. Default: 30s.
	Leeway caddy.Duration `json:"leeway,omitempty"`
	// UserClaim names the claim that holds the user id. Default: sub (for
	// OIDC issuers too).
	UserClaim string `json:"user_claim,omitempty"`
	// Require maps a claim to the values it must hold one of (for an array
	// claim: contain one of); else 403. The default for OIDC issuers too.
	Require map[string][]string `json:"require,omitempty"`
	// Strip removes the session credential from the request before it goes
	// on (inject mode, or later handlers).
	Strip bool `json:"strip,omitempty"`
	// Realm for WWW-Authenticate. Default: tokenmint.
	Realm string `json:"realm,omitempty"`
	// CacheSize bounds the verified-session cache (entries). Default 10000;
	// -1 disables it.
	CacheSize int `json:"cache_size,omitempty"`
}

// OIDCIssuer is an OpenID Connect identity provider. tokenmint fetches
// <issuer>/.well-known/openid-configuration in the background (never at
// provision), checks that the document names this issuer exactly, and
// fetches the key set its jwks_uri names. Fields left out take the
// session's values.
type OIDCIssuer struct {
	// Issuer is the provider's issuer URL, exactly as its tokens' iss
	// writes it (https; http only to loopback).
	Issuer string `json:"issuer"`
	// Audiences, one of which aud must hold. Default: the session's.
	Audiences []string `json:"audiences,omitempty"`
	// UserClaim names the claim that holds the user id. Default: the
	// session's.
	UserClaim string `json:"user_claim,omitempty"`
	// Require maps a claim to the values it must hold one of. Default: the
	// session's.
	Require map[string][]string `json:"require,omitempty"`
	// Algorithms accepted. Default: the session's asymmetric ones, or RS*,
	// PS*, ES* and EdDSA.
	Algorithms []string `json:"algorithms,omitempty"`
}

// URLList is a list of URLs; JSON may write a single one as a string.
type URLList []string

// UnmarshalJSON reads a string or an array of strings.
func (l *URLList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*l = URLList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("jwks: want a URL or an array of URLs")
	}
	*l = many
	return nil
}

// MarshalJSON writes one URL as a string, as configs before several JWKS
// did.
func (l URLList) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]string(l))
}

// sessionFetch tunes the key sets of sessions (identity's defaults when
// zero); tests shorten the intervals.
var sessionFetch identity.FetchOptions

// keySets shares key sets per JWKS URL and per OIDC issuer across every
// handler, session_jwt provider and config reload of the process.
var keySets = identity.NewRegistry()

// claimKeyPrefix is where a session's claims are published.
const claimKeyPrefix = "http.auth.user."

// checkJWTSession checks a JWTSession without resolving secrets or reading
// files (adapt time). name is how the config names it: "session jwt" or
// "session_jwt".
func checkJWTSession(s *JWTSession, name string) error {
	if s == nil {
		return fmt.Errorf("%s needs a block with secret, public_key, jwks or oidc", name)
	}
	cfg, err := s.config(false, nil)
	if err != nil {
		return fmt.Errorf("%s %v", name, err)
	}
	if err := cfg.Check(); err != nil {
		return fmt.Errorf("%s %v", name, err)
	}
	return nil
}

// config converts s for package identity. At adapt time (resolve unset)
// nothing is resolved or read: each secret and public key is a stand-in,
// as Check looks at how many there are, not what they hold.
func (s *JWTSession) config(resolve bool, logger *zap.Logger) (identity.Config, error) {
	cfg := identity.Config{
		JWKS: s.JWKS, Algorithms: s.Algorithms, Issuers: s.Issuers, Audiences: s.Audiences,
		Leeway: time.Duration(s.Leeway), UserClaim: s.UserClaim, Require: s.Require, Strip: s.Strip,
		Realm: s.Realm, CacheSize: s.CacheSize, ClaimKeyPrefix: claimKeyPrefix,
	}
	for _, c := range s.From {
		cfg.From = append(cfg.From, identity.Credential(c))
	}
	for _, o := range s.OIDC {
		cfg.OIDC = append(cfg.OIDC, identity.Issuer{URL: o.Issuer, Audiences: o.Audiences, UserClaim: o.UserClaim,
			Require: o.Require, Algorithms: o.Algorithms})
	}
	for i, sec := range s.Secrets {
		if !resolve {
			cfg.Secrets = append(cfg.Secrets, nil)
			continue
		}
		r, err := resolveSecret(sec)
		if err != nil {
			return cfg, err
		}
		if len(placeholderKeys(sec)) == 0 {
			logger.Warn("a session secret is written literally in the config, where the admin API shows it; use {env.NAME} or {file.PATH}",
				zap.Int("secret", i+1))
		}
		if len(r) < 32 {
			logger.Warn("a session secret is shorter than 32 bytes: HS256 wants at least 256 bits (RFC 7518 section 3.2), and a short one can be guessed offline from any session token",
				zap.Int("secret", i+1), zap.Int("bytes", len(r)))
		}
		cfg.Secrets = append(cfg.Secrets, []byte(r))
	}
	for _, path := range s.PublicKeys {
		if !resolve {
			cfg.PublicKeys = append(cfg.PublicKeys, nil)
			continue
		}
		key, err := keys.ReadPublic(path)
		if err != nil {
			return cfg, fmt.Errorf("public_key %s: %v", path, err)
		}
		cfg.PublicKeys = append(cfg.PublicKeys, key)
	}
	return cfg, nil
}

// newJWTVerifier compiles provider_token's session jwt.
func newJWTVerifier(s *JWTSession, logger *zap.Logger) (*identity.Verifier, error) {
	return newVerifier(s, logger, "session jwt")
}

// newVerifier compiles s: resolves secrets, reads PEM files, acquires the
// key sets (no network: the tokenmint app starts them) and wires the
// verifier to tokenmint's clock and metrics.
func newVerifier(s *JWTSession, logger *zap.Logger, name string) (*identity.Verifier, error) {
	if s == nil {
		return nil, fmt.Errorf("%s needs a block with secret, public_key, jwks or oidc", name)
	}
	initMetrics()
	cfg, err := s.config(true, logger)
	if err != nil {
		return nil, fmt.Errorf("%s %v", name, err)
	}
	fetch := sessionFetch
	fetch.Logger, fetch.Observer = logger, fetchMetrics{}
	v, err := identity.New(cfg, identity.Env{
		Now:       func() time.Time { return now() },
		Logger:    logger,
		KeySets:   keySets,
		Fetch:     fetch,
		CacheHit:  metrics.cache.WithLabelValues("session", "hit"),
		CacheMiss: metrics.cache.WithLabelValues("session", "miss"),
	})
	if err != nil {
		return nil, fmt.Errorf("%s %v", name, err)
	}
	return v, nil
}

// startVerifier has the tokenmint app start v's key sets when Caddy runs
// the config (never at `caddy validate`).
func startVerifier(ctx caddy.Context, v *identity.Verifier) error {
	app, err := tokenmintApp(ctx)
	if err != nil {
		return err
	}
	app.onStart(v.Start)
	return nil
}
