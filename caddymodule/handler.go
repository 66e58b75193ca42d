// Package caddymodule is the Caddy HTTP handler provider_token: it mints a
// provider's token for the request's user and either answers with it, in
// the provider's own endpoint shape, or injects it into the proxied
// request. All provider knowledge lives in package tokens.
package caddymodule

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tokenmint/caddy-tokenmint/identity"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// now is the handler's clock; tests may replace it.
var now = time.Now

// DefaultMaxBody caps the request body read for the preset's request fields
// and {body.*} placeholders.
const DefaultMaxBody = 64 << 10

// Handler mints a provider token for the request's user. In respond mode
// (the default) it answers the request with the token in the provider's
// sample-endpoint shape; with Inject it sets the token on a request header
// and passes the request on, typically to reverse_proxy.
//
// Both modes publish {http.provider_token.token} and
// {http.provider_token.expires} (Unix seconds; empty when the token has no
// exp).
type Handler struct {
	// Preset names the provider token format (hms_app, zoom_video, livekit,
	// twilio, jwt, ...; `caddy provider-token presets` lists them all).
	Preset string `json:"preset"`

	// Key is the provider's public API/app/SDK key, written into the claim
	// the preset names (access_key, app_key, apikey, ...). May hold
	// {env.*} and {file.*}, resolved once at provision.
	Key string `json:"key,omitempty"`

	// SigningKey is a PEM file holding the private key for RS*, PS*, ES* or
	// EdDSA presets (PKCS#8, PKCS#1 RSA or SEC1 EC), read once at
	// provision. The path may hold {env.*}. Give it or Secret, not both.
	SigningKey string `json:"signing_key,omitempty"`

	// KeyRing names a key ring (the global option provider_token_keys) to
	// sign with, instead of SigningKey or Secret: the ring's current key
	// signs, its kid goes in the header, and the ring's algorithm is the
	// token's. The preset must take that algorithm.
	KeyRing string `json:"keyring,omitempty"`

	// KID sets the header's kid (the key's id at the provider).
	KID string `json:"kid,omitempty"`

	// Header adds or overrides header fields, as text: typ, cty, ...
	// (alg comes from the key and algorithm).
	Header map[string]string `json:"header,omitempty"`

	// Options sets the preset's options (LiveKit's server_url, ...);
	// `caddy provider-token presets <name>` lists them.
	Options map[string]string `json:"options,omitempty"`

	// CacheTokens reuses a minted token for requests with identical claims
	// while more than half its lifetime remains. Default: on for
	// asymmetric keys (a signature costs about a millisecond), off for HMAC.
	CacheTokens *bool `json:"cache_tokens,omitempty"`

	// Cookie, if set, answers with the token in a cookie (HttpOnly,
	// Secure, SameSite, Max-Age = ttl) and 204 No Content, as Mercure's
	// mercureAuthorization cookie needs.
	Cookie *Cookie `json:"cookie,omitempty"`

	// Secret signs the token (HMAC). Write it as {env.NAME} or
	// {file./path}: those are resolved once, at provision, and the config
	// (and so the admin API) holds only the placeholder. A literal secret is
	// accepted but visible to anyone who can read the config.
	Secret string `json:"secret,omitempty"`

	// Algorithm signs the token. Default: with a secret, the preset's
	// first HMAC algorithm (HS256); with a signing key, the preset's first
	// that fits the key; with a key ring, the ring's (the only one allowed).
	Algorithm string `json:"algorithm,omitempty"`

	// TTL is the token's lifetime: exp = iat + ttl. Default: the preset's;
	// it must lie within the preset's limits.
	TTL caddy.Duration `json:"ttl,omitempty"`

	// Claims sets or overrides claims by name (dotted names address nested
	// objects). Values may hold placeholders. Several values fill an array
	// claim. A claim set here is pinned: a request may choose another value
	// only among those listed in Allow.
	Claims map[string][]string `json:"claims,omitempty"`

	// Types declares the types of claims the preset does not list (the jwt
	// preset's free-form claims): string, integer, number, boolean, array,
	// object, json or json_string. Default: string.
	Types map[string]string `json:"types,omitempty"`

	// Allow lists, per claim, the values a request may choose. Any other
	// choice is refused with 403. A value may be a placeholder that holds a
	// JSON array.
	Allow map[string][]string `json:"allow,omitempty"`

	// Session says who the user is. Default: auth_user.
	Session *Session `json:"session,omitempty"`

	// Inject, if set, puts the token on the request instead of answering.
	Inject *Inject `json:"inject,omitempty"`

	// MaxBody caps the request body read for request fields and {body.*}.
	// Default: 64 KiB. A larger body is refused with 413.
	MaxBody int64 `json:"max_body,omitempty"`

	// CORS lets front ends on other origins call the route (see CORS).
	// Default: none; a preflight then gets 405 in respond mode.
	CORS *CORS `json:"cors,omitempty"`

	// Refusals chooses who answers a refusal (400, 401, 403, 405, 413,
	// 415): "envelope", the preset's own error shape that the provider's
	// client parses (100ms, Zoom, Ably ...), or "handle_errors", which hands
	// it to the site's handle_errors routes as a Caddy error with
	// {err.status_code} and {err.message}. handle_errors blocks of other
	// sites on the same listener never take this route's refusals, and an
	// in-band preset (dataBridges) always answers in its shape.
	// Default: envelope.
	Refusals string `json:"refusals,omitempty"`

	// AuditLevel is the log level of the audit line written for every
	// minted token (preset, sub, jti, kid, iat, exp; never the token):
	// debug, info, warn or error. Refusals are logged at info with their
	// reason. Default: debug.
	AuditLevel string `json:"audit_level,omitempty"`

	preset   *tokens.Preset
	tmpl     *tokens.Template
	logger   *zap.Logger
	maxBody  int64
	method   string // the session method, defaulted
	verifier *identity.Verifier
	audit    zapcore.Level
	minted   prometheus.Counter // tokenmint_tokens_total{preset, "minted"}
	session  prometheus.Counter // tokenmint_sessions_total{method, "ok", "none"}
	useBody  bool
	injectAs string // the scheme and a space, or ""
	cors     *corsPolicy
	guard    *forgeryGuard

	ring       *keyRing             // with KeyRing
	adaptRings map[string]adaptRing // the Caddyfile's rings, while adapting
}

// routeMethods are the methods a route answers, for preflights.
func (h *Handler) routeMethods() []string {
	if h.Inject != nil {
		return []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}
	}
	return []string{"GET", "POST"}
}

// bodyBufs recycles response-body buffers across requests and handlers.
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Inject puts the token on a request header.
type Inject struct {
	// Header to set. Client-sent copies are removed first.
	Header string `json:"header"`
	// Scheme, if set, precedes the token: "Bearer" gives
	// "Authorization: Bearer <token>".
	Scheme string `json:"scheme,omitempty"`
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.provider_token",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision resolves secrets and compiles the preset with the config. It
// makes no network call.
func (h *Handler) Provision(ctx caddy.Context) error {
	if err := h.provision(ctx); err != nil {
		return fmt.Errorf("provider_token %s: %w", h.Preset, err)
	}
	return nil
}

func (h *Handler) provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	if h.Secret != "" && len(placeholderKeys(h.Secret)) == 0 {
		h.logger.Warn("the secret is written literally in the config, where the admin API shows it; use {env.NAME} or {file.PATH}",
			zap.String("preset", h.Preset))
	}
	key, err := resolveGlobal(h.Key)
	if err != nil {
		return fmt.Errorf("key: %v", err)
	}
	if err := h.provisionRing(ctx); err != nil {
		return err
	}
	tmpl, err := h.compile(key, true)
	if err != nil {
		return err
	}
	h.tmpl = tmpl
	h.useRing()
	h.maxBody = h.MaxBody
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBody
	}
	h.method = "auth_user"
	if h.Session != nil {
		h.method = h.Session.Method
	}
	if h.method == "jwt" {
		if h.verifier, err = newJWTVerifier(h.Session.JWT, h.logger); err != nil {
			return err
		}
		if err := startVerifier(ctx, h.verifier); err != nil {
			return err
		}
	}
	if h.audit, err = auditLevel(h.AuditLevel); err != nil {
		return err
	}
	if err := registerMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("registering metrics: %v", err)
	}
	h.minted = metrics.tokens.WithLabelValues(h.Preset, "minted")
	h.session = metrics.sessions.WithLabelValues(h.method, "ok", "none")
	if h.Inject != nil && h.Inject.Scheme != "" {
		h.injectAs = h.Inject.Scheme + " "
	}
	if h.cors, err = compileCORS(h.CORS, h.routeMethods()); err != nil {
		return err
	}
	h.guard = newForgeryGuard(h.cors)
	for _, vals := range h.Claims {
		for _, v := range vals {
			h.useBody = h.useBody || usesBody(v)
		}
	}
	for _, vals := range h.Allow {
		for _, v := range vals {
			h.useBody = h.useBody || usesBody(v)
		}
	}
	return nil
}

// compile checks the config and compiles it. At adapt time (resolve unset)
// placeholders stay unresolved and a stand-in signs; at Provision {env.*}
// and {file.*} are resolved first.
func (h *Handler) compile(key string, resolve bool) (*tokens.Template, error) {
	p, err := tokens.Lookup(h.Preset)
	if err != nil {
		return nil, err
	}
	h.preset = p
	if err := h.checkSession(); err != nil {
		return nil, err
	}
	if _, err := auditLevel(h.AuditLevel); err != nil {
		return nil, err
	}
	switch h.Refusals {
	case "", "envelope", "handle_errors":
	default:
		return nil, fmt.Errorf("refusals %q: use envelope or handle_errors", h.Refusals)
	}
	if h.Inject != nil && strings.TrimSpace(h.Inject.Header) == "" {
		return nil, fmt.Errorf("inject: name the header, as in `inject header Authorization Bearer`")
	}
	if _, err := compileCORS(h.CORS, h.routeMethods()); err != nil {
		return nil, err
	}
	for what, v := range map[string]string{"secret": h.Secret, "key": h.Key, "signing_key": h.SigningKey} {
		if err := checkGlobalOnly(v); err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
	}
	var signer tokens.Signer
	var ring tokens.KeySource
	if h.KeyRing != "" {
		ring, err = h.ringSource(p, resolve)
	} else {
		signer, err = h.newSigner(p, resolve)
	}
	if err != nil {
		return nil, err
	}

	cfg := tokens.Config{
		Key:         key,
		KeyPending:  !resolve && len(placeholderKeys(h.Key)) > 0,
		Signer:      signer,
		Keys:        ring,
		TTL:         time.Duration(h.TTL),
		Types:       map[string]tokens.Type{},
		Anonymous:   h.Session != nil && h.Session.Method == "anonymous",
		Header:      map[string]string{},
		CacheTokens: h.CacheTokens,
	}
	for name, v := range h.Header {
		cfg.Header[name] = v
	}
	if h.KID != "" {
		cfg.Header["kid"] = h.KID
	}
	// Header values (kid included) may come from {env.*} or {file.*}, as
	// keys do: resolved once, when the config loads.
	for name, v := range cfg.Header {
		if !resolve || len(placeholderKeys(v)) == 0 {
			continue
		}
		r, err := resolveGlobal(v)
		if err != nil {
			return nil, fmt.Errorf("header %s: %v", name, err)
		}
		cfg.Header[name] = r
	}
	if h.Cookie != nil {
		if h.Inject != nil {
			return nil, fmt.Errorf("cookie and inject exclude each other: cookie answers the request, inject passes it on")
		}
		if err := h.Cookie.check(); err != nil {
			return nil, err
		}
	}
	for name, t := range h.Types {
		typ, err := tokens.ParseType(t)
		if err != nil {
			return nil, fmt.Errorf("type %s: %v", name, err)
		}
		cfg.Types[name] = typ
	}
	// Per-request values are split into literal text and placeholders
	// here, {env.*} and {file.*} resolved among them (at Provision), so
	// that a request renders only request values and tokens can encode
	// each as data where a claim is JSON.
	dynamic := map[string][]tokens.Part{}
	resolveAll := func(in map[string][]string, what string) (map[string][]string, error) {
		out := make(map[string][]string, len(in))
		for name, vals := range in {
			res := make([]string, len(vals))
			// A claim with any per-request value is rendered per request
			// as a whole, so all its values stay raw.
			anyDynamic := false
			for _, v := range vals {
				d, _ := classify(v)
				anyDynamic = anyDynamic || d || (!resolve && len(placeholderKeys(v)) > 0)
			}
			for i, v := range vals {
				switch {
				case anyDynamic:
					parts, err := resolveParts(v, resolve)
					if err != nil {
						return nil, fmt.Errorf("%s %s: %v", what, name, err)
					}
					dynamic[v] = parts
					res[i] = v
				case len(placeholderKeys(v)) == 0:
					res[i] = literalText(v) // escapes undone; JSON such as {"a":1} as written
				default:
					r, err := resolveGlobal(v)
					if err != nil {
						return nil, fmt.Errorf("%s %s: %v", what, name, err)
					}
					res[i] = r
				}
			}
			out[name] = res
		}
		return out, nil
	}
	if cfg.Claims, err = resolveAll(h.Claims, "claim"); err != nil {
		return nil, err
	}
	if cfg.Allow, err = resolveAll(h.Allow, "allow"); err != nil {
		return nil, err
	}
	cfg.Dynamic = func(s string) bool { _, ok := dynamic[s]; return ok }
	cfg.Parts = func(s string) []tokens.Part { return dynamic[s] }
	if cfg.Options, err = h.resolveOptions(p, resolve); err != nil {
		return nil, err
	}

	// Who may choose a value is an allow-list of trusted sources
	// (isTrustedKey): a claim that grants rights must not be the client's
	// to choose unless an allow list bounds it, and an allow list must not
	// be the client's to write.
	for name, vals := range h.Claims {
		if !p.Privileged(name) {
			continue
		}
		for _, v := range vals {
			if _, client := classify(v); client && len(h.Allow[name]) == 0 {
				return nil, fmt.Errorf("claim %s grants rights and %q lets the client choose it; add `allow %s <value...>` to list what it may choose", name, v, name)
			}
		}
	}
	for name, vals := range h.Allow {
		for _, v := range vals {
			if _, client := classify(v); client {
				return nil, fmt.Errorf("allow %s: %q lets the client choose what it may choose; list the values, or take them from a trusted placeholder such as {http.auth.user.<claim>}", name, v)
			}
		}
	}
	return tokens.Compile(p, cfg)
}

func (h *Handler) checkSession() error {
	if h.Session == nil {
		return nil
	}
	s := h.Session
	if s.Method != "header" && s.Header != "" {
		return fmt.Errorf("session %s takes no header", s.Method)
	}
	if s.Method != "jwt" && s.JWT != nil {
		return fmt.Errorf("session %s takes no jwt block", s.Method)
	}
	switch s.Method {
	case "auth_user", "anonymous":
		return nil
	case "header":
		if strings.TrimSpace(s.Header) == "" {
			return fmt.Errorf("session header needs the header's name, as in `session header X-User-Id`")
		}
		return nil
	case "jwt":
		return checkJWTSession(s.JWT, "session jwt")
	}
	return fmt.Errorf("unknown session %q: use auth_user, anonymous, header <Name> or jwt { ... }", s.Method)
}

// Cleanup releases the session's key sets, if any.
func (h *Handler) Cleanup() error {
	if h.verifier != nil {
		h.verifier.Close()
	}
	return nil
}

// auditLevel parses AuditLevel.
func auditLevel(s string) (zapcore.Level, error) {
	switch s {
	case "", "debug":
		return zapcore.DebugLevel, nil
	case "info":
		return zapcore.InfoLevel, nil
	case "warn":
		return zapcore.WarnLevel, nil
	case "error":
		return zapcore.ErrorLevel, nil
	}
	return 0, fmt.Errorf("audit_level %q: use debug, info, warn or error", s)
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
