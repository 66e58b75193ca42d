package caddymodule

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// jwksPool holds one jwksCache per URL, shared by every handler that names
// the URL. A config reload provisions the new handlers (acquire) before it
// cleans up the old ones (release), so the keys and their refresh loop carry
// over the reload without a refetch.
var jwksPool = caddy.NewUsagePool()

// JWKS defaults; see jwksOptions.
const (
	defaultJWKSTimeout         = 5 * time.Second
	defaultJWKSMaxBytes        = 1 << 20
	defaultJWKSMinRefresh      = time.Minute
	defaultJWKSMaxRefresh      = time.Hour
	defaultJWKSRefetchEvery    = 10 * time.Second
	defaultJWKSFirstFetchDelay = 250 * time.Millisecond

	// jwksNoMaxAge is the refresh interval when the response has no
	// Cache-Control max-age, clamped to [MinRefresh, MaxRefresh].
	jwksNoMaxAge = 15 * time.Minute
)

// jwksOptions tune one cache; zero values take the defaults noted, negative
// values are an error. The options of the first acquirer of a URL win: a
// later acquireJWKS of the same URL shares the cache as it is.
type jwksOptions struct {
	// Timeout bounds one fetch, body included. Default: 5s.
	Timeout time.Duration
	// MaxBytes caps the response body; a larger one is a failed fetch.
	// Default: 1 MiB.
	MaxBytes int64
	// MinRefresh is the floor for the response's Cache-Control max-age.
	// Default: 1m (or MaxRefresh, if that is set lower).
	MinRefresh time.Duration
	// MaxRefresh is the ceiling for max-age. Without max-age the interval
	// is 15m, clamped to [MinRefresh, MaxRefresh]. Default: 1h (or
	// MinRefresh, if that is set higher).
	MaxRefresh time.Duration
	// RefetchEvery is the least time between two fetches that a caller
	// triggers (unknown kid, cold cache), and the first retry delay after a
	// failure (doubling up to MaxRefresh). Default: 10s.
	RefetchEvery time.Duration
	// FirstFetchDelay is how long the background loop waits, once
	// started, before its first fetch. Default: 250ms.
	FirstFetchDelay time.Duration
	// Client fetches. Default: an http.Client with Timeout. Timeout is
	// applied to every fetch whatever the client, and so is the redirect
	// policy (at most 5, never from https to http).
	Client *http.Client
	// Logger may be nil (no logs).
	Logger *zap.Logger
}

// withDefaults fills in the defaults and checks the options.
func (o jwksOptions) withDefaults() (jwksOptions, error) {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"timeout", o.Timeout}, {"min refresh", o.MinRefresh}, {"max refresh", o.MaxRefresh},
		{"refetch interval", o.RefetchEvery}, {"first fetch delay", o.FirstFetchDelay},
	} {
		if d.v < 0 {
			return o, fmt.Errorf("JWKS %s must not be negative", d.name)
		}
	}
	if o.MaxBytes < 0 {
		return o, errors.New("JWKS size limit must not be negative")
	}
	if o.MinRefresh > 0 && o.MaxRefresh > 0 && o.MinRefresh > o.MaxRefresh {
		return o, fmt.Errorf("JWKS min refresh %v is above max refresh %v", o.MinRefresh, o.MaxRefresh)
	}
	if o.Timeout == 0 {
		o.Timeout = defaultJWKSTimeout
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = defaultJWKSMaxBytes
	}
	switch {
	case o.MinRefresh == 0 && o.MaxRefresh == 0:
		o.MinRefresh, o.MaxRefresh = defaultJWKSMinRefresh, defaultJWKSMaxRefresh
	case o.MinRefresh == 0:
		o.MinRefresh = min(defaultJWKSMinRefresh, o.MaxRefresh)
	case o.MaxRefresh == 0:
		o.MaxRefresh = max(defaultJWKSMaxRefresh, o.MinRefresh)
	}
	if o.RefetchEvery == 0 {
		o.RefetchEvery = defaultJWKSRefetchEvery
	}
	if o.FirstFetchDelay == 0 {
		o.FirstFetchDelay = defaultJWKSFirstFetchDelay
	}
	client := http.Client{Timeout: o.Timeout}
	if o.Client != nil {
		client = *o.Client
	}
	client.CheckRedirect = keyRedirectPolicy // whatever the client: no downgrade
	o.Client = &client
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o, nil
}

// checkKeyURL accepts the URL of a key set or discovery document: https,
// or http to a loopback host only (a key set fetched in the clear can be
// replaced on the way, and with it every session it verifies).
func checkKeyURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an https URL", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q is plain http: keys fetched in the clear can be swapped on the way; use https (http is accepted only for localhost and loopback addresses)", raw)
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// keyRedirectPolicy follows at most 5 redirects, never from https to
// http, nor from http to a host that is not loopback.
func keyRedirectPolicy(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if req.URL.Scheme != "https" && (via[0].URL.Scheme == "https" || !isLoopback(req.URL.Hostname())) {
		return fmt.Errorf("refused a redirect to %s: key sets are fetched over https only", req.URL.Redacted())
	}
	return nil
}

// jwk is one usable signature verification key of a set.
type jwk struct {
	KID string
	// Alg is the JWK's alg ("" if it has none), checked against the key
	// type when parsed. "Ed25519" (RFC 9864) is given as "EdDSA", the name
	// tokens and golang-jwt use.
	Alg string
	// Key is *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
	Key crypto.PublicKey
}

// jwksSet is one fetched key set; it is never modified once published.
type jwksSet struct {
	keys  []jwk
	byKID map[string]jwk
}

// jwksCache is the key set at one URL, refreshed in the background. It is
// safe for concurrent use; a Lookup of a known kid takes no lock.
type jwksCache struct {
	url    string
	opts   jwksOptions
	logger *zap.Logger

	set        atomic.Pointer[jwksSet] // the last good set; nil until one is fetched
	ok, failed atomic.Int64

	mu       sync.Mutex
	inflight *jwksFetch // the fetch under way, joined by every caller
	lastTry  time.Time  // when the last fetch started, for RefetchEvery
	lastErr  error      // why the newest fetch failed; nil after a success
	fails    int        // failures in a row, for the retry backoff
	due      time.Time  // when the background loop fetches next
	closed   bool
	looping  bool // Start has run

	kick   chan struct{} // tells the loop that due has moved
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the loop and any fetch
}

// jwksFetch is one fetch; done is closed when it has finished and its
// outcome is published in the cache.
type jwksFetch struct {
	done chan struct{}
}

// acquireJWKS returns the shared cache for jwksURL, creating it on first
// use, and counts a reference; pair it with releaseJWKS. It makes no
// network call: the background loop begins at Start, and callers of Keys
// or Lookup fetch on demand. The options of the first acquirer win.
func acquireJWKS(jwksURL string, opts jwksOptions) (*jwksCache, error) {
	if err := checkKeyURL(jwksURL); err != nil {
		return nil, fmt.Errorf("JWKS URL %v", err)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	v, _, err := jwksPool.LoadOrNew(jwksURL, func() (caddy.Destructor, error) {
		return newJWKSCache(jwksURL, opts), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*jwksCache), nil
}

// releaseJWKS drops one reference to the cache for jwksURL; the last one
// stops its background refresh and waits for it to end.
func releaseJWKS(jwksURL string) {
	_, _ = jwksPool.Delete(jwksURL) // Destruct never fails
}

func newJWKSCache(jwksURL string, opts jwksOptions) *jwksCache {
	c := &jwksCache{
		url:    jwksURL,
		opts:   opts,
		logger: opts.Logger,
		due:    time.Now().Add(opts.FirstFetchDelay),
		kick:   make(chan struct{}, 1),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// Start begins the background refresh, once; later calls do nothing. It is
// not called at acquire, so that `caddy validate`, which provisions and
// cleans up without starting apps, makes no network call: the tokenmint
// app calls it when Caddy starts the config.
func (c *jwksCache) Start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.looping || c.closed {
		return
	}
	c.looping = true
	c.due = time.Now().Add(c.opts.FirstFetchDelay)
	c.wg.Add(1)
	go c.loop()
}

// Keys returns the current keys; the slice is shared, do not modify it.
// When none has ever been fetched, it fetches now (at most once per
// RefetchEvery, joined by concurrent callers) and waits for that fetch or
// ctx, whichever ends first. An error says why there are no keys.
func (c *jwksCache) Keys(ctx context.Context) ([]jwk, error) {
	if s := c.set.Load(); s != nil {
		return s.keys, nil
	}
	werr := c.await(ctx, c.start(true))
	if s := c.set.Load(); s != nil {
		return s.keys, nil
	}
	return nil, c.failure(werr, true)
}

// Lookup returns the key with this kid. On an unknown kid it refetches, at
// most once per RefetchEvery across all callers (so tokens with made-up
// kids cannot make it hammer the identity provider), waits as Keys does,
// and looks again.
//
// A missing kid comes with a nil error when the newest fetch succeeded (the
// provider does not have that key), and with the reason when the set could
// not be brought up to date (no keys yet, the newest fetch failed, ctx
// ended first): the provider may have the key.
func (c *jwksCache) Lookup(ctx context.Context, kid string) (jwk, bool, error) {
	if s := c.set.Load(); s != nil {
		if k, ok := s.byKID[kid]; ok {
			return k, true, nil
		}
	}
	werr := c.await(ctx, c.start(true))
	s := c.set.Load()
	if s != nil {
		if k, ok := s.byKID[kid]; ok {
			return k, true, nil
		}
	}
	return jwk{}, false, c.failure(werr, s == nil)
}

// Fetches counts the fetches that succeeded and failed, for tests and
// metrics. A fetch cut short by Destruct counts as neither.
func (c *jwksCache) Fetches() (ok, failed int64) {
	return c.ok.Load(), c.failed.Load()
}

// Destruct stops the background refresh, cancels a fetch under way and
// waits for both to end. The UsagePool calls it on the last release.
func (c *jwksCache) Destruct() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	initMetrics()
	metrics.jwksKeys.DeleteLabelValues(c.url)
	return nil
}

// failure says why a caller found no key: werr (ctx ended while waiting),
// the newest fetch's failure, or, when noKeys, that there are none.
func (c *jwksCache) failure(werr error, noKeys bool) error {
	c.mu.Lock()
	lastErr, closed := c.lastErr, c.closed
	c.mu.Unlock()
	switch {
	case werr != nil && lastErr != nil:
		return fmt.Errorf("%w (gave up waiting for a refetch: %w)", lastErr, werr)
	case werr != nil:
		return fmt.Errorf("JWKS %s: gave up waiting for the fetch: %w", c.url, werr)
	case lastErr != nil:
		return lastErr
	case closed && noKeys:
		return fmt.Errorf("JWKS %s: the cache is released", c.url)
	case noKeys:
		return fmt.Errorf("JWKS %s: no keys fetched yet", c.url)
	}
	return nil
}

// start returns the fetch under way, or starts one. A caller's fetch
// (demand) starts only if none started within RefetchEvery; it returns nil
// then, and once the cache is destructed.
func (c *jwksCache) start(demand bool) *jwksFetch {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	if c.inflight != nil {
		return c.inflight
	}
	now := time.Now()
	if demand && !c.lastTry.IsZero() && now.Sub(c.lastTry) < c.opts.RefetchEvery {
		return nil
	}
	f := &jwksFetch{done: make(chan struct{})}
	c.inflight, c.lastTry = f, now
	c.wg.Add(1)
	go c.run(f)
	return f
}

// await waits for f, if any, or for ctx. The fetch does not depend on ctx:
// it is shared, and bounded by Timeout.
func (c *jwksCache) await(ctx context.Context, f *jwksFetch) error {
	if f == nil {
		return nil
	}
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run performs f and publishes its outcome: a good set replaces the keys, a
// failure never does.
func (c *jwksCache) run(f *jwksFetch) {
	defer c.wg.Done()
	defer close(f.done)
	got, err := c.fetch()
	stopped := c.ctx.Err() != nil
	refresh := got.refresh

	c.mu.Lock()
	c.inflight = nil
	recovered := c.fails
	switch {
	case stopped:
	case err == nil:
		c.set.Store(got.set)
		c.ok.Add(1)
		initMetrics()
		metrics.jwksFetches.WithLabelValues("ok").Inc()
		metrics.jwksKeys.WithLabelValues(c.url).Set(float64(len(got.set.keys)))
		c.fails, c.lastErr = 0, nil
		c.due = time.Now().Add(refresh)
	default:
		c.failed.Add(1)
		initMetrics()
		metrics.jwksFetches.WithLabelValues("failed").Inc()
		c.fails++
		c.lastErr = fmt.Errorf("JWKS %s: %w", c.url, err)
		refresh = c.retryAfter(c.fails)
		c.due = time.Now().Add(refresh)
	}
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}

	switch {
	case stopped:
	case err != nil:
		c.logger.Warn("JWKS fetch failed; keeping the last good keys",
			zap.String("url", c.url), zap.String("reason", err.Error()),
			zap.Bool("have_keys", c.set.Load() != nil), zap.Duration("retry_in", refresh))
	default:
		if recovered > 0 {
			c.logger.Info("JWKS fetch recovered", zap.String("url", c.url), zap.Int("failures", recovered))
		}
		if len(got.private) > 0 {
			c.logger.Warn("the JWKS publishes private keys; their private members are ignored, but the identity provider should not publish them",
				zap.String("url", c.url), zap.Strings("kids", got.private))
		}
		if ce := c.logger.Check(zapcore.DebugLevel, "fetched JWKS"); ce != nil {
			kids := make([]string, len(got.set.keys))
			for i, k := range got.set.keys {
				kids[i] = k.KID
			}
			ce.Write(zap.String("url", c.url), zap.Strings("kids", kids),
				zap.Strings("skipped", got.skipped), zap.Duration("refresh_in", refresh))
		}
	}
}

// retryAfter is the delay before the next attempt after fails failures in
// a row: RefetchEvery, doubling, up to MaxRefresh.
func (c *jwksCache) retryAfter(fails int) time.Duration {
	d := c.opts.RefetchEvery
	for i := 1; i < fails && d < c.opts.MaxRefresh; i++ {
		d *= 2
	}
	return min(d, c.opts.MaxRefresh)
}

// loop refreshes the set when due: FirstFetchDelay after creation, then
// as the newest fetch (its own or a caller's) scheduled.
func (c *jwksCache) loop() {
	defer c.wg.Done()
	t := time.NewTimer(c.opts.FirstFetchDelay)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		case <-c.kick:
		}
		c.mu.Lock()
		wait := time.Until(c.due)
		c.mu.Unlock()
		if wait > 0 {
			t.Reset(wait)
			continue
		}
		f := c.start(false)
		if f == nil {
			return
		}
		select {
		case <-c.ctx.Done():
			return
		case <-f.done: // run kicks the loop, which then waits for the new due
		}
	}
}

// jwksFetched is a fetch's good outcome.
type jwksFetched struct {
	set     *jwksSet
	refresh time.Duration // from the response's Cache-Control
	skipped []string      // why keys were skipped
	private []string      // kids of keys published with their private part
}

// fetch gets and parses the set.
func (c *jwksCache) fetch() (jwksFetched, error) {
	var none jwksFetched
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return none, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.opts.Client.Do(req)
	if err != nil {
		return none, c.transportError("unreachable", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // lets the connection be reused
		return none, fmt.Errorf("status %s", resp.Status)
	}
	if resp.ContentLength > c.opts.MaxBytes {
		return none, fmt.Errorf("response of %d bytes is larger than the limit of %d", resp.ContentLength, c.opts.MaxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBytes+1))
	if err != nil {
		return none, c.transportError("reading the response", err)
	}
	if int64(len(body)) > c.opts.MaxBytes {
		return none, fmt.Errorf("response is larger than the limit of %d bytes", c.opts.MaxBytes)
	}
	got, err := parseJWKSet(body)
	if err != nil {
		return none, err
	}
	got.refresh = jwksRefresh(resp.Header, c.opts.MinRefresh, c.opts.MaxRefresh)
	return got, nil
}

// transportError names a timeout as one, and drops the URL that net/http
// repeats (the log and the caller's error carry it already).
func (c *jwksCache) transportError(what string, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("timed out after %v", c.opts.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%s: %v", what, err)
}

// jwksRefresh is the refresh interval a response asks for: its max-age
// (less its Age; no-cache and no-store count as 0), or jwksNoMaxAge without
// one, clamped to [lo, hi].
func jwksRefresh(h http.Header, lo, hi time.Duration) time.Duration {
	d, found := jwksNoMaxAge, false
	for _, line := range h.Values("Cache-Control") {
		for dir := range strings.SplitSeq(line, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-cache", "no-store":
				return lo
			case "max-age":
				if n, ok := jwksSeconds(strings.Trim(strings.TrimSpace(val), `"`)); ok && !found {
					d, found = n, true
				}
			}
		}
	}
	if found {
		if age, ok := jwksSeconds(h.Get("Age")); ok {
			d = max(d-age, 0)
		}
	}
	return min(max(d, lo), hi)
}

// jwksSeconds parses a delta-seconds value; huge values are capped, as
// they are clamped to MaxRefresh anyway.
func jwksSeconds(s string) (time.Duration, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return time.Duration(min(n, 1<<32)) * time.Second, true
}

// jwkMembers are the JWK members read. Private members (d, p, q, ...) are
// not: they are never kept. privateD only records that d was present.
type jwkMembers struct {
	Kty      string     `json:"kty"`
	Use      string     `json:"use"`
	KeyOps   []string   `json:"key_ops"`
	Alg      string     `json:"alg"`
	Kid      string     `json:"kid"`
	Crv      string     `json:"crv"`
	N        string     `json:"n"`
	E        string     `json:"e"`
	X        string     `json:"x"`
	Y        string     `json:"y"`
	PrivateD jwkPresent `json:"d"`
}

// jwkPresent notes that a member was present without keeping its value.
type jwkPresent bool

func (p *jwkPresent) UnmarshalJSON(b []byte) error {
	*p = string(b) != "null"
	return nil
}

// jwkAlgKinds maps the signature algorithms a JWK may name to the key kind
// they need: kty RSA, or the curve.
var jwkAlgKinds = map[string]string{
	"RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
	"PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
	"ES256": "P-256", "ES384": "P-384", "ES512": "P-521",
	"EdDSA": "Ed25519", "Ed25519": "Ed25519",
}

// jwkCurves are the EC curves accepted, by crv.
var jwkCurves = map[string]elliptic.Curve{
	"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521(),
}

// parseJWKSet parses a JWK set. Keys that are not usable signature keys
// are skipped, each with a reason (kid and why, never key material); a set
// without a usable key is an error.
func parseJWKSet(data []byte) (jwksFetched, error) {
	var got jwksFetched
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return got, fmt.Errorf("invalid JSON: %v", err)
	}
	if doc.Keys == nil {
		return got, errors.New(`not a JWK set: no "keys" array`)
	}
	set := &jwksSet{byKID: make(map[string]jwk, len(doc.Keys))}
	for i, raw := range doc.Keys {
		var m jwkMembers
		if err := json.Unmarshal(raw, &m); err != nil {
			got.skipped = append(got.skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		k, err := parseJWK(&m)
		if _, dup := set.byKID[m.Kid]; err == nil && dup {
			err = errors.New("duplicate kid; the first one is kept")
		}
		if err != nil {
			name := fmt.Sprintf("key %d", i)
			if m.Kid != "" {
				name = fmt.Sprintf("key %d (kid %q)", i, m.Kid)
			}
			got.skipped = append(got.skipped, name+": "+err.Error())
			continue
		}
		if m.PrivateD {
			got.private = append(got.private, m.Kid) // still usable: d is not read
		}
		set.keys = append(set.keys, k)
		if k.KID != "" {
			set.byKID[k.KID] = k
		}
	}
	if len(set.keys) == 0 {
		if len(got.skipped) == 0 {
			return got, errors.New("the set has no keys")
		}
		return got, fmt.Errorf("no usable signature key in the set (%d skipped; first: %s)", len(got.skipped), got.skipped[0])
	}
	got.set = set
	return got, nil
}

// parseJWK parses one signature verification key.
func parseJWK(m *jwkMembers) (jwk, error) {
	if m.Use != "" && m.Use != "sig" {
		return jwk{}, fmt.Errorf("use %q is not sig", m.Use)
	}
	if len(m.KeyOps) > 0 && !slices.Contains(m.KeyOps, "verify") {
		return jwk{}, errors.New(`key_ops does not allow "verify"`)
	}
	var key crypto.PublicKey
	var kind string
	var err error
	switch m.Kty {
	case "RSA":
		kind = "RSA"
		key, err = parseRSAJWK(m)
	case "EC":
		kind = m.Crv
		key, err = parseECJWK(m)
	case "OKP":
		kind = m.Crv
		key, err = parseOKPJWK(m)
	case "":
		err = errors.New("no kty")
	default:
		err = fmt.Errorf("kty %q is not supported (use RSA, EC or OKP)", m.Kty)
	}
	if err != nil {
		return jwk{}, err
	}
	alg := m.Alg
	if alg != "" {
		want, known := jwkAlgKinds[alg]
		if !known {
			return jwk{}, fmt.Errorf("alg %q is not a supported signature algorithm", alg)
		}
		if want != kind {
			return jwk{}, fmt.Errorf("alg %s does not fit a %s key", alg, kind)
		}
		if alg == "Ed25519" {
			alg = "EdDSA"
		}
	}
	return jwk{KID: m.Kid, Alg: alg, Key: key}, nil
}

// parseRSAJWK reads n and e. Moduli under 1024 bits are refused, as
// crypto/rsa refuses to verify with them.
func parseRSAJWK(m *jwkMembers) (*rsa.PublicKey, error) {
	nb, err := jwkBytes("n", m.N)
	if err != nil {
		return nil, err
	}
	eb, err := jwkBytes("e", m.E)
	if err != nil {
		return nil, err
	}
	n := new(big.Int).SetBytes(nb)
	if n.BitLen() < 1024 {
		return nil, fmt.Errorf("RSA modulus of %d bits is too small", n.BitLen())
	}
	e := new(big.Int).SetBytes(eb)
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, errors.New("RSA exponent is out of range")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// parseECJWK reads crv, x and y, and checks the point is on the curve.
func parseECJWK(m *jwkMembers) (*ecdsa.PublicKey, error) {
	curve, ok := jwkCurves[m.Crv]
	if !ok {
		return nil, fmt.Errorf("EC curve %q is not supported (use P-256, P-384 or P-521)", m.Crv)
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err := jwkBytes("x", m.X)
	if err != nil {
		return nil, err
	}
	y, err := jwkBytes("y", m.Y)
	if err != nil {
		return nil, err
	}
	if len(x) > size || len(y) > size {
		return nil, fmt.Errorf("EC coordinates are longer than %s allows", m.Crv)
	}
	// RFC 7518 wants full-length coordinates; some issuers drop leading zeros.
	point := make([]byte, 1+2*size)
	point[0] = 4 // uncompressed
	copy(point[1+size-len(x):1+size], x)
	copy(point[1+2*size-len(y):], y)
	key, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, errors.New("EC point is not on the curve")
	}
	return key, nil
}

// parseOKPJWK reads an Ed25519 key.
func parseOKPJWK(m *jwkMembers) (ed25519.PublicKey, error) {
	if m.Crv != "Ed25519" {
		return nil, fmt.Errorf("OKP curve %q is not supported (use Ed25519)", m.Crv)
	}
	x, err := jwkBytes("x", m.X)
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("Ed25519 key is %d bytes, not %d", len(x), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(x), nil
}

// jwkBytes decodes a base64url member, tolerating padding.
func jwkBytes(name, s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("no %s", name)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("%s is not base64url", name)
	}
	return b, nil
}

// Interface guards
var _ caddy.Destructor = (*jwksCache)(nil)
