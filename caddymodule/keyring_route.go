package caddymodule

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// adaptRing is what a route's adapt-time check knows of a ring of the
// Caddyfile's global option: its algorithm ("" when its first PEM key
// decides) and whether its keys rotate.
type adaptRing struct {
	alg  string
	auto bool
}

// caddyfileRings returns the rings of the provider_token_keys global option
// (none when it is absent), for the adapt-time check of keyring lines.
func caddyfileRings(h httpcaddyfile.Helper) map[string]adaptRing {
	rings := map[string]adaptRing{}
	opt, ok := h.Option(keysOption).(httpcaddyfile.App)
	if !ok {
		return rings
	}
	var app App
	if err := json.Unmarshal(opt.Value, &app); err != nil {
		return rings
	}
	for name, kr := range app.KeyRings {
		rings[name] = adaptRing{alg: kr.alg(), auto: kr.Auto != nil}
	}
	return rings
}

// provisionRing finds the route's key ring in the tokenmint app.
func (h *Handler) provisionRing(ctx caddy.Context) error {
	if h.KeyRing == "" {
		return nil
	}
	app, err := tokenmintApp(ctx)
	if err != nil {
		return err
	}
	h.ring, err = app.ring(h.KeyRing)
	return err
}

// ringSource checks a keyring route against its preset and returns the
// ring's key source; at adapt time (resolve unset) a stand-in of the ring's
// algorithm.
func (h *Handler) ringSource(p *tokens.Preset, resolve bool) (tokens.KeySource, error) {
	switch {
	case h.Secret != "":
		return nil, fmt.Errorf("give keyring or secret, not both: the ring's keys sign")
	case h.SigningKey != "":
		return nil, fmt.Errorf("give keyring or signing_key, not both: the ring's current key signs")
	case h.KID != "" || h.Header["kid"] != "":
		return nil, fmt.Errorf("the header's kid comes from the key ring (the signing key's id); remove kid")
	}
	algs := p.Algorithms
	if len(algs) == 0 {
		algs = []string{"HS256"}
	}
	var asym []string
	for _, a := range algs {
		if !strings.HasPrefix(a, "HS") {
			asym = append(asym, a)
		}
	}
	if len(asym) == 0 {
		return nil, fmt.Errorf("%s tokens are signed with %s: that takes `secret`, not a key ring", p.Name, strings.Join(algs, " or "))
	}
	alg, auto := "", false
	switch {
	case resolve:
		alg, auto = h.ring.alg, h.ring.auto != nil
	case h.adaptRings != nil:
		r, ok := h.adaptRings[h.KeyRing]
		if !ok {
			return nil, fmt.Errorf("keyring %s: no such ring; define it in the global option %s { ring %s { ... } }", h.KeyRing, keysOption, h.KeyRing)
		}
		alg, auto = r.alg, r.auto
	}
	if alg == "" { // the ring's first key decides, once it is read
		alg = h.Algorithm
		if alg == "" {
			alg = asym[0]
		}
	}
	if !slices.Contains(algs, alg) {
		return nil, fmt.Errorf("keyring %s signs %s, and %s tokens are signed with %s; use a ring whose keys sign one of those (auto %s, or a key that fits)",
			h.KeyRing, alg, p.Name, strings.Join(asym, " or "), asym[0])
	}
	if h.Algorithm != "" && h.Algorithm != alg {
		return nil, fmt.Errorf("keyring %s signs %s, not %s: remove `algorithm` (a ring's keys decide it)", h.KeyRing, alg, h.Algorithm)
	}
	if auto && !p.HasExpiry() {
		return nil, fmt.Errorf("keyring %s rotates its keys, and %s tokens carry no exp, so they would outlive their key; use a ring of PEM keys", h.KeyRing, p.Name)
	}
	if resolve {
		return h.ring.source, nil
	}
	return tokens.NewRing(alg), nil
}

// useRing tells an auto ring the route's ttl: its keys stay published at
// least that long after they stop signing.
func (h *Handler) useRing() {
	if h.ring != nil && h.ring.auto != nil {
		h.ring.auto.useTTL(h.tmpl.TTL())
	}
}

// ringWait bounds how long a request waits for a ring's first key.
const ringWait = 10 * time.Second

// waitRing holds a request until the route's ring has its first key (a
// request that comes before the app has started), or answers 503.
func (h *Handler) waitRing(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), ringWait)
	defer cancel()
	if err := h.ring.wait(ctx); err != nil {
		w.Header().Set("Retry-After", "5")
		return h.refuse(w, r, &tokens.Error{Status: http.StatusServiceUnavailable, Reason: "the key ring has no key yet"})
	}
	return nil
}
