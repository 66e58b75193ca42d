package caddymodule

import (
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/caddyauth"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tokenmint/caddy-tokenmint/identity"
)

func init() {
	caddy.RegisterModule(SessionJWT{})
	httpcaddyfile.RegisterHandlerDirective("session_jwt", parseSessionJWT)
	// Where basic_auth is: before forward_auth, provider_token, handle,
	// respond and reverse_proxy.
	httpcaddyfile.RegisterDirectiveOrder("session_jwt", httpcaddyfile.After, "basic_auth")
}

// SessionJWT is an authentication provider, module
// http.authentication.providers.session_jwt, for Caddy's authentication
// handler: it verifies a session JWT exactly as provider_token's `session
// jwt` does (the same fields, the same verifier, the key sets shared per
// URL and issuer). A verified session sets {http.auth.user.id} and
// {http.auth.user.<claim>} for the rest of the route, so that
// reverse_proxy, provider_token (session auth_user) and any other handler
// see who is asking.
//
// A refusal is the authentication handler's 401, with
// `WWW-Authenticate: Bearer realm="…", error="…", error_description="…"`
// naming the reason (invalid_token, insufficient_scope, invalid_request).
// When the identity provider's keys could not be fetched yet, the answer
// carries Retry-After and {http.auth.session_jwt.error} says so.
type SessionJWT struct {
	JWTSession

	verifier *identity.Verifier
	logger   *zap.Logger
	ok       prometheus.Counter
}

// CaddyModule returns the Caddy module information.
func (SessionJWT) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.authentication.providers.session_jwt",
		New: func() caddy.Module { return new(SessionJWT) },
	}
}

// Provision compiles the verifier and has the tokenmint app start its key
// sets when Caddy runs the config. It makes no network call.
func (a *SessionJWT) Provision(ctx caddy.Context) error {
	a.logger = ctx.Logger()
	v, err := newVerifier(&a.JWTSession, a.logger, "session_jwt")
	if err != nil {
		return err
	}
	a.verifier = v
	if err := registerMetrics(ctx.GetMetricsRegistry()); err != nil {
		return err
	}
	a.ok = metrics.sessions.WithLabelValues("session_jwt", "ok", "none")
	return startVerifier(ctx, v)
}

// Cleanup releases the key sets.
func (a *SessionJWT) Cleanup() error {
	if a.verifier != nil {
		a.verifier.Close()
	}
	return nil
}

// Authenticate verifies the request's session.
func (a *SessionJWT) Authenticate(w http.ResponseWriter, r *http.Request) (caddyauth.User, bool, error) {
	id, from, refusal := a.verifier.Authenticate(r)
	if refusal == nil {
		a.ok.Inc()
		// Whether the browser sent the session by itself (a cookie), for
		// provider_token's cross-origin guard: strip may have removed it.
		repl := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
		repl.Set(sessionJWTCredential, from.Source)
		return caddyauth.User{ID: id.User, Metadata: id.Metadata}, true, nil
	}
	metrics.sessions.WithLabelValues("session_jwt", "refused", refusal.Reason).Inc()
	if c := a.logger.Check(zapcore.InfoLevel, "refused session"); c != nil {
		c.Write(zap.String("method", "session_jwt"), zap.Int("status", refusal.Status), zap.String("reason", refusal.Reason))
	}
	hdr := w.Header()
	hdr.Set("WWW-Authenticate", a.verifier.Challenge(refusal))
	if refusal.Status == http.StatusServiceUnavailable {
		// Not the client's fault: caddyauth logs an error and sets
		// {http.auth.session_jwt.error}; the answer is still its 401.
		hdr.Set("Retry-After", "5")
		return caddyauth.User{}, false, refusal
	}
	return caddyauth.User{}, false, nil
}

// sessionJWTCredential is the placeholder where a verified session_jwt
// says where its token came from: cookie or header.
const sessionJWTCredential = "http.auth.session_jwt.credential"

// sessionCookie reports whether session_jwt verified this request's user
// from a cookie.
func sessionCookie(repl *caddy.Replacer) bool {
	v, _ := repl.GetString(sessionJWTCredential)
	return v == "cookie"
}

// parseSessionJWT makes the session_jwt directive: Caddy's authentication
// handler with this provider.
func parseSessionJWT(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	var a SessionJWT
	if err := a.UnmarshalCaddyfile(h.Dispenser); err != nil {
		return nil, err
	}
	return caddyauth.Authentication{
		ProvidersRaw: caddy.ModuleMap{"session_jwt": caddyconfig.JSON(a, nil)},
	}, nil
}

// UnmarshalCaddyfile sets up the provider from Caddyfile tokens. Syntax
// (the subdirectives of provider_token's `session jwt`):
//
//	session_jwt [<matcher>] {
//		from       cookie <name> | header Authorization [<scheme>]
//		secret     <hmac secret>
//		public_key <pem file>
//		jwks       <url>
//		oidc       <issuer> [{
//			audience   <aud...>
//			user_claim <name>
//			require    <claim> <value...>
//			algorithms <alg...>
//		}]
//		algorithms <alg...>
//		issuer     <iss...>
//		audience   <aud...>
//		leeway     <duration>
//		user_claim <name>
//		require    <claim> <value...>
//		strip
//		realm      <name>
//		cache_size <n>
//	}
func (a *SessionJWT) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive's name
	if d.NextArg() {
		return d.Errf("session_jwt takes a block, not %q: session_jwt [<matcher>] { oidc <issuer> ... }", d.Val())
	}
	if err := unmarshalJWTSession(d, &a.JWTSession, "session_jwt"); err != nil {
		return err
	}
	if err := checkJWTSession(&a.JWTSession, "session_jwt"); err != nil {
		d.Reset()
		d.Next()
		return d.WrapErr(err)
	}
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner       = (*SessionJWT)(nil)
	_ caddy.CleanerUpper      = (*SessionJWT)(nil)
	_ caddyauth.Authenticator = (*SessionJWT)(nil)
	_ caddyfile.Unmarshaler   = (*SessionJWT)(nil)
)
