package caddymodule

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// Cookie sets the token as a cookie.
type Cookie struct {
	Name string `json:"name"`
	// Path of the cookie. Default: /.
	Path string `json:"path,omitempty"`
	// Domain of the cookie. Default: none (this host only).
	Domain string `json:"domain,omitempty"`
	// SameSite is Strict, Lax or None. Default: Strict.
	SameSite string `json:"same_site,omitempty"`
}

func (c *Cookie) check() error {
	if c.Name == "" || !validCookieName(c.Name) {
		return fmt.Errorf("cookie %q: a cookie name is letters, digits and !#$%%&'*+-.^_`|~", c.Name)
	}
	switch c.SameSite {
	case "", "Strict", "Lax", "None":
	default:
		return fmt.Errorf("cookie same_site %q: use Strict, Lax or None", c.SameSite)
	}
	// Cookie prefixes (RFC 6265bis section 4.1.3): browsers drop a cookie
	// that breaks its prefix's rules, so a config that would is refused.
	// The token cookie is always Secure.
	if strings.HasPrefix(c.Name, "__Host-") {
		if c.Domain != "" {
			return fmt.Errorf("cookie %s: a __Host- cookie must not set a domain (browsers would drop it); remove `domain` or use __Secure-", c.Name)
		}
		if c.Path != "" && c.Path != "/" {
			return fmt.Errorf("cookie %s: a __Host- cookie must have path / (browsers would drop it); remove `path %s` or use __Secure-", c.Name, c.Path)
		}
	}
	if c.Domain != "" && (strings.ContainsAny(c.Domain, " ;,/") || strings.Contains(c.Domain, "..")) {
		return fmt.Errorf("cookie domain %q is not a host name", c.Domain)
	}
	if c.Path != "" && (!strings.HasPrefix(c.Path, "/") || strings.ContainsAny(c.Path, ";\x00\r\n")) {
		return fmt.Errorf("cookie path %q must start with / and hold no ;", c.Path)
	}
	return nil
}

func validCookieName(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
			return false
		}
	}
	return true
}

// set writes the token cookie, to live as long as the token has left (a
// cached token may have half its ttl left); a token without exp makes a
// session cookie.
func (c *Cookie) set(w http.ResponseWriter, t *tokens.Minted, now time.Time) {
	ck := &http.Cookie{Name: c.Name, Value: t.Token, Path: c.Path, Domain: c.Domain, HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode}
	if t.Expires != 0 {
		ck.MaxAge = int(max(t.Expires-now.Unix(), 1))
	}
	if ck.Path == "" {
		ck.Path = "/"
	}
	switch c.SameSite {
	case "Lax":
		ck.SameSite = http.SameSiteLaxMode
	case "None":
		ck.SameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, ck)
}
