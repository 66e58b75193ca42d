package identity

import (
	"context"
	"crypto"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Key is one usable signature verification key of a set.
type Key struct {
	KID string
	// Alg is the JWK's alg ("" if it has none), checked against the key
	// type when parsed. "Ed25519" (RFC 9864) is given as "EdDSA", the name
	// golang-jwt uses.
	Alg string
	// Key is *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
	Key crypto.PublicKey
}

// published is one fetched key set; it is never modified once published.
type published struct {
	list  []Key
	byKID map[string]Key
}

// fetched is a fetch's good outcome.
type fetched struct {
	set     *published
	refresh time.Duration // from the key set response's Cache-Control
	skipped []string      // why keys were skipped
	private []string      // kids of keys published with their private part
}

// loader fetches a set: from a JWKS URL, or through an OIDC issuer's
// discovery document. Fetches of one set never overlap (single flight), so
// a loader may keep state between them without a lock.
type loader interface {
	load(ctx context.Context, o *FetchOptions) (fetched, error)
}

// KeySet is an identity provider's keys, at a JWKS URL or found through an
// OIDC issuer's discovery, refreshed in the background. It is safe for
// concurrent use; a Lookup of a known kid takes no lock. Key sets are
// shared through a Registry, one per URL or issuer.
type KeySet struct {
	name   string // the JWKS URL or the issuer
	kind   string // "JWKS" or "OIDC issuer", for messages
	field  zap.Field
	loader loader
	opts   FetchOptions
	logger *zap.Logger

	set        atomic.Pointer[published] // the last good set; nil until one is fetched
	ok, failed atomic.Int64

	mu       sync.Mutex
	inflight *fetch    // the fetch under way, joined by every caller
	lastTry  time.Time // when the last fetch started, for RefetchEvery
	lastErr  error     // why the newest fetch failed; nil after a success
	fails    int       // failures in a row, for the retry backoff
	due      time.Time // when the background loop fetches next
	closed   bool
	looping  bool // Start has run

	kick   chan struct{} // tells the loop that due has moved
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the loop and any fetch
}

// fetch is one fetch; done is closed when it has finished and its outcome
// is published in the set.
type fetch struct {
	done chan struct{}
}

// The fetcher schedules on the monotonic clock (time.Now and timers): its
// intervals are real time, whatever clock verifies tokens.
func newKeySet(kind, name string, l loader, opts FetchOptions) *KeySet {
	c := &KeySet{
		name:   name,
		kind:   kind,
		field:  zap.String("url", name),
		loader: l,
		opts:   opts,
		logger: opts.Logger,
		due:    time.Now().Add(opts.FirstFetchDelay),
		kick:   make(chan struct{}, 1),
	}
	if kind == kindOIDC {
		c.field = zap.String("issuer", name)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// Name is the set's JWKS URL or OIDC issuer.
func (c *KeySet) Name() string { return c.name }

// Start begins the background refresh, once; later calls do nothing. It is
// not called at acquire, so that a config check (`caddy validate`), which
// builds verifiers and closes them without starting them, makes no network
// call.
func (c *KeySet) Start() {
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

// Started reports whether Start has run.
func (c *KeySet) Started() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.looping
}

// Keys returns the current keys; the slice is shared, do not modify it.
// When none has ever been fetched, it fetches now (at most once per
// RefetchEvery, joined by concurrent callers) and waits for that fetch or
// ctx, whichever ends first. An error says why there are no keys.
func (c *KeySet) Keys(ctx context.Context) ([]Key, error) {
	if s := c.set.Load(); s != nil {
		return s.list, nil
	}
	werr := c.await(ctx, c.start(true))
	if s := c.set.Load(); s != nil {
		return s.list, nil
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
func (c *KeySet) Lookup(ctx context.Context, kid string) (Key, bool, error) {
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
	return Key{}, false, c.failure(werr, s == nil)
}

// Has reports whether the current set publishes kid, without fetching.
func (c *KeySet) Has(kid string) bool {
	s := c.set.Load()
	if s == nil {
		return false
	}
	_, ok := s.byKID[kid]
	return ok
}

// HasKey reports whether the current set holds key, without fetching.
func (c *KeySet) HasKey(key crypto.PublicKey) bool {
	s := c.set.Load()
	if s == nil {
		return false
	}
	eq, ok := key.(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return false
	}
	for _, k := range s.list {
		if eq.Equal(k.Key) {
			return true
		}
	}
	return false
}

// Ready reports whether a set has been fetched.
func (c *KeySet) Ready() bool { return c.set.Load() != nil }

// Fetches counts the fetches that succeeded and failed, for tests and
// metrics. A fetch cut short by the last release counts as neither.
func (c *KeySet) Fetches() (ok, failed int64) {
	return c.ok.Load(), c.failed.Load()
}

// close stops the background refresh, cancels a fetch under way and waits
// for both to end. The registry calls it on the last release.
func (c *KeySet) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	if c.opts.Observer != nil {
		c.opts.Observer.Closed(c.name)
	}
}

// failure says why a caller found no key: werr (ctx ended while waiting),
// the newest fetch's failure, or, when noKeys, that there are none.
func (c *KeySet) failure(werr error, noKeys bool) error {
	c.mu.Lock()
	lastErr, closed := c.lastErr, c.closed
	c.mu.Unlock()
	switch {
	case werr != nil && lastErr != nil:
		return fmt.Errorf("%w (gave up waiting for a refetch: %w)", lastErr, werr)
	case werr != nil:
		return fmt.Errorf("%s %s: gave up waiting for the fetch: %w", c.kind, c.name, werr)
	case lastErr != nil:
		return lastErr
	case closed && noKeys:
		return fmt.Errorf("%s %s: the key set is released", c.kind, c.name)
	case noKeys:
		return fmt.Errorf("%s %s: no keys fetched yet", c.kind, c.name)
	}
	return nil
}

// start returns the fetch under way, or starts one. A caller's fetch
// (demand) starts only if none started within RefetchEvery; it returns nil
// then, and once the set is closed.
func (c *KeySet) start(demand bool) *fetch {
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
	f := &fetch{done: make(chan struct{})}
	c.inflight, c.lastTry = f, now
	c.wg.Add(1)
	go c.run(f)
	return f
}

// await waits for f, if any, or for ctx. The fetch does not depend on ctx:
// it is shared, and bounded by Timeout.
func (c *KeySet) await(ctx context.Context, f *fetch) error {
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
func (c *KeySet) run(f *fetch) {
	defer c.wg.Done()
	defer close(f.done)
	got, err := c.loader.load(c.ctx, &c.opts)
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
		c.fails, c.lastErr = 0, nil
		c.due = time.Now().Add(refresh)
	default:
		c.failed.Add(1)
		c.fails++
		c.lastErr = fmt.Errorf("%s %s: %w", c.kind, c.name, err)
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
		if c.opts.Observer != nil {
			c.opts.Observer.FetchFailed(c.name)
		}
		c.logger.Warn(c.kind+" fetch failed; keeping the last good keys",
			c.field, zap.String("reason", err.Error()),
			zap.Bool("have_keys", c.set.Load() != nil), zap.Duration("retry_in", refresh))
	default:
		if c.opts.Observer != nil {
			c.opts.Observer.Fetched(c.name, len(got.set.list))
		}
		if recovered > 0 {
			c.logger.Info(c.kind+" fetch recovered", c.field, zap.Int("failures", recovered))
		}
		if len(got.private) > 0 {
			c.logger.Warn("the key set publishes private keys; their private members are ignored, but the identity provider should not publish them",
				c.field, zap.Strings("kids", got.private))
		}
		if ce := c.logger.Check(zapcore.DebugLevel, "fetched key set"); ce != nil {
			kids := make([]string, len(got.set.list))
			for i, k := range got.set.list {
				kids[i] = k.KID
			}
			ce.Write(c.field, zap.Strings("kids", kids),
				zap.Strings("skipped", got.skipped), zap.Duration("refresh_in", refresh))
		}
	}
}

// retryAfter is the delay before the next attempt after fails failures in
// a row: RefetchEvery, doubling, up to MaxRefresh.
func (c *KeySet) retryAfter(fails int) time.Duration {
	d := c.opts.RefetchEvery
	for i := 1; i < fails && d < c.opts.MaxRefresh; i++ {
		d *= 2
	}
	return min(d, c.opts.MaxRefresh)
}

// loop refreshes the set when due: FirstFetchDelay after Start, then as
// the newest fetch (its own or a caller's) scheduled.
func (c *KeySet) loop() {
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
