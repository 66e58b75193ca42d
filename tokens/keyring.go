package tokens

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Key is a signing key and its key id, which goes in the header's kid.
type Key struct {
	KID    string
	Signer Signer
}

// KeySource gives the key that signs at a given time: a key ring whose
// signer changes as its keys rotate. A template compiled with one
// (Config.Keys) asks it on every Mint, so SigningKey must be cheap and safe
// for concurrent use, and give the same *Key for as long as that key signs.
type KeySource interface {
	// Alg is the algorithm of every key the source gives.
	Alg() string
	// SigningKey returns the key that signs at now, or nil when there is
	// none (yet).
	SigningKey(now time.Time) *Key
}

// RingKey is a key of a Ring and the time from which it signs.
type RingKey struct {
	*Key
	SignsFrom time.Time
}

// Ring is a KeySource over keys on a timeline: at any time, the key with
// the latest SignsFrom not after it signs (a key signs until the next one
// takes over). Set replaces the keys while templates use the ring.
type Ring struct {
	alg  string
	keys atomic.Pointer[[]RingKey] // newest SignsFrom first
}

// NewRing returns an empty ring of keys that sign with alg.
func NewRing(alg string) *Ring { return &Ring{alg: alg} }

// Alg is the algorithm of the ring's keys.
func (r *Ring) Alg() string { return r.alg }

// Set replaces the ring's keys. Each must sign with the ring's algorithm
// and have a kid of its own.
func (r *Ring) Set(keys []RingKey) error {
	sorted := make([]RingKey, len(keys))
	copy(sorted, keys)
	seen := map[string]bool{}
	for _, k := range sorted {
		switch {
		case k.Key == nil || k.Signer == nil:
			return errors.New("a ring key has no signer")
		case k.Signer.Alg() != r.alg:
			return fmt.Errorf("key %q signs %s in a ring of %s keys", k.KID, k.Signer.Alg(), r.alg)
		case k.KID == "":
			return errors.New("a ring key has no kid")
		case checkText(k.KID) != "":
			return fmt.Errorf("kid %q %s", k.KID, checkText(k.KID))
		case seen[k.KID]:
			return fmt.Errorf("kid %q names two keys of the ring", k.KID)
		}
		seen[k.KID] = true
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].SignsFrom.After(sorted[j].SignsFrom) })
	r.keys.Store(&sorted)
	return nil
}

// SigningKey returns the key with the latest SignsFrom not after now.
func (r *Ring) SigningKey(now time.Time) *Key {
	p := r.keys.Load()
	if p == nil {
		return nil
	}
	for i := range *p {
		if !(*p)[i].SignsFrom.After(now) {
			return (*p)[i].Key
		}
	}
	return nil
}

// keyState is what a template signs with: a signer, its kid and the
// header that names them, encoded once per key.
type keyState struct {
	key      *Key // nil for a fixed signer (Config.Signer)
	signer   Signer
	kid      string // the header's kid, if any
	header64 []byte // base64url(header) + "."
}

// keyStates keeps a template's headers for the keys of its KeySource.
type keyStates struct {
	mu   sync.Mutex
	seen []*keyState // the most recent last; a few at most
}

// errNoKey answers a mint while a key source has no key.
var errNoKey = &Error{Status: http.StatusServiceUnavailable, Reason: "the key ring has no signing key yet"}

// signingState returns what signs at now: the fixed signer's state, or that
// of the key source's current key. A key the template has not signed with
// before gets its header encoded (once), and becoming the signer drops the
// cached tokens of every other key: a token from the cache is always
// signed by the key that signs now.
func (t *Template) signingState(now time.Time) (*keyState, *Error) {
	st := t.state.Load()
	if t.keys == nil {
		return st, nil
	}
	k := t.keys.SigningKey(now)
	if k == nil {
		return nil, errNoKey
	}
	if st != nil && st.key == k {
		return st, nil
	}
	return t.useKey(k)
}

func (t *Template) useKey(k *Key) (*keyState, *Error) {
	t.keyStates.mu.Lock()
	defer t.keyStates.mu.Unlock()
	var st *keyState
	for _, s := range t.keyStates.seen {
		if s.key == k {
			st = s
		}
	}
	if st == nil {
		if k.Signer == nil || k.Signer.Alg() != t.alg {
			return nil, &Error{Status: http.StatusInternalServerError, Reason: "the key ring's key does not sign " + t.alg}
		}
		fields := make(map[string]string, len(t.hdrFields)+1)
		for name, v := range t.hdrFields {
			fields[name] = v
		}
		fields["kid"] = k.KID
		header, err := encodeHeader(t.preset, t.alg, fields, t.options)
		if err != nil {
			return nil, &Error{Status: http.StatusInternalServerError, Reason: "the key ring's kid cannot go in a header"}
		}
		st = &keyState{key: k, signer: k.Signer, kid: k.KID, header64: append(base64.RawURLEncoding.AppendEncode(nil, header), '.')}
		if len(t.keyStates.seen) >= 4 {
			t.keyStates.seen = t.keyStates.seen[1:]
		}
		t.keyStates.seen = append(t.keyStates.seen, st)
	}
	if cur := t.state.Load(); cur == nil || cur.key != k {
		t.state.Store(st)
		if t.cache != nil {
			t.cache.keepOnly(k.KID)
		}
	}
	return st, nil
}
