package identity

import (
	"net/http"
	"strings"
)

// credential finds the session token. It refuses a request that carries
// none, or more than one.
func (v *Verifier) credential(r *http.Request) (string, *Credential, *Refusal) {
	var found string
	var where *Credential
	otherScheme := "" // a header that is there without our scheme
	for i := range v.from {
		c := &v.from[i]
		var vals []string
		switch c.Source {
		case "cookie":
			for _, ck := range r.CookiesNamed(c.Name) {
				vals = append(vals, ck.Value)
			}
		case "header":
			for _, hv := range r.Header.Values(c.Name) {
				if c.Scheme == "" {
					vals = append(vals, strings.TrimSpace(hv))
					continue
				}
				scheme, tok, ok := strings.Cut(strings.TrimSpace(hv), " ")
				if !ok || !strings.EqualFold(scheme, c.Scheme) {
					otherScheme = c.Name + " header does not use the " + c.Scheme + " scheme"
					continue
				}
				vals = append(vals, strings.TrimSpace(tok))
			}
		}
		for _, val := range vals {
			if val == "" {
				continue
			}
			if found != "" {
				return "", nil, &Refusal{Status: http.StatusBadRequest, Code: "invalid_request", Reason: "several_credentials",
					Desc: "the request carries more than one session credential"}
			}
			found, where = val, c
		}
	}
	if found == "" {
		if otherScheme != "" {
			return "", nil, NoCredential("no session credential: the " + otherScheme)
		}
		return "", nil, NoCredential("no session credential")
	}
	return found, where, nil
}

// strip removes the session credential from the request.
func strip(r *http.Request, c *Credential) {
	switch c.Source {
	case "header":
		r.Header.Del(c.Name)
	case "cookie":
		var keep []string
		for _, ck := range r.Cookies() {
			if ck.Name != c.Name {
				keep = append(keep, (&http.Cookie{Name: ck.Name, Value: ck.Value, Quoted: ck.Quoted}).String())
			}
		}
		r.Header.Del("Cookie")
		if len(keep) > 0 {
			r.Header.Set("Cookie", strings.Join(keep, "; "))
		}
	}
}
