package caddymodule

import (
	"sync"

	"github.com/caddyserver/caddy/v2"
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
type App struct {
	mu       sync.Mutex
	started  bool
	starters []func()
}

// CaddyModule returns the Caddy module information.
func (*App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "tokenmint",
		New: func() caddy.Module { return new(App) },
	}
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

// Interface guard
var _ caddy.App = (*App)(nil)
