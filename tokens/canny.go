package tokens

import (
	_ "embed"
	"errors"
	"net/url"
	"strings"
	"time"
)

// Canny SSO token. Sources: developers.canny.io/install/widget/sso (the
// server signs the user's data with the company's SSO private key:
// jwt.sign(userData, PrivateKey, {algorithm: 'HS256'}), userData {avatarURL
// (optional, preferred), email, id, name}, and any field identify takes,
// companies and customFields among them; the widget takes it as
// Canny('render', {ssoToken})), help.canny.io "Single Sign-On (SSO)" (exp
// is honoured when present) and help.canny.io/en/articles/1961021 (the SSO
// redirect: Canny sends the user to your login page with redirect and
// companyID; you send them to https://canny.io/api/redirects/sso with
// ssoToken, companyID and redirect).
//
// The answer, per `option answer`: {"ssoToken"} (json, the default) for
// the widget; or (redirect) the SSO redirect: 302 to
// https://canny.io/api/redirects/sso?companyID=<option company_id>
// &ssoToken=<token>&redirect=<the request's redirect>, body {"url"}.
//
// Readings and choices:
//   - id is the session's user. email (the account's key) is required and
//     privileged: it comes from the config, a trusted placeholder such as
//     {http.auth.user.email}, since a client naming it would sign in as
//     that address's owner. name is required (the docs' sample always sets
//     it); avatarURL is optional.
//   - companies and customFields are privileged (they may drive what Canny
//     shows a company's users).
//   - The redirect must be an https URL on canny.io or a subdomain, or on a
//     host `option redirect_hosts` lists (a custom domain): the route sends
//     the browser to Canny only. A request's companyID must be the
//     configured one.
//   - exp is set (Canny honours it): 1 hour by default, 1 minute to 30
//     days. jsonwebtoken, which the docs' sample uses, adds iat; so does
//     this preset.

const cannySSO = "https://canny.io/api/redirects/sso"

func cannyCheck(c *Compiled) error {
	if c.Option("answer") == "redirect" && c.Option("company_id") == "" {
		return errors.New("option answer redirect needs `option company_id <Canny's company id>`")
	}
	return nil
}

// cannyHostAllowed reports whether host is canny.io, a subdomain of it, or
// one of the configured hosts.
func cannyHostAllowed(host, extra string) bool {
	host = strings.ToLower(host)
	if host == "canny.io" || strings.HasSuffix(host, ".canny.io") {
		return true
	}
	for _, h := range strings.FieldsFunc(extra, func(r rune) bool { return r == ',' || r == ' ' }) {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// cannyFinish checks the SSO redirect's request fields.
func cannyFinish(m *Mint) *Error {
	if m.Option("answer") != "redirect" {
		return nil // the widget's answer reads no request field
	}
	if v, ok, err := m.Param("companyID"); err != nil {
		return err
	} else if ok && (v.Kind != Scalar || v.Str != m.Option("company_id")) {
		return Invalid("", "companyID", "must be this route's Canny company id")
	}
	if v, ok, err := m.Param("redirect"); err != nil {
		return err
	} else if ok {
		u, perr := url.Parse(v.Str)
		if v.Kind != Scalar || perr != nil || u.Scheme != "https" || u.User != nil || checkText(v.Str) != "" ||
			!cannyHostAllowed(u.Hostname(), m.Option("redirect_hosts")) {
			return Invalid("", "redirect", "must be an https URL on canny.io (or a host option redirect_hosts lists)")
		}
	}
	return nil
}

func cannyURL(t *Minted) string {
	q := url.Values{"companyID": {t.Option("company_id")}, "ssoToken": {t.Token}}
	if r := t.Claim("redirect"); r != "" {
		q.Set("redirect", r)
	}
	return cannySSO + "?" + q.Encode()
}

var cannyEnvelope = func() Envelope {
	e := tokenOrRedirect("ssoToken", false, cannyURL)
	e.Echo = []string{"redirect"}
	return e
}()

//go:embed guides/canny.md
var cannyGuide string

func init() {
	name := Limits{MaxLen: 256, Chars: printable}
	Register(&Preset{
		Name:    "canny",
		Summary: "Canny SSO token: {ssoToken} for the widget, or the SSO redirect to canny.io",
		Guide:   cannyGuide,
		Sources: []string{
			"https://developers.canny.io/install/widget/sso",
			"https://help.canny.io/en/articles/1961021-setting-up-a-single-sign-on-sso-redirect",
		},
		Claims: []Claim{
			{Name: "avatarURL", Type: String, Limits: Limits{MaxLen: 2048, Chars: printable, Prefixes: []string{"https://", "http://"}},
				Doc: "the user's picture, a public URL (optional, preferred)"},
			{Name: "email", Type: String, Privileged: true, Required: true, Limits: Limits{MaxLen: 320, Chars: printable},
				Doc: "the user's email, from a trusted placeholder ({http.auth.user.email})"},
			{Name: "id", Type: String, User: true, Required: true, Limits: name, Doc: "your user id"},
			{Name: "name", Type: String, Required: true, Limits: name, Doc: "the display name"},
			{Name: "companies", Type: JSON, Privileged: true, Doc: `the user's companies, as identify takes them: [{"id":"…","name":"…"}]`},
			{Name: "customFields", Type: Object, Privileged: true, Doc: "custom fields, as identify takes them, a JSON object"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		Fields: []RequestField{
			{Name: "redirect", Doc: "answer redirect: where Canny sends the user after sign-in (https, canny.io)"},
			{Name: "companyID", Doc: "answer redirect: must be option company_id"},
		},
		Options: []Option{
			{Name: "answer", Default: "json", Enum: []string{"json", "redirect"},
				Doc: `json: {"ssoToken"} for the widget; redirect: 302 to canny.io's SSO redirect`},
			{Name: "company_id", Doc: "Canny's company id, for answer redirect"},
			{Name: "redirect_hosts", Doc: "hosts beside canny.io a redirect may name (your Canny custom domain), comma-separated"},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Check:    cannyCheck,
		Finish:   cannyFinish,
		Envelope: cannyEnvelope,
	})
}
