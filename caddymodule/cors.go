package caddymodule

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// CORS lets front ends on other origins call the route: tokenmint answers
// their preflights (before any session check: browsers send no credentials
// on a preflight) and marks every answer to a listed origin as readable by
// it. An origin that is not listed gets no CORS header, so the browser
// keeps the answer from its script.
type CORS struct {
	// Origins that may call the route: exact "scheme://host[:port]", a
	// wildcard subdomain "https://*.example.com" (any subdomain of
	// example.com at any depth, same scheme and port; not example.com
	// itself), or "*" (any origin; never with Credentials).
	Origins []string `json:"origins"`

	// Credentials lets the browser send cookies (and cached basic
	// credentials) along, and read the answer: Access-Control-Allow-
	// Credentials: true. Needed for cookie sessions. Default: off.
	Credentials bool `json:"credentials,omitempty"`

	// Headers the front end may send. Default: Authorization, Content-Type.
	Headers []string `json:"headers,omitempty"`

	// MaxAge is how long a browser may cache a preflight's answer.
	// Default: 10m.
	MaxAge caddy.Duration `json:"max_age,omitempty"`
}

// corsPolicy is a CORS compiled at provision.
type corsPolicy struct {
	any       bool                // "*"
	exact     map[string]struct{} // normalized exact origins
	wildcards []wildcardOrigin
	creds     bool
	methods   string // Access-Control-Allow-Methods
	headers   string // Access-Control-Allow-Headers
	maxAge    string // Access-Control-Max-Age, in seconds
}

type wildcardOrigin struct {
	scheme, suffix, port string // suffix ".example.com"
}

// compileCORS checks c and compiles it; methods are those the route answers.
func compileCORS(c *CORS, methods []string) (*corsPolicy, error) {
	if c == nil {
		return nil, nil
	}
	if len(c.Origins) == 0 {
		return nil, errors.New("cors needs at least one origin, as in `cors https://app.example.com`")
	}
	p := &corsPolicy{exact: map[string]struct{}{}, creds: c.Credentials, methods: strings.Join(methods, ", ")}
	for _, o := range c.Origins {
		if o == "*" {
			if c.Credentials {
				return nil, errors.New("cors * with credentials: browsers refuse a credentialed answer to any origin, and it would let every site act as the user; list the origins")
			}
			p.any = true
			continue
		}
		scheme, host, port, err := parseOrigin(o)
		if err != nil {
			return nil, err
		}
		if rest, ok := strings.CutPrefix(host, "*."); ok {
			if strings.Contains(rest, "*") || !strings.Contains(rest, ".") {
				return nil, fmt.Errorf("cors origin %q: a wildcard is one leading *. before a domain of two labels or more (https://*.example.com)", o)
			}
			p.wildcards = append(p.wildcards, wildcardOrigin{scheme: scheme, suffix: "." + rest, port: port})
			continue
		}
		if strings.Contains(host, "*") {
			return nil, fmt.Errorf("cors origin %q: * may only be the leftmost label (https://*.example.com)", o)
		}
		p.exact[joinOrigin(scheme, host, port)] = struct{}{}
	}
	headers := c.Headers
	if len(headers) == 0 {
		headers = []string{"Authorization", "Content-Type"}
	}
	for _, h := range headers {
		if !validHeaderName(h) {
			return nil, fmt.Errorf("cors headers: %q is not a header name", h)
		}
	}
	p.headers = strings.Join(headers, ", ")
	age := time.Duration(c.MaxAge)
	if age == 0 {
		age = 10 * time.Minute
	}
	if age < 0 {
		return nil, errors.New("cors max_age must not be negative")
	}
	p.maxAge = strconv.FormatInt(int64(age/time.Second), 10)
	return p, nil
}

// parseOrigin reads "scheme://host[:port]" as browsers send Origin: http
// or https, a host, no path, query, fragment or credentials.
func parseOrigin(o string) (scheme, host, port string, err error) {
	bad := func(why string) (string, string, string, error) {
		return "", "", "", fmt.Errorf("cors origin %q: %s; write scheme://host[:port], as in https://app.example.com or http://localhost:3000", o, why)
	}
	u, perr := url.Parse(o)
	switch {
	case perr != nil:
		return bad("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("the scheme must be http or https")
	case u.User != nil:
		return bad("an origin holds no user name or password")
	case u.Host == "":
		return bad("no host")
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#"):
		return bad("an origin has no path, not even a trailing /")
	}
	host, port = strings.ToLower(u.Hostname()), u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return bad("the port is not a number from 1 to 65535")
		}
		if (u.Scheme == "http" && n == 80) || (u.Scheme == "https" && n == 443) {
			port = "" // browsers leave out the default port
		}
	}
	return u.Scheme, host, port, nil
}

func joinOrigin(scheme, host, port string) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port
	}
	return scheme + "://" + host
}

func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
			return false
		}
	}
	return true
}

// allows reports whether the Origin header value may call the route.
func (p *corsPolicy) allows(origin string) bool {
	if origin == "" || origin == "null" {
		return false
	}
	if p.any {
		return true
	}
	if _, ok := p.exact[origin]; ok {
		return true
	}
	if len(p.wildcards) == 0 && strings.ToLower(origin) == origin {
		return false
	}
	scheme, host, port, err := parseOrigin(origin)
	if err != nil {
		return false
	}
	if _, ok := p.exact[joinOrigin(scheme, host, port)]; ok {
		return true
	}
	for _, w := range p.wildcards {
		if scheme == w.scheme && port == w.port && len(host) > len(w.suffix) && strings.HasSuffix(host, w.suffix) {
			return true
		}
	}
	return false
}

// preflight reports whether r is a CORS preflight.
func preflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// answerPreflight answers a preflight from an allowed origin: 204 with what
// the route accepts.
func (p *corsPolicy) answerPreflight(w http.ResponseWriter, origin string) {
	hdr := w.Header()
	p.mark(hdr, origin)
	hdr.Add("Vary", "Access-Control-Request-Method")
	hdr.Add("Vary", "Access-Control-Request-Headers")
	hdr.Set("Access-Control-Allow-Methods", p.methods)
	hdr.Set("Access-Control-Allow-Headers", p.headers)
	hdr.Set("Access-Control-Max-Age", p.maxAge)
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// mark makes an answer readable by an allowed origin.
func (p *corsPolicy) mark(hdr http.Header, origin string) {
	p.setOrigin(hdr, origin)
	hdr.Add("Vary", "Origin")
}

func (p *corsPolicy) setOrigin(hdr http.Header, origin string) {
	if p.any && !p.creds {
		hdr.Set("Access-Control-Allow-Origin", "*")
	} else {
		hdr.Set("Access-Control-Allow-Origin", origin)
	}
	if p.creds {
		hdr.Set("Access-Control-Allow-Credentials", "true")
	} else {
		hdr.Del("Access-Control-Allow-Credentials")
	}
}

// corsWriter sets the CORS headers on an upstream's answer in inject mode,
// replacing any the upstream sent: the route's policy decides.
type corsWriter struct {
	http.ResponseWriter
	policy *corsPolicy
	origin string
	done   bool
}

func (cw *corsWriter) WriteHeader(status int) {
	if !cw.done && status >= 200 {
		cw.done = true
		cw.policy.setOrigin(cw.Header(), cw.origin)
	}
	cw.ResponseWriter.WriteHeader(status)
}

func (cw *corsWriter) Write(b []byte) (int, error) {
	if !cw.done {
		cw.WriteHeader(http.StatusOK)
	}
	return cw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (cw *corsWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }

// forgeryGuard refuses cross-site request forgery: a request with an
// unsafe method that a browser marks as cross-origin and that
// authenticates with credentials the browser adds by itself. It is
// net/http's CrossOriginProtection, with the route's cors origins trusted.
type forgeryGuard struct {
	cop    *http.CrossOriginProtection
	policy *corsPolicy
}

func newForgeryGuard(p *corsPolicy) *forgeryGuard {
	g := &forgeryGuard{cop: http.NewCrossOriginProtection(), policy: p}
	if p != nil {
		for o := range p.exact {
			_ = g.cop.AddTrustedOrigin(o) // checked by parseOrigin
		}
	}
	return g
}

// check returns why r is refused, or "" when it may go on.
func (g *forgeryGuard) check(r *http.Request) string {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return ""
	}
	if g.policy != nil && g.policy.allows(r.Header.Get("Origin")) {
		return ""
	}
	if err := g.cop.Check(r); err != nil {
		return "a cross-origin request that carries the browser's own credentials (a cookie, basic auth) is refused: send the session as an Authorization header, or list the origin in cors"
	}
	return ""
}

// ambientCredentials reports whether r carries credentials a browser sends by
// itself: cookies, or basic/digest/negotiate authorization.
func ambientCredentials(r *http.Request) bool {
	if r.Header.Get("Cookie") != "" {
		return true
	}
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		v := r.Header.Get(name)
		scheme, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		switch strings.ToLower(scheme) {
		case "basic", "digest", "negotiate", "ntlm":
			return true
		}
	}
	return false
}
