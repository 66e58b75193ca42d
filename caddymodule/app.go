package caddymodule

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
)

func init() {
	caddy.RegisterModule(new(App))
}

// App is tokenmint's Caddy app, module "tokenmint": what outlives one
// request and is shared by handlers. Handlers load it in Provision (an
// unconfigured app is loaded empty). Its job here is to start background
// work (JWKS refresh loops) only when Caddy runs the config: `caddy
// validate` provisions handlers and cleans them up without starting apps,
// so it never reaches the network.
//
// It also holds the key rings that provider_token signs with (keyring) and
// provider_token_jwks publishes. A ring of generated keys (auto) touches
// Caddy's storage only once it is used: when the config starts, or at the
// first request that needs it, never at `caddy validate`.
type App struct {
	// KeyRings are named sets of signing keys (Caddyfile: the global
	// option provider_token_keys). Default: none.
	KeyRings map[string]*KeyRing `json:"key_rings,omitempty"`

	mu       sync.Mutex
	started  bool
	starters []func()

	storage  certmagic.Storage
	rings    map[string]*keyRing
	used     map[string]bool // rings a handler has asked for
	poolKeys []string        // autoRings entries to release at Cleanup
}

// CaddyModule returns the Caddy module information.
func (*App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "tokenmint",
		New: func() caddy.Module { return new(App) },
	}
}

// Provision checks the key rings and reads PEM keys. Auto rings are set up
// without touching storage.
func (a *App) Provision(ctx caddy.Context) error {
	a.storage = ctx.Storage()
	a.rings = map[string]*keyRing{}
	a.used = map[string]bool{}
	for _, name := range a.ringNames() {
		kr := a.KeyRings[name]
		if err := kr.check(name); err != nil {
			return err
		}
		if kr.Auto == nil {
			r, err := loadStatic(name, kr)
			if err != nil {
				return err
			}
			a.rings[name] = r
			continue
		}
		if kr.Auto.rotate() < time.Hour {
			ctx.Logger().Warn("a rotation period under an hour is meant for tests: every instance reads the storage every few seconds",
				zap.String("ring", name), zap.Duration("rotate", kr.Auto.rotate()))
		}
		key := autoRingKey(a.storage, name, kr.Auto)
		v, _, err := autoRings.LoadOrNew(key, func() (caddy.Destructor, error) {
			return newAutoRing(a.storage, name, kr.Auto), nil
		})
		if err != nil {
			return err
		}
		a.poolKeys = append(a.poolKeys, key)
		auto := v.(*autoRing)
		a.rings[name] = &keyRing{name: name, alg: kr.Auto.Algorithm, source: auto.source, auto: auto}
	}
	return nil
}

func (a *App) ringNames() []string {
	names := make([]string, 0, len(a.KeyRings))
	for name := range a.KeyRings {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ring returns a ring for a handler's Provision; an auto ring starts
// (loads or makes its keys, then maintains them) when the app does.
func (a *App) ring(name string) (*keyRing, error) {
	r, ok := a.rings[name]
	if !ok {
		if len(a.rings) == 0 {
			return nil, fmt.Errorf("key ring %q is not defined: define it in the global option provider_token_keys { ring %s { ... } } (the tokenmint app's key_rings)", name, name)
		}
		return nil, fmt.Errorf("key ring %q is not defined; the rings are: %s", name, strings.Join(a.ringNames(), ", "))
	}
	if r.auto != nil && !a.used[name] {
		a.used[name] = true
		a.onStart(r.auto.start)
	}
	return r, nil
}

// Cleanup releases the config's hold on its auto rings; the last config to
// let go of one stops its maintenance.
func (a *App) Cleanup() error {
	for _, key := range a.poolKeys {
		if _, err := autoRings.Delete(key); err != nil {
			return err
		}
	}
	a.poolKeys = nil
	return nil
}

// Start runs what handlers asked to start, in the order they asked.
func (a *App) Start() error {
	a.mu.Lock()
	a.started = true
	starters := a.starters
	a.starters = nil
	a.mu.Unlock()
	for _, f := range starters {
		f()
	}
	return nil
}

// Stop does nothing: handlers stop their own work in Cleanup, which Caddy
// calls for a config that ends, started or not.
func (a *App) Stop() error { return nil }

// onStart runs f when the app starts, or now if it has. f must be safe to
// call more than once across configs (a reload starts a new app).
func (a *App) onStart(f func()) {
	a.mu.Lock()
	if !a.started {
		a.starters = append(a.starters, f)
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	f()
}

// tokenmintApp loads the app for a handler's Provision.
func tokenmintApp(ctx caddy.Context) (*App, error) {
	v, err := ctx.App("tokenmint")
	if err != nil {
		return nil, err
	}
	return v.(*App), nil
}

// Interface guards
var (
	_ caddy.App          = (*App)(nil)
	_ caddy.Provisioner  = (*App)(nil)
	_ caddy.CleanerUpper = (*App)(nil)
)
