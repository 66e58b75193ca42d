package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// What a key set is, in messages and logs.
const (
	kindJWKS = "JWKS"
	kindOIDC = "OIDC issuer"
)

// DiscoveryURL is where an issuer publishes its OpenID Provider metadata
// (OpenID Connect Discovery 1.0, section 4): the issuer without its
// trailing slash, then /.well-known/openid-configuration.
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// CheckIssuerURL accepts an OIDC issuer: an https URL (http only to a
// loopback host, as CheckKeyURL) without query or fragment (OpenID Connect
// Discovery 1.0, section 2).
func CheckIssuerURL(issuer string) error {
	if err := CheckKeyURL(issuer); err != nil {
		return err
	}
	u, _ := url.Parse(issuer)
	if u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(issuer, "?") || strings.HasSuffix(issuer, "#") {
		return fmt.Errorf("%q has a query or fragment, which an issuer never has; write the issuer as its tokens' iss names it", issuer)
	}
	return nil
}

// oidcLoader finds an issuer's keys: its discovery document names the key
// set (jwks_uri), which is fetched as a JWKS is. The document is fetched
// again when its own Cache-Control says, and after a failed key fetch (the
// provider may have moved its keys).
type oidcLoader struct {
	issuer  string
	jwksURI string    // from the newest good discovery document
	docDue  time.Time // when to fetch the document again
}

func (l *oidcLoader) load(ctx context.Context, o *FetchOptions) (fetched, error) {
	if l.jwksURI == "" || !time.Now().Before(l.docDue) {
		uri, refresh, err := l.discover(ctx, o)
		if err != nil {
			return fetched{}, err
		}
		l.jwksURI, l.docDue = uri, time.Now().Add(refresh)
	}
	body, refresh, err := get(ctx, o, l.jwksURI, acceptJWKS)
	var got fetched
	if err == nil {
		got, err = parseJWKSet(body)
	}
	if err != nil {
		l.docDue = time.Time{}
		return fetched{}, fmt.Errorf("jwks_uri %s: %w", l.jwksURI, err)
	}
	got.refresh = refresh
	return got, nil
}

// discover fetches and checks the discovery document: its issuer must be
// the configured one exactly (section 4.3: a document that names another
// issuer must not be used), and its jwks_uri https (or loopback http).
func (l *oidcLoader) discover(ctx context.Context, o *FetchOptions) (string, time.Duration, error) {
	u := DiscoveryURL(l.issuer)
	body, refresh, err := get(ctx, o, u, "application/json")
	if err != nil {
		return "", 0, fmt.Errorf("discovery %s: %w", u, err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", 0, fmt.Errorf("discovery %s: invalid JSON: %v", u, err)
	}
	switch {
	case doc.Issuer != l.issuer:
		return "", 0, fmt.Errorf("discovery %s names issuer %q, not %q: the issuer must match exactly (OpenID Connect Discovery 1.0, section 4.3); if %q is the provider's issuer, write it so in the oidc line", u, doc.Issuer, l.issuer, doc.Issuer)
	case doc.JWKSURI == "":
		return "", 0, fmt.Errorf("discovery %s has no jwks_uri", u)
	}
	if err := CheckKeyURL(doc.JWKSURI); err != nil {
		return "", 0, fmt.Errorf("discovery %s: jwks_uri %w", u, err)
	}
	return doc.JWKSURI, refresh, nil
}
