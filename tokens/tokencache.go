package tokens

import (
	"hash/maphash"
	"sync"
	"time"
)

// defaultTokenCacheSize bounds a template's minted-token cache.
const defaultTokenCacheSize = 4096

// tokenCache reuses minted tokens for asymmetric presets, whose signatures
// cost about a millisecond (RS256) where HMAC costs a microsecond. A token
// is reused for a request whose claims, times and jti aside, are identical:
// the same user, room and grants, so one user's token never goes to another.
// It is reused only while more than half of its lifetime remains. Each
// template has its own cache, so a reload or a new key starts empty. It is
// bounded: when full, expired entries go first, then arbitrary ones.
type tokenCache struct {
	mu    sync.Mutex
	max   int
	seeds [2]maphash.Seed
	m     map[tokenCacheKey]Minted
}

type tokenCacheKey [2]uint64

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, m: map[tokenCacheKey]Minted{}}
}

// key hashes the claims (without times and jti) and the lifetime, which a
// request may shorten.
func (c *tokenCache) key(claims []byte, ttl time.Duration) tokenCacheKey {
	var h0, h1 maphash.Hash
	h0.SetSeed(c.seeds[0])
	h1.SetSeed(c.seeds[1])
	var b [8]byte
	for i := range b {
		b[i] = byte(ttl >> (8 * i))
	}
	h0.Write(claims)
	h0.Write(b[:])
	h1.Write(claims)
	h1.Write(b[:])
	return tokenCacheKey{h0.Sum64(), h1.Sum64()}
}

// get returns a cached token while more than half its lifetime remains.
func (c *tokenCache) get(k tokenCacheKey, now time.Time) (Minted, bool) {
	c.mu.Lock()
	t, ok := c.m[k]
	c.mu.Unlock()
	if !ok || t.Expires == 0 {
		return Minted{}, false
	}
	if remain := t.Expires - now.Unix(); remain*2 <= t.Expires-t.IssuedAt {
		return Minted{}, false
	}
	return t, true
}

func (c *tokenCache) put(k tokenCacheKey, t Minted, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for key, e := range c.m {
			if e.Expires <= now.Unix() {
				delete(c.m, key)
			}
		}
		for key := range c.m {
			if len(c.m) < c.max-c.max/10 {
				break
			}
			delete(c.m, key)
		}
	}
	c.m[k] = t
}

// CachedTokens reports how many tokens the template's cache holds (0 without one).
func (t *Template) CachedTokens() int {
	if t.cache == nil {
		return 0
	}
	t.cache.mu.Lock()
	defer t.cache.mu.Unlock()
	return len(t.cache.m)
}
