package caddymodule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
)

func init() {
	caddy.RegisterModule(new(JWKSHandler))
	httpcaddyfile.RegisterHandlerDirective("provider_token_jwks", parseJWKSCaddyfile)
	// A publisher answers its two paths and passes the rest on, so it runs
	// before the handlers that answer everything (respond, file_server).
	httpcaddyfile.RegisterDirectiveOrder("provider_token_jwks", httpcaddyfile.Before, "respond")
}

// JWKSHandler publishes the public keys of key rings, for backends that
// verify tokenmint's tokens against a JWKS URL:
//
//   - GET <issuer path>/.well-known/jwks.json answers {"keys": [...]}: each
//     published key's kty, kid, alg, use "sig" and n/e or crv/x(/y), never
//     a private part; Cache-Control max-age is shorter than an auto ring's
//     announce period, so verifiers see a new key before it signs.
//   - With Issuer, GET <issuer path>/.well-known/openid-configuration
//     answers an OpenID Connect discovery document (issuer, jwks_uri and
//     the signing algorithms); without it, that path is 404.
//
// Any other path goes to the next handler. The issuer path is the path of
// Issuer ("" for https://tokens.example.com).
type JWKSHandler struct {
	// Rings names the key rings (the global option provider_token_keys)
	// whose keys are published, in this order.
	Rings []string `json:"rings"`

	// Issuer is the URL that names the rings' tokens (their iss claim):
	// https, or http on a loopback host, without query or fragment. It
	// turns on the discovery document. Default: none.
	Issuer string `json:"issuer,omitempty"`

	rings     []*keyRing
	jwksPath  string
	discPath  string
	discovery []byte
	logger    *zap.Logger
	doc       atomic.Pointer[jwksDoc] // rebuilt by whichever request finds it stale
}

// jwksDoc is a JWKS body as of the rings' versions, good until the first
// published key retires.
type jwksDoc struct {
	body    []byte
	version uint64
	until   time.Time // zero: until the keys change
	cache   string    // the Cache-Control value
}

// CaddyModule returns the Caddy module information.
func (*JWKSHandler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.provider_token_jwks",
		New: func() caddy.Module { return new(JWKSHandler) },
	}
}

// Provision finds the rings and prepares the discovery document.
func (h *JWKSHandler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	if err := h.check(); err != nil {
		return err
	}
	app, err := tokenmintApp(ctx)
	if err != nil {
		return err
	}
	h.rings = nil
	for _, name := range h.Rings {
		r, err := app.ring(name)
		if err != nil {
			return err
		}
		h.rings = append(h.rings, r)
	}
	// Named PEM keys must not share a kid across rings (an auto ring's
	// kids are thumbprints).
	kids := map[string]string{}
	for _, r := range h.rings {
		for _, k := range r.static {
			if other, dup := kids[k.kid]; dup && other != string(k.jwk) {
				return fmt.Errorf("kid %q names two different keys of the published rings", k.kid)
			}
			kids[k.kid] = string(k.jwk)
		}
	}
	prefix := ""
	if h.Issuer != "" {
		u, _ := url.Parse(h.Issuer)
		prefix = strings.TrimSuffix(u.Path, "/")
		base := strings.TrimSuffix(h.Issuer, "/")
		var algs []string
		for _, r := range h.rings {
			if !slices.Contains(algs, r.alg) {
				algs = append(algs, r.alg)
			}
			for _, k := range r.static {
				if !slices.Contains(algs, k.alg) {
					algs = append(algs, k.alg)
				}
			}
		}
		h.discovery, err = json.Marshal(map[string]any{
			"issuer":                                h.Issuer,
			"jwks_uri":                              base + "/.well-known/jwks.json",
			"id_token_signing_alg_values_supported": algs,
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
		})
		if err != nil {
			return err
		}
	}
	h.jwksPath = prefix + "/.well-known/jwks.json"
	h.discPath = prefix + "/.well-known/openid-configuration"
	return nil
}

// check validates the config; it reads nothing.
func (h *JWKSHandler) check() error {
	if err := h.checkRings(); err != nil {
		return err
	}
	return h.checkIssuer()
}

func (h *JWKSHandler) checkRings() error {
	if len(h.Rings) == 0 {
		return errors.New("provider_token_jwks needs the rings to publish: provider_token_jwks <ring...>")
	}
	for i, name := range h.Rings {
		if slices.Contains(h.Rings[:i], name) {
			return fmt.Errorf("ring %s is named twice", name)
		}
	}
	return nil
}

func (h *JWKSHandler) checkIssuer() error {
	if h.Issuer == "" {
		return nil
	}
	u, err := url.Parse(h.Issuer)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("issuer %q is not a URL such as https://tokens.example.com", h.Issuer)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(h.Issuer, "#") || strings.HasSuffix(h.Issuer, "?"):
		return fmt.Errorf("issuer %q: an issuer has no query or fragment", h.Issuer)
	case u.User != nil:
		return fmt.Errorf("issuer %q: an issuer has no user info", h.Issuer)
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("issuer %q: verifiers fetch keys from the issuer, so it must be https (http only on a loopback host)", h.Issuer)
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ServeHTTP answers the JWKS and discovery paths and passes the rest on.
func (h *JWKSHandler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	var discovery bool
	switch r.URL.Path {
	case h.jwksPath:
	case h.discPath:
		if h.discovery == nil {
			return caddyhttp.Error(http.StatusNotFound, errors.New("no discovery document: provider_token_jwks has no issuer"))
		}
		discovery = true
	default:
		return next.ServeHTTP(w, r)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return caddyhttp.Error(http.StatusMethodNotAllowed, errors.New("use GET"))
	}
	doc, err := h.current(r.Context())
	if err != nil {
		w.Header().Set("Retry-After", "5")
		return caddyhttp.Error(http.StatusServiceUnavailable, err)
	}
	body := doc.body
	if discovery {
		body = h.discovery
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Cache-Control", doc.cache)
	// Public keys and their discovery document are public data: a verifier
	// in a browser (jose's createRemoteJWKSet) may read them from any
	// origin. No credentials are ever involved.
	hdr.Set("Access-Control-Allow-Origin", "*")
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err = w.Write(body)
	return err
}

// current returns the JWKS as of now, rebuilt when a ring's keys change or
// a key retires. It waits (a while) for auto rings' first keys.
func (h *JWKSHandler) current(ctx context.Context) (*jwksDoc, error) {
	for _, r := range h.rings {
		if !r.ready() {
			wctx, cancel := context.WithTimeout(ctx, ringWait)
			err := r.wait(wctx)
			cancel()
			if err != nil {
				return nil, err
			}
		}
	}
	t := now()
	var version uint64
	for _, r := range h.rings {
		version += r.version()
	}
	if d := h.doc.Load(); d != nil && d.version == version && (d.until.IsZero() || t.Before(d.until)) {
		return d, nil
	}
	d := h.build(t, version)
	h.doc.Store(d)
	return d, nil
}

// build writes the JWKS of the keys published at now.
func (h *JWKSHandler) build(now time.Time, version uint64) *jwksDoc {
	d := &jwksDoc{version: version}
	maxAge := maxJWKSAge
	seen := map[string]bool{}
	var b []byte
	b = append(b, `{"keys":[`...)
	for _, r := range h.rings {
		maxAge = min(maxAge, r.maxAge())
		keys, until := r.published(now)
		if !until.IsZero() && (d.until.IsZero() || until.Before(d.until)) {
			d.until = until
		}
		for _, k := range keys {
			if seen[k.kid] {
				continue
			}
			seen[k.kid] = true
			if len(seen) > 1 {
				b = append(b, ',')
			}
			b = append(b, k.jwk...)
		}
	}
	d.body = append(b, "]}"...)
	d.cache = "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
	return d
}

func parseJWKSCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(JWKSHandler)
	if err := m.UnmarshalCaddyfile(h.Dispenser); err != nil {
		return nil, err
	}
	rings := caddyfileRings(h)
	for _, name := range m.Rings {
		if _, ok := rings[name]; !ok {
			h.Reset()
			h.Next()
			return nil, h.Errf("provider_token_jwks: no ring %s; define it in the global option %s { ring %s { ... } }", name, keysOption, name)
		}
	}
	return m, nil
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	provider_token_jwks [<matcher>] <ring...> {
//		issuer <url>    # serve the OpenID discovery document; its path prefixes both paths
//	}
func (h *JWKSHandler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive's name
	h.Rings = d.RemainingArgs()
	if err := h.checkRings(); err != nil {
		return d.Err(err.Error())
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "issuer":
			if !d.AllArgs(&h.Issuer) {
				return d.Errf("issuer takes one URL, such as https://tokens.example.com")
			}
			if err := h.checkIssuer(); err != nil {
				return d.Err(err.Error())
			}
		default:
			return d.Errf("unknown subdirective %q; provider_token_jwks takes issuer", d.Val())
		}
	}
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*JWKSHandler)(nil)
	_ caddyhttp.MiddlewareHandler = (*JWKSHandler)(nil)
	_ caddyfile.Unmarshaler       = (*JWKSHandler)(nil)
)
