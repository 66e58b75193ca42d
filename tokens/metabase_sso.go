package tokens

import (
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Metabase JWT SSO token, for full-app (interactive) embedding and the
// modular embedding SDK. Sources: metabase/metabase
// enterprise/backend/src/metabase_enterprise/sso/integrations/jwt.clj
// (HS256 with the JWT signing key, checked with buddy-sign and :max-age
// 180, so a token with iat is good for 3 minutes; GET /auth/sso?jwt=…
// &return_to=…; the user's attributes from email, first_name, last_name
// and groups, by default; any other claim, registered ones aside, becomes
// a login attribute), docs/people-and-groups/authenticating-with-jwt.md
// and docs/embedding/authentication.md (the SDK calls the JWT Identity
// Provider URI with ?response=json and wants {"jwt": "<token>"}; full-app
// embedding sends the browser there with ?return_to=<path> and expects a
// redirect to Metabase's /auth/sso; the docs' example sets exp 10 minutes
// ahead).
//
// The route is the JWT Identity Provider URI: with response=json it
// answers 200 {"jwt"}; otherwise 302 to <site_url>/auth/sso?jwt=<token>,
// with &return_to=<path> when the request names one (the body is then
// {"url"}).
//
// Readings and choices:
//   - email is the account's key: the session's user, unless the config
//     sets it from a trusted placeholder ({http.auth.user.email}). It must
//     look like an address (text@text).
//   - groups, @tenant and every free-form claim are privileged: groups
//     drive group sync and login attributes drive data sandboxing.
//   - return_to must be a path on Metabase (/, not //, no backslash):
//     anything else would make the route an open redirect.
//   - response may only be json.
//   - iat is written, so Metabase accepts the token for 180 s whatever
//     the exp; exp: 10 minutes by default (the docs'), 1 to 10 minutes.

func metabaseSSOCheck(c *Compiled) error {
	site := c.Option("site_url")
	if !strings.HasPrefix(site, "https://") && !strings.HasPrefix(site, "http://") {
		return fmt.Errorf("option site_url must be Metabase's http:// or https:// address")
	}
	return nil
}

// metabaseSSOFinish checks the email and the request's answer fields.
func metabaseSSOFinish(m *Mint) *Error {
	email, _ := m.Get("email")
	local, domain, ok := strings.Cut(email.Str, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(email.Str, " \t") {
		return Invalid("email", "", "must be an email address")
	}
	if v, ok, err := m.Param("response"); err != nil {
		return err
	} else if ok && (v.Kind != Scalar || v.Str != "json") {
		return Invalid("", "response", "must be json")
	}
	if v, ok, err := m.Param("return_to"); err != nil {
		return err
	} else if ok {
		p := v.Str
		if v.Kind != Scalar || len(p) > 2048 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
			strings.ContainsRune(p, '\\') || checkText(p) != "" {
			return Invalid("", "return_to", "must be a path on Metabase, such as /dashboard/1")
		}
	}
	return nil
}

// metabaseSSOURL is the redirect to Metabase's /auth/sso.
func metabaseSSOURL(t *Minted) string {
	u := strings.TrimRight(t.Option("site_url"), "/") + "/auth/sso?jwt=" + t.Token
	if r := t.Claim("return_to"); r != "" {
		u += "&return_to=" + url.QueryEscape(r)
	}
	return u
}

var metabaseSSOEnvelope = Envelope{
	Echo: []string{"response", "return_to"},
	Token: func(dst []byte, t *Minted) []byte {
		if t.Claim("response") == "json" {
			dst = append(dst, `{"jwt":`...)
			dst = appendString(dst, t.Token)
			return append(dst, '}')
		}
		dst = append(dst, `{"url":`...)
		dst = appendString(dst, metabaseSSOURL(t))
		return append(dst, '}')
	},
	StatusFor: func(t *Minted) int {
		if t.Claim("response") == "json" {
			return http.StatusOK
		}
		return http.StatusFound
	},
	Headers: func(t *Minted, set func(name, value string)) {
		if t.Claim("response") != "json" {
			set("Location", metabaseSSOURL(t))
		}
	},
}

//go:embed guides/metabase_sso.md
var metabaseSsoGuide string

func init() {
	name := Limits{MaxLen: 256, Chars: printable}
	Register(&Preset{
		Name:    "metabase_sso",
		Summary: "Metabase JWT SSO (full-app embedding and the modular embedding SDK): {jwt} for ?response=json, else 302 to /auth/sso",
		Guide:   metabaseSsoGuide,
		Sources: []string{
			"https://www.metabase.com/docs/latest/people-and-groups/authenticating-with-jwt",
			"https://www.metabase.com/docs/latest/embedding/authentication",
			"https://github.com/metabase/metabase/blob/00bcab5a/enterprise/backend/src/metabase_enterprise/sso/integrations/jwt.clj",
		},
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "email", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 320, Chars: printable},
				Doc: "the account's email: the session's user, or a trusted placeholder"},
			{Name: "first_name", Type: String, Limits: name},
			{Name: "last_name", Type: String, Limits: name},
			{Name: "groups", Type: Strings, Privileged: true, Limits: name, Doc: "group names, applied with group sync"},
			{Name: "@tenant", Type: String, Privileged: true, Limits: name, Doc: "the tenant, for multi-tenant Metabase"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		Fields: []RequestField{
			{Name: "response", Doc: `"json" (the SDK's) answers {"jwt"}; without it, a 302 to Metabase`},
			{Name: "return_to", Doc: "the Metabase path to land on after the redirect (/… only)"},
		},
		Options:  []Option{{Name: "site_url", Required: true, Doc: "Metabase's address, such as https://metabase.example.com"}},
		TTL:      TTL{Default: 10 * time.Minute, Min: time.Minute, Max: 10 * time.Minute},
		Check:    metabaseSSOCheck,
		Finish:   metabaseSSOFinish,
		Envelope: metabaseSSOEnvelope,
	})
}
