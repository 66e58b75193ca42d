// Package identity verifies who is asking: a session JWT from a cookie or
// an Authorization header, checked against HMAC secrets, public keys, JWK
// sets and OpenID Connect issuers found by discovery, with a cache of
// verified sessions. It has no Caddy import: it is given its clock, its
// HTTP client and its logger, and package caddymodule adapts one Verifier
// to provider_token's `session jwt` and to Caddy's authentication handler.
//
// A token whose iss names a configured OIDC issuer verifies with that
// issuer's keys only, under that issuer's audience, user claim, require and
// algorithms; any other token verifies with the session's own keys
// (secrets, public keys, JWK sets) under the session's settings. So a token
// signed by issuer A that names issuer B in its iss is refused, whether or
// not A is configured too.
package identity

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// maxToken caps a session token's size.
const maxToken = 8 << 10

// Identity is a verified session: the user and every top-level claim. It is
// shared (the cache hands the same one to every request that carries the
// token): never modify it.
type Identity struct {
	// User is the user claim's value.
	User string
	// Claims are every top-level claim but id ({http.auth.user.id} is the
	// verified user, never a claim's copy), in no particular order.
	Claims []Claim
	// Metadata maps the same claims' names to their text.
	Metadata map[string]string

	exp time.Time
	set *KeySet          // the key set that verified it; nil for secrets and public keys
	kid string           // the key of set that verified it, by kid
	key crypto.PublicKey // or, for a token without kid, the key itself
}

// Claim is one claim of a session.
type Claim struct {
	Name string
	// Key is Config.ClaimKeyPrefix and Name.
	Key string
	// Text is a scalar as text, an array or object as JSON.
	Text string
}

// Verifier verifies session tokens. It is safe for concurrent use.
type Verifier struct {
	from     []Credential
	leeway   time.Duration
	realm    string
	strip    bool
	prefix   string
	now      func() time.Time
	parser   *jwt.Parser
	algs     []string           // every algorithm some policy accepts
	own      *policy            // the session's own keys; nil without any
	byIssuer map[string]*policy // the OIDC issuers, by iss
	registry *Registry
	sets     []*KeySet // acquired, released by Close
	cache    *sessionCache
	hit      Counter
	miss     Counter
	logger   *zap.Logger
}

// policy is who may sign a token and what its claims must say: the
// session's own keys, or one OIDC issuer's.
type policy struct {
	issuer    string   // the OIDC issuer; "" for the session's own keys
	issuers   []string // iss accepted with the session's own keys; none: any
	audiences []string
	userClaim string
	require   map[string][]string
	algs      []string
	secrets   jwt.VerificationKeySet
	static    []crypto.PublicKey
	sets      []*KeySet
}

type nopCounter struct{}

func (nopCounter) Inc() {}

// New compiles cfg and acquires its key sets from env.KeySets (no network:
// Start begins their background refresh). Close releases them.
func New(cfg Config, env Env) (*Verifier, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	for i, k := range cfg.PublicKeys {
		if keys.Algorithms(k) == nil {
			return nil, fmt.Errorf("public key %d is not an RSA, EC or Ed25519 public key", i+1)
		}
	}
	v := &Verifier{
		from: cfg.From, leeway: cfg.Leeway, realm: cfg.Realm, strip: cfg.Strip, prefix: cfg.ClaimKeyPrefix,
		now: env.Now, logger: env.Logger, registry: env.KeySets, hit: env.CacheHit, miss: env.CacheMiss,
		byIssuer: make(map[string]*policy, len(cfg.OIDC)),
	}
	if len(v.from) == 0 {
		v.from = []Credential{{Source: "header", Name: "Authorization", Scheme: "Bearer"}}
	}
	if v.leeway == 0 {
		v.leeway = 30 * time.Second
	}
	if v.realm == "" {
		v.realm = "tokenmint"
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.logger == nil {
		v.logger = zap.NewNop()
	}
	if v.registry == nil {
		v.registry = NewRegistry()
	}
	if v.hit == nil {
		v.hit = nopCounter{}
	}
	if v.miss == nil {
		v.miss = nopCounter{}
	}
	fetch := env.Fetch
	if fetch.Logger == nil {
		fetch.Logger = v.logger
	}
	userClaim := cfg.UserClaim
	if userClaim == "" {
		userClaim = "sub"
	}

	if len(cfg.Secrets)+len(cfg.PublicKeys)+len(cfg.JWKS) > 0 {
		own := &policy{issuers: cfg.Issuers, audiences: cfg.Audiences, userClaim: userClaim, require: cfg.Require,
			static: cfg.PublicKeys, algs: cfg.Algorithms}
		var derived []string
		for _, s := range cfg.Secrets {
			own.secrets.Keys = append(own.secrets.Keys, s)
		}
		if len(cfg.Secrets) > 0 {
			derived = appendNew(derived, keys.HMAC...)
		}
		for _, k := range cfg.PublicKeys {
			derived = appendNew(derived, keys.Algorithms(k)...)
		}
		for _, u := range cfg.JWKS {
			s, err := v.registry.JWKS(u, fetch)
			if err != nil {
				v.Close()
				return nil, err
			}
			v.sets = append(v.sets, s)
			own.sets = append(own.sets, s)
			derived = appendNew(derived, asymmetric...)
		}
		if len(own.algs) == 0 {
			own.algs = derived
		}
		v.own = own
		v.algs = appendNew(v.algs, own.algs...)
	}
	for _, is := range cfg.OIDC {
		s, err := v.registry.OIDC(is.URL, fetch)
		if err != nil {
			v.Close()
			return nil, err
		}
		v.sets = append(v.sets, s)
		p := &policy{issuer: is.URL, audiences: is.Audiences, userClaim: is.UserClaim, require: is.Require,
			algs: is.Algorithms, sets: []*KeySet{s}}
		if p.audiences == nil {
			p.audiences = cfg.Audiences
		}
		if p.userClaim == "" {
			p.userClaim = userClaim
		}
		if p.require == nil {
			p.require = cfg.Require
		}
		if len(p.algs) == 0 {
			for _, a := range cfg.Algorithms {
				if !strings.HasPrefix(a, "HS") {
					p.algs = append(p.algs, a)
				}
			}
		}
		if len(p.algs) == 0 {
			p.algs = asymmetric
		}
		v.byIssuer[is.URL] = p
		v.algs = appendNew(v.algs, p.algs...)
	}

	v.parser = jwt.NewParser(jwt.WithValidMethods(v.algs), jwt.WithExpirationRequired(), jwt.WithLeeway(v.leeway),
		jwt.WithIssuedAt(), jwt.WithJSONNumber(), jwt.WithTimeFunc(v.now))
	size := cfg.CacheSize
	if size == 0 {
		size = 10000
	}
	if size > 0 {
		v.cache = newSessionCache(size)
	}
	return v, nil
}

// Start begins the background refresh of the verifier's key sets (once per
// set, whoever starts it first).
func (v *Verifier) Start() {
	for _, s := range v.sets {
		s.Start()
	}
}

// Close releases the verifier's key sets; the last release of a set stops
// its refresh.
func (v *Verifier) Close() {
	for _, s := range v.sets {
		v.registry.Release(s)
	}
	v.sets = nil
}

// Leeway is the allowance for exp, nbf and iat.
func (v *Verifier) Leeway() time.Duration { return v.leeway }

// Cached counts the sessions in the verified-session cache; -1 when it is
// off.
func (v *Verifier) Cached() int {
	if v.cache == nil {
		return -1
	}
	return v.cache.len()
}

// Authenticate verifies the request's session and returns its identity
// and where the token came from (one of Config.From; a cookie is a
// credential the browser adds by itself); with Strip, the credential leaves
// the request.
func (v *Verifier) Authenticate(r *http.Request) (*Identity, *Credential, *Refusal) {
	tok, where, refusal := v.credential(r)
	if refusal != nil {
		return nil, nil, refusal
	}
	if len(tok) > maxToken {
		return nil, nil, invalidToken("too_large", "the token is larger than 8 KiB")
	}
	now := v.now()
	var key sessionKey
	if v.cache != nil {
		key = v.cache.key(tok)
		// A cached session stands only while the key that verified it is
		// still published: a key the provider removed revokes it.
		if id, ok := v.cache.get(key, now); ok && id.stillPublished() {
			v.hit.Inc()
			return id, v.done(r, where), nil
		}
		v.miss.Inc()
	}
	id, refusal := v.verify(r.Context(), tok)
	if refusal != nil {
		return nil, nil, refusal
	}
	if v.cache != nil {
		v.cache.put(key, id, now)
	}
	return id, v.done(r, where), nil
}

// done strips the credential, if so configured, from a verified request.
func (v *Verifier) done(r *http.Request, where *Credential) *Credential {
	if v.strip {
		strip(r, where)
	}
	return where
}

// stillPublished reports whether the key set key that verified a session is
// still in the set.
func (id *Identity) stillPublished() bool {
	switch {
	case id.set == nil:
		return true
	case id.kid != "":
		return id.set.Has(id.kid)
	}
	return id.set.HasKey(id.key)
}

// candidate is a public key offered to verify a token, and where it came
// from.
type candidate struct {
	key crypto.PublicKey
	set *KeySet // nil for a public_key
	kid string
}

func (v *Verifier) verify(ctx context.Context, tok string) (*Identity, *Refusal) {
	var claims jwt.MapClaims
	var pol *policy
	var kid, iss string
	var cands []candidate
	keyfunc := func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		kid, _ = t.Header["kid"].(string)
		iss, _ = claims["iss"].(string) // decoded, not yet verified: it only picks the policy
		if pol = v.byIssuer[iss]; pol == nil {
			pol = v.own
		}
		switch {
		case pol == nil:
			return nil, errWrongIssuer
		case !slices.Contains(pol.algs, alg):
			return nil, errBadAlgorithm
		case strings.HasPrefix(alg, "HS"):
			if len(pol.secrets.Keys) == 0 {
				return nil, errNoKeyForAlg
			}
			return pol.secrets, nil
		}
		var unavailable error
		for _, s := range pol.sets {
			if kid != "" {
				k, ok, err := s.Lookup(ctx, kid)
				if ok && keys.Fits(k.Key, alg) && (k.Alg == "" || k.Alg == alg) {
					cands = append(cands, candidate{k.Key, s, kid})
				} else if !ok && err != nil && !s.Ready() {
					unavailable = err
				}
				continue
			}
			published, err := s.Keys(ctx)
			if err != nil {
				unavailable = err
			}
			for _, k := range published {
				if keys.Fits(k.Key, alg) && (k.Alg == "" || k.Alg == alg) {
					cands = append(cands, candidate{k.Key, s, ""})
				}
			}
		}
		if kid == "" || len(cands) == 0 { // a kid found in a set selects the key
			for _, k := range pol.static {
				if keys.Fits(k, alg) {
					cands = append(cands, candidate{key: k})
				}
			}
		}
		switch len(cands) {
		case 0:
			if unavailable != nil {
				return nil, &keysUnavailable{unavailable}
			}
			if kid != "" {
				return nil, errUnknownKey
			}
			return nil, errNoKeyForAlg
		case 1:
			return cands[0].key, nil
		}
		set := jwt.VerificationKeySet{Keys: make([]jwt.VerificationKey, len(cands))}
		for i, c := range cands {
			set.Keys[i] = c.key
		}
		return set, nil
	}

	parsed, err := v.parser.ParseWithClaims(tok, &claims, keyfunc)
	if err != nil {
		return nil, v.reason(parsed, kid, iss, err)
	}

	if pol.issuer == "" && len(pol.issuers) > 0 && !slices.Contains(pol.issuers, iss) {
		v.logRefusal("wrong issuer", kid, iss)
		return nil, invalidToken("wrong_issuer", "the token's issuer is not accepted")
	}
	if len(pol.audiences) > 0 {
		aud, _ := claims.GetAudience()
		if !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(pol.audiences, a) }) {
			v.logRefusal("wrong audience", kid, iss)
			return nil, invalidToken("wrong_audience", "the token is not for this audience")
		}
	}
	user := scalarText(claims[pol.userClaim])
	if user == "" {
		v.logRefusal("no user claim", kid, iss)
		return nil, invalidToken("no_user", "the token has no "+pol.userClaim+" claim")
	}
	for name, want := range pol.require {
		if !holdsOneOf(claims[name], want) {
			v.logRefusal("require failed", kid, iss)
			return nil, insufficientScope("require_failed", "the session's "+name+" claim does not grant this")
		}
	}

	id := &Identity{User: user, Claims: make([]Claim, 0, len(claims)), Metadata: make(map[string]string, len(claims))}
	// Note the key set key that verified the token, so that its removal
	// from the set revokes the cached session. Among several candidates,
	// the first that verifies is the one golang-jwt took.
	by := -1
	switch {
	case len(cands) == 1:
		by = 0
	case len(cands) > 1:
		signing := tok[:strings.LastIndexByte(tok, '.')]
		for i, c := range cands {
			if parsed.Method.Verify(signing, parsed.Signature, c.key) == nil {
				by = i
				break
			}
		}
	}
	if by >= 0 && cands[by].set != nil {
		id.set, id.kid = cands[by].set, cands[by].kid
		if id.kid == "" {
			id.key = cands[by].key
		}
	}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		id.exp = exp.Add(v.leeway)
	}
	for name, val := range claims {
		if name == "id" {
			continue // {http.auth.user.id} is the verified user (user_claim), never a claim's copy
		}
		text := claimText(val)
		id.Claims = append(id.Claims, Claim{Name: name, Key: v.prefix + name, Text: text})
		id.Metadata[name] = text
	}
	return id, nil
}

// reason maps a parse error to an RFC 6750 refusal naming the cause.
func (v *Verifier) reason(parsed *jwt.Token, kid, iss string, err error) *Refusal {
	if _, configured := v.byIssuer[iss]; !configured {
		iss = "" // unverified text: logged only when it names a configured issuer
	}
	var ku *keysUnavailable
	if errors.As(err, &ku) {
		v.logRefusal("keys unavailable", kid, iss)
		return &Refusal{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Reason: "keys_unavailable",
			Desc: "the identity provider's keys could not be fetched yet; retry shortly"}
	}
	reason, desc := "invalid", "the token is invalid"
	alg := ""
	if parsed != nil && parsed.Header != nil {
		alg, _ = parsed.Header["alg"].(string)
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		reason, desc = "malformed", "the token is malformed"
	case errors.Is(err, errWrongIssuer):
		reason, desc = "wrong_issuer", "the token's issuer is not accepted"
	case errors.Is(err, errUnknownKey):
		reason, desc = "unknown_kid", "the token's key id (kid) is unknown"
	case errors.Is(err, errNoKeyForAlg):
		reason, desc = "no_key", "no configured key verifies the token's algorithm"
	case errors.Is(err, errBadAlgorithm),
		parsed != nil && parsed.Method != nil && !slices.Contains(v.algs, parsed.Method.Alg()),
		parsed != nil && parsed.Method == nil && parsed.Header != nil:
		reason, desc = "bad_algorithm", "the token's algorithm "+strconv.Quote(alg)+" is not accepted"
		if errors.Is(err, errBadAlgorithm) && iss != "" {
			desc += " for its issuer"
		}
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
	v.logRefusal(desc, kid, iss)
	return invalidToken(reason, desc)
}

func (v *Verifier) logRefusal(reason, kid, iss string) {
	if c := v.logger.Check(zapcore.InfoLevel, "session refused"); c != nil {
		c.Write(zap.String("reason", reason), zap.String("kid", kid), zap.String("issuer", iss))
	}
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}
