package identity

import (
	"fmt"
	"sync"
)

// Registry shares key sets: one per JWKS URL and one per OIDC issuer,
// whoever asks for it, counted by reference. A config reload that acquires
// the new verifiers before it closes the old ones keeps the keys and their
// refresh loop across the reload without a refetch.
type Registry struct {
	mu   sync.Mutex
	sets map[registryKey]*registryEntry
}

type registryKey struct{ kind, name string }

type registryEntry struct {
	set  *KeySet
	refs int
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{sets: map[registryKey]*registryEntry{}}
}

// JWKS acquires the key set at url, creating it on first use; pair it with
// Release. It makes no network call: the background loop begins at Start,
// and callers of Keys or Lookup fetch on demand. The options of the first
// acquirer win.
func (r *Registry) JWKS(url string, opts FetchOptions) (*KeySet, error) {
	if err := CheckKeyURL(url); err != nil {
		return nil, fmt.Errorf("JWKS URL %v", err)
	}
	return r.acquire(kindJWKS, url, jwksLoader{url: url}, opts)
}

// OIDC acquires the key set of issuer, found through its discovery
// document, as JWKS does.
func (r *Registry) OIDC(issuer string, opts FetchOptions) (*KeySet, error) {
	if err := CheckIssuerURL(issuer); err != nil {
		return nil, fmt.Errorf("OIDC issuer %v", err)
	}
	return r.acquire(kindOIDC, issuer, &oidcLoader{issuer: issuer}, opts)
}

func (r *Registry) acquire(kind, name string, l loader, opts FetchOptions) (*KeySet, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := registryKey{kind, name}
	e := r.sets[k]
	if e == nil {
		e = &registryEntry{set: newKeySet(kind, name, l, opts)}
		r.sets[k] = e
	}
	e.refs++
	return e.set, nil
}

// Release drops one reference to s; the last one stops its background
// refresh and waits for it (and any fetch) to end.
func (r *Registry) Release(s *KeySet) {
	r.mu.Lock()
	k := registryKey{s.kind, s.name}
	e := r.sets[k]
	if e == nil || e.set != s {
		r.mu.Unlock()
		return
	}
	e.refs--
	last := e.refs == 0
	if last {
		delete(r.sets, k)
	}
	r.mu.Unlock()
	if last {
		s.close()
	}
}

// References counts the references to the key sets named name (a JWKS URL
// or an OIDC issuer), for tests and diagnostics.
func (r *Registry) References(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for k, e := range r.sets {
		if k.name == name {
			n += e.refs
		}
	}
	return n
}
