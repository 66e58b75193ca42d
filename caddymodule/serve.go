package caddymodule

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tokenmint/caddy-tokenmint/identity"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// ServeHTTP mints the token and answers with it or injects it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	repl := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	respond := h.Inject == nil
	origin := ""
	if h.cors != nil {
		// Preflights first: browsers send them without credentials.
		o := r.Header.Get("Origin")
		allowed := h.cors.allows(o)
		if preflight(r) {
			if !allowed {
				return h.refuse(w, r, &tokens.Error{Status: http.StatusForbidden, Reason: "this origin may not call this endpoint (cors)"})
			}
			h.cors.answerPreflight(w, o)
			return nil
		}
		if allowed {
			origin = o
			h.cors.mark(w.Header(), o) // every answer from here on: tokens and refusals
		}
	}
	if respond && r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		return h.refuse(w, r, &tokens.Error{Status: http.StatusMethodNotAllowed, Reason: "use GET or POST"})
	}

	var user string
	ambient := false // the user authenticates with credentials the browser adds itself
	switch h.method {
	case "auth_user":
		user, _ = repl.GetString("http.auth.user.id")
		ambient = unsafeMethod(r.Method) && (ambientCredentials(r) || sessionCookie(repl))
	case "header":
		user = strings.TrimSpace(r.Header.Get(h.Session.Header))
		if user == "" {
			return h.refuseSession(w, r, identity.NoCredential("no user: the "+h.Session.Header+" header is missing"))
		}
		h.session.Inc()
		repl.Set("http.auth.user.id", user)
		ambient = unsafeMethod(r.Method) && ambientCredentials(r)
	case "jwt":
		id, where, refusal := h.verifier.Authenticate(r)
		if refusal != nil {
			return h.refuseSession(w, r, refusal)
		}
		h.session.Inc()
		user = id.User
		repl.Set("http.auth.user.id", user)
		for _, c := range id.Claims {
			repl.Set(c.Key, c.Text)
		}
		ambient = where.Source == "cookie"
	}
	if unsafeMethod(r.Method) && ambient {
		if why := h.guard.check(r); why != "" {
			return h.refuse(w, r, &tokens.Error{Status: http.StatusForbidden, Reason: why})
		}
	}
	q := &request{r: r, repl: repl, h: h}
	if h.useBody {
		repl.Map(q.bodyPlaceholder)
	}
	if h.ring != nil && !h.ring.ready() {
		if err := h.waitRing(w, r); err != nil {
			return err
		}
	}
	nowT := now()
	minted, terr := h.tmpl.Mint(nowT, tokens.Input{User: user, Request: q, Contract: respond})
	if terr == nil && q.err != nil {
		terr = q.err // a {body.*} placeholder met a bad body
	}
	if terr != nil {
		return h.refuse(w, r, terr)
	}

	repl.Set("http.provider_token.token", minted.Token)
	if minted.Expires != 0 {
		repl.Set("http.provider_token.expires", minted.Expires)
	}
	h.minted.Inc()
	if c := h.logger.Check(h.audit, "minted token"); c != nil {
		c.Write(zap.String("preset", h.Preset), zap.String("sub", user), zap.String("jti", minted.JTI()),
			zap.String("kid", minted.KID), zap.Int64("iat", minted.IssuedAt), zap.Int64("exp", minted.Expires))
	}

	if !respond {
		r.Header.Del(h.Inject.Header)
		r.Header.Set(h.Inject.Header, h.injectAs+minted.Token)
		if origin != "" {
			// The route's policy decides, whatever the upstream answers.
			return next.ServeHTTP(&corsWriter{ResponseWriter: w, policy: h.cors, origin: origin}, r)
		}
		return next.ServeHTTP(w, r)
	}
	if h.Cookie != nil {
		h.Cookie.set(w, &minted, nowT)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	bp := bodyBufs.Get().(*[]byte)
	body, status, ctype := h.preset.Answer((*bp)[:0], &minted)
	hdr := w.Header()
	if h.preset.Envelope.Headers != nil {
		h.preset.Envelope.Headers(&minted, hdr.Set)
	}
	answerHeaders(hdr, ctype)
	w.WriteHeader(status)
	_, err := w.Write(body)
	*bp = body[:0]
	bodyBufs.Put(bp)
	return err
}

// refuse answers a refusal in the preset's envelope or, where the route opts
// in (refusals handle_errors), hands it to the site's handle_errors routes
// as a Caddy error (status and message), unless the preset's client needs
// its own in-band shape (dataBridges).
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, e *tokens.Error) error {
	metrics.tokens.WithLabelValues(h.Preset, outcome(e.Status)).Inc()
	if c := h.logger.Check(zapcore.InfoLevel, "refused token"); c != nil {
		c.Write(zap.String("preset", h.Preset), zap.Int("status", e.Status), zap.String("field", e.Field()), zap.String("reason", e.Reason))
	}
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	if e.Status >= 500 {
		return caddyhttp.Error(e.Status, e)
	}
	inBand := h.Inject == nil && h.preset.Envelope.InBand
	if !inBand && h.Refusals == "handle_errors" {
		return caddyhttp.Error(e.Status, e)
	}
	var body []byte
	var status int
	ctype := "application/json"
	if h.Inject == nil {
		body, status, ctype = h.preset.Refuse(nil, e)
	} else {
		body, status = tokens.ErrorJSON(nil, e)
	}
	hdr.Set("Content-Type", ctype)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// refuseSession answers a refused session per RFC 6750: 401 with
// WWW-Authenticate (error="invalid_token" for a bad token), 403
// insufficient_scope, 400 invalid_request, or 503 when the identity
// provider's keys are not there yet. The body is JSON {error,
// error_description}. With refusals handle_errors, the site's
// handle_errors routes take it; an in-band preset (dataBridges) answers in
// its own shape.
func (h *Handler) refuseSession(w http.ResponseWriter, r *http.Request, e *identity.Refusal) error {
	metrics.tokens.WithLabelValues(h.Preset, outcome(e.Status)).Inc()
	metrics.sessions.WithLabelValues(h.method, "refused", e.Reason).Inc()
	if c := h.logger.Check(zapcore.InfoLevel, "refused session"); c != nil {
		c.Write(zap.String("preset", h.Preset), zap.String("method", h.method), zap.Int("status", e.Status), zap.String("reason", e.Reason))
	}
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	if h.Inject == nil && h.preset.Envelope.InBand {
		body, status, ctype := h.preset.Refuse(nil, &tokens.Error{Status: e.Status, Reason: e.Desc})
		hdr.Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, err := w.Write(body)
		return err
	}
	if h.verifier != nil && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden) {
		hdr.Set("WWW-Authenticate", h.verifier.Challenge(e))
	}
	if e.Status == http.StatusServiceUnavailable {
		hdr.Set("Retry-After", "5")
	}
	if h.Refusals == "handle_errors" {
		return caddyhttp.Error(e.Status, e)
	}
	code := e.Code
	if code == "" {
		code = "unauthenticated"
	}
	body, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{code, e.Desc})
	hdr.Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_, err := w.Write(body)
	return err
}

// unsafeMethod reports whether a method may change state (RFC 9110
// section 9.2.1): a browser's cross-site request with one is a forgery risk.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// answerHeaders sets the Content-Type and Cache-Control of an answer. The
// value slices are the request's own (one allocation for both): a header
// handler may edit them in place (`header Content-Type json xml`), so
// slices shared across requests would race and leak one site's edits into
// every answer.
func answerHeaders(hdr http.Header, ctype string) {
	vals := make([]string, 2)
	vals[0], vals[1] = ctype, "no-store"
	hdr["Content-Type"] = vals[0:1:1]
	hdr["Cache-Control"] = vals[1:2:2]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
