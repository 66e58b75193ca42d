package caddymodule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// An auto ring's keys live in Caddy's storage, under
// tokenmint/keyrings/<ring>/<algorithm>/: index.json holds the timeline of
// every key, <kid>.pem each private key (PKCS #8). Every instance that
// shares the storage reads the same index; the one that finds a key due
// generates it while holding the storage's lock, so exactly one instance
// makes each key and the others load it.
//
// The timeline of a ring with rotation period R, announce period A = R/10
// and L the longest ttl of the routes that use it:
//
//	created     the key is generated and published in the JWKS
//	signs_from  it signs from here: created + A (its predecessor's
//	            signs_from + R when on time); the first key of a ring signs
//	            at once, as there is nothing to announce it before
//	            (its successor is generated at signs_from + R - A)
//	retires_at  set when its successor is made: the successor's
//	            signs_from + L + A. It stops signing at the successor's
//	            signs_from; every token it signed has expired L later; A
//	            more covers clocks and instances that learn late of the
//	            successor. At retires_at it leaves the JWKS and storage.
//
// The JWKS max-age is A/4 (at most 1h), so a verifier that caches the JWKS
// sees a new key at least 3A/4 before it signs. A reload or restart reads
// the index and generates nothing unless a key is due.

// ringIndex is index.json.
type ringIndex struct {
	Ring      string      `json:"ring"`
	Algorithm string      `json:"algorithm"`
	Keys      []keyRecord `json:"keys"`
}

// keyRecord is one key's timeline in index.json.
type keyRecord struct {
	KID       string    `json:"kid"`
	Created   time.Time `json:"created"`
	SignsFrom time.Time `json:"signs_from"`
	RetiresAt time.Time `json:"retires_at,omitzero"`
}

// autoRings are shared by the configs of a process (a reload keeps the
// loaded keys and the one maintenance loop), keyed by storage, ring name,
// algorithm and rotation.
var autoRings = caddy.NewUsagePool()

// autoRing is a ring of generated keys kept in storage.
type autoRing struct {
	name    string
	alg     string
	rotate  time.Duration
	storage certmagic.Storage
	prefix  string // tokenmint/keyrings/<name>/<alg>
	logger  *zap.Logger
	source  *tokens.Ring
	maxTTL  atomic.Int64 // the longest ttl of a route that has used the ring
	version atomic.Uint64

	mu    sync.Mutex // one maintenance pass at a time
	byKID map[string]*ringKey
	state atomic.Pointer[[]*ringKey] // by signs_from

	loadOnce sync.Once
	readyCh  chan struct{} // closed once a key signs
	runOnce  sync.Once
	stop     chan struct{}
	stopOnce sync.Once
	// now is the ring's clock; tests may replace it.
	now func() time.Time
}

// poolKey identifies a ring across configs. A storage module that does not
// name itself is told apart by a hash of its settings (which are never
// logged).
func autoRingKey(storage certmagic.Storage, name string, a *AutoKeys) string {
	id := ""
	if s, ok := storage.(fmt.Stringer); ok {
		id = s.String()
	} else {
		sum := sha256.Sum256(fmt.Appendf(nil, "%T %#v", storage, storage))
		id = hex.EncodeToString(sum[:])
	}
	return fmt.Sprintf("%s|%s|%s|%s", id, name, a.Algorithm, a.rotate())
}

func newAutoRing(storage certmagic.Storage, name string, a *AutoKeys) *autoRing {
	return &autoRing{
		name: name, alg: a.Algorithm, rotate: a.rotate(), storage: storage,
		prefix: "tokenmint/keyrings/" + name + "/" + a.Algorithm,
		logger: caddy.Log().Named("tokenmint.keys").With(zap.String("ring", name), zap.String("algorithm", a.Algorithm)),
		source: tokens.NewRing(a.Algorithm), byKID: map[string]*ringKey{},
		readyCh: make(chan struct{}), stop: make(chan struct{}), now: time.Now,
	}
}

// Destruct stops the maintenance loop when no config uses the ring.
func (r *autoRing) Destruct() error {
	r.stopOnce.Do(func() { close(r.stop) })
	return nil
}

// announce is how long a new key is published before it signs.
func (r *autoRing) announce() time.Duration { return r.rotate / 10 }

// poll is how often the index is read for keys another instance made
// outside the schedule (every instance also wakes when a key is due).
func (r *autoRing) poll() time.Duration { return min(r.announce()/2, 10*time.Minute) }

// useTTL records the ttl of a route that signs with the ring: its keys
// stay published that long after they stop signing.
func (r *autoRing) useTTL(ttl time.Duration) {
	for {
		cur := r.maxTTL.Load()
		if int64(ttl) <= cur || r.maxTTL.CompareAndSwap(cur, int64(ttl)) {
			return
		}
	}
}

func (r *autoRing) keys() []*ringKey {
	if p := r.state.Load(); p != nil {
		return *p
	}
	return nil
}

func (r *autoRing) isReady() bool {
	select {
	case <-r.readyCh:
		return true
	default:
		return false
	}
}

// wait starts the first pass (load, or generate on first use) if none has
// started, and waits for a signing key.
func (r *autoRing) wait(ctx context.Context) error {
	r.loadOnce.Do(func() { go r.maintainLogged() })
	select {
	case <-r.readyCh:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("key ring %s has no key yet: %w", r.name, ctx.Err())
	}
}

// start runs the maintenance loop (once per process and ring).
func (r *autoRing) start() {
	r.runOnce.Do(func() { go r.run() })
}

func (r *autoRing) run() {
	for {
		var wait time.Duration
		r.loadOnce.Do(func() {}) // the loop's first pass is the first load
		wait = r.maintainLogged()
		select {
		case <-r.stop:
			return
		case <-time.After(wait):
		}
	}
}

// maintainLogged runs one pass and says when the next is due; a failure is
// logged and retried soon, the loaded keys staying in use.
func (r *autoRing) maintainLogged() time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	go func() {
		select {
		case <-r.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	next, err := r.maintain(ctx)
	if err != nil {
		r.logger.Error("key ring maintenance failed; keeping the loaded keys and retrying", zap.Error(err))
		return min(r.poll(), 30*time.Second)
	}
	return max(next.Sub(r.now()), 100*time.Millisecond)
}

// maintain reads the index, writes what is due under the storage's lock,
// loads new keys and returns when it next has something to do.
func (r *autoRing) maintain(ctx context.Context) (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	idx, err := r.loadIndex(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if r.due(idx, r.now()) {
		if idx, err = r.update(ctx); err != nil {
			return time.Time{}, err
		}
	}
	if err := r.apply(ctx, idx); err != nil {
		return time.Time{}, err
	}
	return r.nextWake(idx, r.now()), nil
}

// lockName is the storage lock that guards the ring's index.
func (r *autoRing) lockName() string { return "tokenmint_keyring_" + r.name + "_" + r.alg }

// update regenerates the plan under the lock and writes it.
func (r *autoRing) update(ctx context.Context) (*ringIndex, error) {
	if err := r.storage.Lock(ctx, r.lockName()); err != nil {
		return nil, fmt.Errorf("locking %s: %w", r.lockName(), err)
	}
	defer func() {
		if err := r.storage.Unlock(context.Background(), r.lockName()); err != nil {
			r.logger.Error("unlocking the key ring", zap.Error(err))
		}
	}()
	idx, err := r.loadIndex(ctx) // another instance may have written it
	if err != nil {
		return nil, err
	}
	now := r.now()
	if !r.due(idx, now) {
		return idx, nil
	}
	if r.needsKey(idx, now) {
		start := time.Now()
		priv, err := keys.Generate(r.alg)
		if err != nil {
			return nil, err
		}
		took := time.Since(start)
		k, err := newRingKey(priv, "", r.alg)
		if err != nil {
			return nil, err
		}
		pemText, err := keys.MarshalPrivate(priv)
		if err != nil {
			return nil, err
		}
		rec := keyRecord{KID: k.kid, Created: now, SignsFrom: now}
		if n := len(idx.Keys); n > 0 {
			last := idx.Keys[n-1].SignsFrom
			rec.SignsFrom = maxTime(now.Add(r.announce()), last.Add(r.rotate))
		}
		if err := r.storage.Store(ctx, r.keyPath(k.kid), pemText); err != nil {
			return nil, fmt.Errorf("storing the new key: %w", err)
		}
		if err := r.secure(r.keyPath(k.kid)); err != nil {
			return nil, err
		}
		idx.Keys = append(idx.Keys, rec)
		r.logger.Info("generated a signing key",
			zap.String("kid", k.kid), zap.Time("signs_from", rec.SignsFrom), zap.Duration("took", took))
	}
	r.retire(idx)
	var gone []string
	kept := idx.Keys[:0]
	for _, k := range idx.Keys {
		if !k.RetiresAt.IsZero() && !now.Before(k.RetiresAt) {
			gone = append(gone, k.KID)
			continue
		}
		kept = append(kept, k)
	}
	idx.Keys = kept
	text, err := json.MarshalIndent(idx, "", "\t")
	if err != nil {
		return nil, err
	}
	if err := r.storage.Store(ctx, r.prefix+"/index.json", text); err != nil {
		return nil, fmt.Errorf("storing the key index: %w", err)
	}
	for _, kid := range gone {
		if err := r.storage.Delete(ctx, r.keyPath(kid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			r.logger.Warn("deleting a retired key", zap.String("kid", kid), zap.Error(err))
		}
		r.logger.Info("retired a signing key", zap.String("kid", kid))
	}
	return idx, nil
}

func (r *autoRing) keyPath(kid string) string { return r.prefix + "/" + kid + ".pem" }

// secure makes sure that a key file in file-system storage is readable by
// Caddy's user only: 0600, in directories of 0700 from tokenmint/ down.
// (certmagic's FileStorage writes files 0600 and makes directories 0700,
// but leaves existing directories as they are.)
func (r *autoRing) secure(key string) error {
	fsys, ok := r.storage.(*certmagic.FileStorage)
	if !ok {
		return nil
	}
	file := fsys.Filename(key)
	if err := os.Chmod(file, 0o600); err != nil {
		return err
	}
	top := fsys.Filename("tokenmint")
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
		if dir == top || len(dir) <= len(top) {
			return nil
		}
	}
}

// loadIndex reads index.json; a missing one is an empty ring.
func (r *autoRing) loadIndex(ctx context.Context) (*ringIndex, error) {
	text, err := r.storage.Load(ctx, r.prefix+"/index.json")
	if errors.Is(err, fs.ErrNotExist) {
		return &ringIndex{Ring: r.name, Algorithm: r.alg}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key index: %w", err)
	}
	idx := new(ringIndex)
	if err := json.Unmarshal(text, idx); err != nil {
		return nil, fmt.Errorf("the key index %s is not valid: %w", r.prefix+"/index.json", err)
	}
	slices.SortStableFunc(idx.Keys, func(a, b keyRecord) int { return a.SignsFrom.Compare(b.SignsFrom) })
	return idx, nil
}

// needsKey: the ring has no key, or its newest key's successor is due.
func (r *autoRing) needsKey(idx *ringIndex, now time.Time) bool {
	n := len(idx.Keys)
	return n == 0 || !now.Before(idx.Keys[n-1].SignsFrom.Add(r.rotate-r.announce()))
}

// retire sets or extends each key's retires_at from its successor's
// signs_from; it never shortens one. It reports whether it changed any.
func (r *autoRing) retire(idx *ringIndex) bool {
	changed := false
	for i := 0; i+1 < len(idx.Keys); i++ {
		want := idx.Keys[i+1].SignsFrom.Add(time.Duration(r.maxTTL.Load()) + r.announce())
		if idx.Keys[i].RetiresAt.Before(want) {
			idx.Keys[i].RetiresAt = want
			changed = true
		}
	}
	return changed
}

// due reports whether the index needs writing: a new key, a retirement to
// set or extend, or a retired key to remove.
func (r *autoRing) due(idx *ringIndex, now time.Time) bool {
	if r.needsKey(idx, now) {
		return true
	}
	probe := &ringIndex{Keys: slices.Clone(idx.Keys)}
	if r.retire(probe) {
		return true
	}
	for _, k := range idx.Keys {
		if !k.RetiresAt.IsZero() && !now.Before(k.RetiresAt) {
			return true
		}
	}
	return false
}

// nextWake is the earliest of: the next key due, the next retirement, and
// the next poll.
func (r *autoRing) nextWake(idx *ringIndex, now time.Time) time.Time {
	next := now.Add(r.poll())
	if n := len(idx.Keys); n > 0 {
		next = minTime(next, idx.Keys[n-1].SignsFrom.Add(r.rotate-r.announce()))
	}
	for _, k := range idx.Keys {
		if !k.RetiresAt.IsZero() {
			next = minTime(next, k.RetiresAt)
		}
	}
	return next
}

// apply loads the keys the index lists and makes them the ring's.
func (r *autoRing) apply(ctx context.Context, idx *ringIndex) error {
	now := r.now()
	list := make([]*ringKey, 0, len(idx.Keys))
	changed := len(idx.Keys) != len(r.keys())
	for _, rec := range idx.Keys {
		if !rec.RetiresAt.IsZero() && !now.Before(rec.RetiresAt) {
			changed = true
			continue
		}
		k := r.byKID[rec.KID]
		if k == nil {
			var err error
			if k, err = r.loadKey(ctx, rec.KID); err != nil {
				return err
			}
			changed = true
		}
		if !k.created.Equal(rec.Created) || !k.signsFrom.Equal(rec.SignsFrom) || !k.retiresAt.Equal(rec.RetiresAt) {
			nk := *k
			nk.created, nk.signsFrom, nk.retiresAt = rec.Created, rec.SignsFrom, rec.RetiresAt
			k = &nk
			changed = true
		}
		list = append(list, k)
	}
	byKID := make(map[string]*ringKey, len(list))
	signing := make([]tokens.RingKey, 0, len(list))
	for _, k := range list {
		byKID[k.kid] = k
		signing = append(signing, tokens.RingKey{Key: k.key, SignsFrom: k.signsFrom})
	}
	if err := r.source.Set(signing); err != nil {
		return err
	}
	r.byKID = byKID
	r.state.Store(&list)
	if changed {
		r.version.Add(1)
	}
	if r.source.SigningKey(now) != nil && !r.isReady() {
		close(r.readyCh)
	}
	return nil
}

// loadKey reads a key's PEM from storage and checks that it is the key its
// kid names.
func (r *autoRing) loadKey(ctx context.Context, kid string) (*ringKey, error) {
	if !thumbprintRE.MatchString(kid) { // it names a file: no path tricks
		return nil, fmt.Errorf("the key index names a key %q that is not a thumbprint", kid)
	}
	text, err := r.storage.Load(ctx, r.keyPath(kid))
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", kid, err)
	}
	priv, err := keys.ParsePrivate(text)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", kid, err)
	}
	k, err := newRingKey(priv, "", r.alg)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", kid, err)
	}
	if k.kid != kid {
		return nil, fmt.Errorf("key %s in storage is another key (thumbprint %s)", kid, k.kid)
	}
	return k, nil
}

// thumbprintRE matches a generated key's kid: a SHA-256 thumbprint,
// base64url.
var thumbprintRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Interface guard
var _ caddy.Destructor = (*autoRing)(nil)
