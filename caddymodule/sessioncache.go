package caddymodule

import (
	"sync"
	"time"
)

// sessionCache remembers verified sessions by the SHA-256 of their token
// until the token expires, so that repeat requests skip the signature check
// (an RS256 or ES256 verification costs tens of microseconds). It holds no
// token, only its hash and what the session said. It is bounded: when full,
// expired entries go first, then arbitrary ones.
type sessionCache struct {
	mu  sync.RWMutex
	max int
	m   map[[32]byte]*identity
}

func newSessionCache(max int) *sessionCache {
	return &sessionCache{max: max, m: make(map[[32]byte]*identity)}
}

func (c *sessionCache) get(key [32]byte, now time.Time) (*identity, bool) {
	c.mu.RLock()
	id, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !now.Before(id.exp) {
		return nil, false
	}
	return id, true
}

func (c *sessionCache) put(key [32]byte, id *identity, now time.Time) {
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
