package caddymodule

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// Session selects how the user is identified.
type Session struct {
	// Method is one of:
	//   - auth_user: the user id an earlier authentication handler (basic_auth,
	//     forward_auth, ...) set as {http.auth.user.id}; without one, 401.
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

// JWTSession verifies the app's own session JWT. A verified session
// publishes {http.auth.user.id} and {http.auth.user.<claim>} for every
// top-level claim (scalars as text, arrays and objects as JSON).
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
	// JWKS is the URL of the identity provider's key set. It is fetched in
	// the background after start (never at provision), cached per URL for
	// all handlers and across reloads, and refreshed by its Cache-Control.
	JWKS string `json:"jwks,omitempty"`
	// Algorithms accepted. Default: those of the configured keys (HS* for
	// secrets; RS*/PS* for RSA, ES* by curve, EdDSA; for a JWKS, all of
	// RS*, PS*, ES* and EdDSA). none is never accepted.
	Algorithms []string `json:"algorithms,omitempty"`
	// Issuers accepted (iss); none configured: any.
	Issuers []string `json:"issuers,omitempty"`
	// Audiences, one of which aud must hold; none configured: any. A wrong
	// audience is 401 invalid_token (RFC 6750: the token is not for us).
	Audiences []string `json:"audiences,omitempty"`
	// Leeway for exp, nbf and iat. Default: 30s.
	Leeway caddy.Duration `json:"leeway,omitempty"`
	// UserClaim names the claim that holds the user id. Default: sub.
	UserClaim string `json:"user_claim,omitempty"`
	// Require maps a claim to the values it must hold one of (for an array
	// claim: contain one of); else 403.
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

// sessionJWKSOptions tune the JWKS caches of sessions (the defaults of
// jwksOptions); tests shorten the intervals.
var sessionJWKSOptions jwksOptions

// maxSessionToken caps a session token's size.
const maxSessionToken = 8 << 10

// sessionError is a refusal of the session itself, answered per RFC 6750.
type sessionError struct {
	status int    // 400, 401, 403 or 503
	code   string // RFC 6750 error code; "" when no credential was sent
	reason string // a short fixed word for metrics: expired, bad_signature, ...
	desc   string // why, without the token or a key
}

func (e *sessionError) Error() string { return e.desc }

func noCredential(desc string) *sessionError {
	return &sessionError{status: http.StatusUnauthorized, reason: "no_credential", desc: desc}
}

func invalidToken(reason, desc string) *sessionError {
	return &sessionError{status: http.StatusUnauthorized, code: "invalid_token", reason: reason, desc: desc}
}

func insufficientScope(reason, desc string) *sessionError {
	return &sessionError{status: http.StatusForbidden, code: "insufficient_scope", reason: reason, desc: desc}
}

// identity is a verified session: the user and every top-level claim as
// placeholder text.
type identity struct {
	user   string
	kid    string           // the JWKS key that verified it, by kid
	key    crypto.PublicKey // the JWKS key that verified a token without kid
	claims []claimText
	exp    time.Time
}

type claimText struct{ key, text string } // key: "http.auth.user.<claim>"

// jwtVerifier is a JWTSession compiled at provision.
type jwtVerifier struct {
	from      []Credential
	secrets   [][]byte
	static    []crypto.PublicKey
	jwksURL   string
	jwks      *jwksCache
	algs      []string
	leeway    time.Duration
	userClaim string
	issuers   []string
	audiences []string
	require   map[string][]string
	strip     bool
	realm     string
	parser    *jwt.Parser
	cache     *sessionCache
	cacheHit  prometheus.Counter
	cacheMiss prometheus.Counter
	logger    *zap.Logger
}

// checkJWTSession checks a JWTSession without resolving secrets or reading
// files (adapt time).
func checkJWTSession(s *JWTSession) error {
	if s == nil {
		return errors.New("session jwt needs a block with secret, public_key or jwks")
	}
	if len(s.Secrets) == 0 && len(s.PublicKeys) == 0 && s.JWKS == "" {
		return errors.New("session jwt needs at least one key: secret, public_key or jwks")
	}
	for _, c := range s.From {
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
	}
	for _, a := range s.Algorithms {
		if strings.EqualFold(a, "none") {
			return errors.New("algorithm none is never accepted")
		}
		if jwt.GetSigningMethod(a) == nil || !keys.Known(a) {
			return fmt.Errorf("unknown algorithm %q; use HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA", a)
		}
		if strings.HasPrefix(a, "HS") && len(s.Secrets) == 0 {
			return fmt.Errorf("algorithm %s needs a secret", a)
		}
		if !strings.HasPrefix(a, "HS") && len(s.PublicKeys) == 0 && s.JWKS == "" {
			return fmt.Errorf("algorithm %s needs a public_key or jwks", a)
		}
	}
	if s.JWKS != "" {
		if err := checkKeyURL(s.JWKS); err != nil {
			return fmt.Errorf("jwks %v", err)
		}
	}
	if s.Leeway < 0 {
		return errors.New("leeway must not be negative")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newJWTVerifier compiles s: resolves secrets, reads PEM files, acquires the
// JWKS cache (no network), derives the algorithms.
func newJWTVerifier(s *JWTSession, logger *zap.Logger) (*jwtVerifier, error) {
	if err := checkJWTSession(s); err != nil {
		return nil, err
	}
	initMetrics()
	v := &jwtVerifier{
		from: s.From, leeway: time.Duration(s.Leeway), userClaim: s.UserClaim,
		issuers: s.Issuers, audiences: s.Audiences, require: s.Require, strip: s.Strip,
		realm: s.Realm, logger: logger,
	}
	if len(v.from) == 0 {
		v.from = []Credential{{Source: "header", Name: "Authorization", Scheme: "Bearer"}}
	}
	if v.leeway == 0 {
		v.leeway = 30 * time.Second
	}
	if v.userClaim == "" {
		v.userClaim = "sub"
	}
	if v.realm == "" {
		v.realm = "tokenmint"
	}
	var derived []string
	for i, sec := range s.Secrets {
		r, err := resolveSecret(sec)
		if err != nil {
			return nil, fmt.Errorf("session jwt %v", err)
		}
		if len(placeholderKeys(sec)) == 0 {
			logger.Warn("a session secret is written literally in the config, where the admin API shows it; use {env.NAME} or {file.PATH}",
				zap.Int("secret", i+1))
		}
		if len(r) < 32 {
			logger.Warn("a session secret is shorter than 32 bytes: HS256 wants at least 256 bits (RFC 7518 section 3.2), and a short one can be guessed offline from any session token",
				zap.Int("secret", i+1), zap.Int("bytes", len(r)))
		}
		v.secrets = append(v.secrets, []byte(r))
	}
	if len(v.secrets) > 0 {
		derived = append(derived, keys.HMAC...)
	}
	for _, path := range s.PublicKeys {
		key, err := keys.ReadPublic(path)
		if err != nil {
			return nil, fmt.Errorf("session jwt public_key %s: %v", path, err)
		}
		v.static = append(v.static, key)
		derived = appendNew(derived, keys.Algorithms(key)...)
	}
	if s.JWKS != "" {
		derived = appendNew(derived, keys.RSA...)
		derived = appendNew(derived, keys.EC...)
		derived = appendNew(derived, "EdDSA")
		opts := sessionJWKSOptions
		opts.Logger = logger
		cache, err := acquireJWKS(s.JWKS, opts)
		if err != nil {
			return nil, fmt.Errorf("session jwt jwks: %v", err)
		}
		v.jwks, v.jwksURL = cache, s.JWKS
	}
	v.algs = s.Algorithms
	if len(v.algs) == 0 {
		v.algs = derived
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.algs), jwt.WithExpirationRequired(), jwt.WithLeeway(v.leeway),
		jwt.WithIssuedAt(), jwt.WithJSONNumber(), jwt.WithTimeFunc(func() time.Time { return now() }),
	}
	v.parser = jwt.NewParser(opts...)
	size := s.CacheSize
	if size == 0 {
		size = 10000
	}
	if size > 0 {
		v.cache = newSessionCache(size)
		v.cacheHit = metrics.cache.WithLabelValues("session", "hit")
		v.cacheMiss = metrics.cache.WithLabelValues("session", "miss")
	}
	return v, nil
}

// close releases the JWKS cache.
func (v *jwtVerifier) close() {
	if v.jwks != nil {
		releaseJWKS(v.jwksURL)
		v.jwks = nil
	}
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// credential finds the session token. It returns "" and nil when the
// request carries none.
func (v *jwtVerifier) credential(r *http.Request) (string, *Credential, *sessionError) {
	var found string
	var where *Credential
	otherScheme := "" // a header that is there without our scheme
	for i := range v.from {
		c := &v.from[i]
		var vals []string
		switch c.Source {
		case "cookie":
			for _, ck := range r.CookiesNamed(c.Name) {
				vals = append(vals, ck.Value)
			}
		case "header":
			for _, hv := range r.Header.Values(c.Name) {
				if c.Scheme == "" {
					vals = append(vals, strings.TrimSpace(hv))
					continue
				}
				scheme, tok, ok := strings.Cut(strings.TrimSpace(hv), " ")
				if !ok || !strings.EqualFold(scheme, c.Scheme) {
					otherScheme = c.Name + " header does not use the " + c.Scheme + " scheme"
					continue
				}
				vals = append(vals, strings.TrimSpace(tok))
			}
		}
		for _, val := range vals {
			if val == "" {
				continue
			}
			if found != "" {
				return "", nil, &sessionError{status: http.StatusBadRequest, code: "invalid_request", reason: "several_credentials",
					desc: "the request carries more than one session credential"}
			}
			found, where = val, c
		}
	}
	if found == "" {
		if otherScheme != "" {
			return "", nil, noCredential("no session credential: the " + otherScheme)
		}
		return "", nil, noCredential("no session credential")
	}
	return found, where, nil
}

// authenticate verifies the request's session and returns its identity.
func (v *jwtVerifier) authenticate(r *http.Request) (*identity, *Credential, *sessionError) {
	tok, where, serr := v.credential(r)
	if serr != nil {
		return nil, nil, serr
	}
	if len(tok) > maxSessionToken {
		return nil, nil, invalidToken("too_large", "the token is larger than 8 KiB")
	}
	nowT := now()
	var key sessionKey
	if v.cache != nil {
		key = v.cache.key(tok)
		// A cached session stands only while the JWKS key that verified it
		// is still published: a key the provider removed revokes it.
		if id, ok := v.cache.get(key, nowT); ok && v.stillPublished(id) {
			v.cacheHit.Inc()
			return id, where, nil
		}
		v.cacheMiss.Inc()
	}
	id, serr := v.verify(r.Context(), tok)
	if serr != nil {
		return nil, nil, serr
	}
	if v.cache != nil {
		v.cache.put(key, id, nowT)
	}
	return id, where, nil
}

var (
	errUnknownKey   = errors.New("no configured key has the token's kid")
	errNoKeyForAlg  = errors.New("no configured key fits the token's algorithm")
	errKeysNotReady = errors.New("the identity provider's keys are not available")
)

type keysUnavailable struct{ err error }

func (e *keysUnavailable) Error() string { return errKeysNotReady.Error() + ": " + e.err.Error() }
func (e *keysUnavailable) Unwrap() error { return errKeysNotReady }

func (v *jwtVerifier) verify(ctx context.Context, tok string) (*identity, *sessionError) {
	var kid, viaKID string
	var jwksKeys []crypto.PublicKey // JWKS keys offered for a token without kid
	keyfunc := func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		kid, _ = t.Header["kid"].(string)
		if strings.HasPrefix(alg, "HS") {
			if len(v.secrets) == 0 {
				return nil, errNoKeyForAlg
			}
			set := jwt.VerificationKeySet{Keys: make([]jwt.VerificationKey, len(v.secrets))}
			for i, s := range v.secrets {
				set.Keys[i] = s
			}
			return set, nil
		}
		var set jwt.VerificationKeySet
		if v.jwks != nil {
			if kid != "" {
				k, ok, err := v.jwks.Lookup(ctx, kid)
				if ok && keys.Fits(k.Key, alg) && (k.Alg == "" || k.Alg == alg) {
					viaKID = kid
					return k.Key, nil // kid selects the key
				}
				if !ok && err != nil && !v.jwks.ready() && len(v.static) == 0 {
					return nil, &keysUnavailable{err}
				}
			} else {
				published, err := v.jwks.Keys(ctx)
				if err != nil && len(v.static) == 0 {
					return nil, &keysUnavailable{err}
				}
				for _, k := range published {
					if keys.Fits(k.Key, alg) && (k.Alg == "" || k.Alg == alg) {
						set.Keys = append(set.Keys, k.Key)
						jwksKeys = append(jwksKeys, k.Key)
					}
				}
			}
		}
		for _, k := range v.static {
			if keys.Fits(k, alg) {
				set.Keys = append(set.Keys, k)
			}
		}
		if len(set.Keys) == 0 {
			if kid != "" {
				return nil, errUnknownKey
			}
			return nil, errNoKeyForAlg
		}
		return set, nil
	}

	var claims jwt.MapClaims
	parsed, err := v.parser.ParseWithClaims(tok, &claims, keyfunc)
	if err != nil {
		return nil, v.reason(parsed, kid, err)
	}

	iss, _ := claims["iss"].(string)
	if len(v.issuers) > 0 && !contains(v.issuers, iss) {
		v.logRefusal("wrong issuer", kid, iss)
		return nil, invalidToken("wrong_issuer", "the token's issuer is not accepted")
	}
	if len(v.audiences) > 0 {
		aud, _ := claims.GetAudience()
		ok := false
		for _, a := range aud {
			ok = ok || contains(v.audiences, a)
		}
		if !ok {
			v.logRefusal("wrong audience", kid, iss)
			return nil, invalidToken("wrong_audience", "the token is not for this audience")
		}
	}
	user := scalarText(claims[v.userClaim])
	if user == "" {
		v.logRefusal("no user claim", kid, iss)
		return nil, invalidToken("no_user", "the token has no "+v.userClaim+" claim")
	}
	for name, want := range v.require {
		if !holdsOneOf(claims[name], want) {
			v.logRefusal("require failed", kid, iss)
			return nil, insufficientScope("require_failed", "the session's "+name+" claim does not grant this")
		}
	}

	id := &identity{user: user, kid: viaKID, claims: make([]claimText, 0, len(claims))}
	if len(jwksKeys) > 0 {
		// A token without kid verified against a set: find the key that
		// did, so that its removal from the JWKS revokes the session.
		signing := tok[:strings.LastIndexByte(tok, '.')]
		for _, k := range jwksKeys {
			if parsed.Method.Verify(signing, parsed.Signature, k) == nil {
				id.key = k
				break
			}
		}
	}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		id.exp = exp.Add(v.leeway)
	}
	for name, val := range claims {
		if name == "id" {
			continue // {http.auth.user.id} is the verified user (user_claim), never a claim's copy
		}
		id.claims = append(id.claims, claimText{key: "http.auth.user." + name, text: claimPlaceholderText(val)})
	}
	return id, nil
}

// reason maps a parse error to an RFC 6750 refusal naming the cause.
func (v *jwtVerifier) reason(parsed *jwt.Token, kid string, err error) *sessionError {
	var ku *keysUnavailable
	if errors.As(err, &ku) {
		v.logRefusal("jwks unavailable", kid, "")
		return &sessionError{status: http.StatusServiceUnavailable, code: "temporarily_unavailable", reason: "keys_unavailable",
			desc: "the identity provider's keys could not be fetched yet; retry shortly"}
	}
	reason, desc := "invalid", "the token is invalid"
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		reason, desc = "malformed", "the token is malformed"
	case errors.Is(err, errUnknownKey):
		reason, desc = "unknown_kid", "the token's key id (kid) is unknown"
	case errors.Is(err, errNoKeyForAlg):
		reason, desc = "no_key", "no configured key verifies the token's algorithm"
	case parsed != nil && parsed.Method != nil && !contains(v.algs, parsed.Method.Alg()),
		parsed != nil && parsed.Method == nil && parsed.Header != nil:
		alg, _ := parsed.Header["alg"].(string)
		reason, desc = "bad_algorithm", "the token's algorithm "+strconv.Quote(alg)+" is not accepted"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		reason, desc = "bad_signature", "the token's signature is invalid"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		reason, desc = "no_exp", "the token has no exp"
	case errors.Is(err, jwt.ErrTokenExpired):
		reason, desc = "expired", "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		reason, desc = "not_yet_valid", "the token is not valid yet (nbf)"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		reason, desc = "issued_in_future", "the token is issued in the future (iat)"
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		reason, desc = "bad_claims", "the token's claims are malformed"
	}
	v.logRefusal(desc, kid, "")
	return invalidToken(reason, desc)
}

func (v *jwtVerifier) logRefusal(reason, kid, iss string) {
	if c := v.logger.Check(zapcore.InfoLevel, "session refused"); c != nil {
		c.Write(zap.String("reason", reason), zap.String("kid", kid), zap.String("issuer", iss))
	}
}

// scalarText renders a string or number claim as the user id.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// claimPlaceholderText renders a claim for {http.auth.user.<claim>}:
// scalars as text, arrays and objects as JSON.
func claimPlaceholderText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// holdsOneOf reports whether a claim equals one of want or, as an array,
// contains one of them.
func holdsOneOf(v any, want []string) bool {
	if arr, ok := v.([]any); ok {
		for _, it := range arr {
			if contains(want, claimPlaceholderText(it)) {
				return true
			}
		}
		return false
	}
	if v == nil {
		return false
	}
	return contains(want, claimPlaceholderText(v))
}

// stripCredential removes the session credential from the request.
func stripCredential(r *http.Request, c *Credential) {
	switch c.Source {
	case "header":
		r.Header.Del(c.Name)
	case "cookie":
		var keep []string
		for _, ck := range r.Cookies() {
			if ck.Name != c.Name {
				keep = append(keep, (&http.Cookie{Name: ck.Name, Value: ck.Value, Quoted: ck.Quoted}).String())
			}
		}
		r.Header.Del("Cookie")
		if len(keep) > 0 {
			r.Header.Set("Cookie", strings.Join(keep, "; "))
		}
	}
}

// challenge is the WWW-Authenticate value for a refusal (RFC 6750 section 3).
func (v *jwtVerifier) challenge(e *sessionError) string {
	s := `Bearer realm="` + v.realm + `"`
	if e.code != "" && e.code != "temporarily_unavailable" {
		s += `, error="` + e.code + `", error_description="` + strings.ReplaceAll(e.desc, `"`, `'`) + `"`
	}
	return s
}

// stillPublished reports whether the JWKS key that verified a cached
// session is still in the set: a key the provider removed revokes it.
func (v *jwtVerifier) stillPublished(id *identity) bool {
	switch {
	case id.kid != "":
		return v.jwks.has(id.kid)
	case id.key != nil:
		return v.jwks.hasKey(id.key)
	}
	return true
}

// hasKey reports whether the current key set holds key, without fetching.
func (c *jwksCache) hasKey(key crypto.PublicKey) bool {
	s := c.set.Load()
	if s == nil {
		return false
	}
	eq, ok := key.(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return false
	}
	for _, k := range s.keys {
		if eq.Equal(k.Key) {
			return true
		}
	}
	return false
}

// has reports whether the current key set publishes kid, without fetching.
func (c *jwksCache) has(kid string) bool {
	s := c.set.Load()
	if s == nil {
		return false
	}
	_, ok := s.byKID[kid]
	return ok
}

// ready reports whether a key set has been fetched.
func (c *jwksCache) ready() bool { return c.set.Load() != nil }
