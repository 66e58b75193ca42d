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
// It is reused only while more than half of its lifetime remains, and only
// while the key that signed it signs: the key id is part of the cache key,
// and a key ring's new signer empties the cache of every other key's
// tokens. Each template has its own cache, so a reload or a new key starts
// empty. It is bounded: when full, expired entries go first, then
// arbitrary ones.
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

// key hashes the signing key's id, the claims (without times and jti) and
// the lifetime, which a request may shorten.
func (c *tokenCache) key(kid string, claims []byte, ttl time.Duration) tokenCacheKey {
	var h0, h1 maphash.Hash
	h0.SetSeed(c.seeds[0])
	h1.SetSeed(c.seeds[1])
	var b [8]byte
	for i := range b {
		b[i] = byte(ttl >> (8 * i))
	}
	var n [8]byte
	for i := range n {
		n[i] = byte(len(kid) >> (8 * i))
	}
	for _, h := range []*maphash.Hash{&h0, &h1} {
		h.Write(n[:])
		h.WriteString(kid)
		h.Write(claims)
		h.Write(b[:])
	}
	return tokenCacheKey{h0.Sum64(), h1.Sum64()}
}

// get returns a cached token signed by kid while more than half its
// lifetime remains.
func (c *tokenCache) get(k tokenCacheKey, kid string, now time.Time) (Minted, bool) {
	c.mu.Lock()
	t, ok := c.m[k]
	c.mu.Unlock()
	if !ok || t.Expires == 0 || t.KID != kid {
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

// keepOnly drops the tokens that kid did not sign: when a key ring's signer
// changes, its predecessor's tokens must not be served again.
func (c *tokenCache) keepOnly(kid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, t := range c.m {
		if t.KID != kid {
			delete(c.m, k)
		}
	}
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
