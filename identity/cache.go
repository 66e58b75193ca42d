package identity

import (
	"hash/maphash"
	"sync"
	"time"
)

// sessionCache remembers verified sessions by a keyed 128-bit hash of
// their token until the token expires, so that repeat requests skip the
// signature check (an RS256 or ES256 verification costs tens of
// microseconds). It holds no token, only its hash and what the session said.
// The hash is two maphash sums under seeds drawn at random per cache: an
// attacker can neither compute nor observe them, so crafting a token that
// collides with a cached one is a 2^-128 guess. It is bounded: when full,
// expired entries go first, then arbitrary ones.
type sessionCache struct {
	mu    sync.RWMutex
	max   int
	seeds [2]maphash.Seed
	m     map[sessionKey]*Identity
}

type sessionKey [2]uint64

func newSessionCache(max int) *sessionCache {
	return &sessionCache{max: max, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, m: make(map[sessionKey]*Identity)}
}

// key hashes a token.
func (c *sessionCache) key(tok string) sessionKey {
	return sessionKey{maphash.String(c.seeds[0], tok), maphash.String(c.seeds[1], tok)}
}

func (c *sessionCache) get(key sessionKey, now time.Time) (*Identity, bool) {
	c.mu.RLock()
	id, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !now.Before(id.exp) {
		return nil, false
	}
	return id, true
}

func (c *sessionCache) put(key sessionKey, id *Identity, now time.Time) {
	if !now.Before(id.exp) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, e := range c.m {
			if !now.Before(e.exp) {
				delete(c.m, k)
			}
		}
		// Still full: drop about a tenth, in map order (arbitrary).
		for k := range c.m {
			if len(c.m) < c.max-c.max/10 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[key] = id
}

func (c *sessionCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
