package tokens

import (
	_ "embed"
	"errors"
	"strings"
	"time"
)

// Grafana JWT authentication ([auth.jwt]) token. Sources: grafana/grafana
// docs/sources/setup-grafana/configure-access/configure-authentication/jwt/index.md
// (one key source: key_file, key_value, jwk_set_file, jwk_set_url or
// jwk_set_value, with key_id when the key has a kid; the token in the
// header_name header (a leading "Bearer " is stripped) or, with
// url_login, in ?auth_token=; sub required; the login and email from
// username_claim / email_claim or their JMESPath attribute paths, one of
// them required; the role from role_attribute_path (None, Viewer, Editor,
// Admin, GrafanaAdmin); groups from groups_attribute_path; exp, nbf and
// iat checked; expect_claims for exact matches such as iss and aud) and
// pkg/services/authn/clients/jwt.go. (Grafana is AGPL: read, not copied.)
//
// Delivery: in front of Grafana, `inject header X-JWT-Assertion` (Grafana's
// header_name) before reverse_proxy; or, with Grafana's url_login, `option
// answer redirect` sends the browser to <option url>?auth_token=<token>;
// or {"token"} (the default) for your own client.
//
// Readings and choices:
//   - sub is the session's user. login, email and name come from the
//     config (trusted placeholders); one of login and email is required:
//     point Grafana's username_claim at login and email_claim at email
//     (or role and group attribute paths at role and groups).
//   - role, groups, iss and aud are privileged, and so are free-form
//     claims (org attributes for org_attribute_path, anything a JMESPath
//     may read). role is one of Grafana's: None, Viewer, Editor, Admin,
//     GrafanaAdmin (the last needs allow_assign_grafana_admin).
//   - RS256 by default, for a JWKS Grafana fetches (jwk_set_url): set
//     `kid` to the key's id there. HS256 works with key_value.
//   - ttl: 15 minutes by default, 1 minute to 30 days (Grafana sets none).

var errGrafanaLogin = errors.New("the token needs a login or an email for Grafana: set `claim login <value>` or `claim email <value>` (Grafana's username_claim and email_claim name them)")

func grafanaCheck(c *Compiled) error {
	if !c.Sets("login") && !c.Sets("email") {
		return errGrafanaLogin
	}
	u := c.Option("url")
	if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return errors.New("option url must be Grafana's http:// or https:// address")
	}
	if c.Option("answer") == "redirect" && u == "" {
		return errors.New("option answer redirect needs `option url <Grafana's address>`")
	}
	return nil
}

// grafanaFinish refuses a token whose login and email both rendered empty.
func grafanaFinish(m *Mint) *Error {
	_, login := m.Get("login")
	_, email := m.Get("email")
	if !login && !email {
		return Invalid("login", "", "is required (or email), and rendered empty")
	}
	return nil
}

// grafanaURL is the url_login address.
func grafanaURL(t *Minted) string {
	u := t.Option("url")
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "auth_token=" + t.Token
}

var grafanaEnvelope = tokenOrRedirect("token", false, grafanaURL)

//go:embed guides/grafana.md
var grafanaGuide string

func init() {
	text := Limits{MaxLen: 2048, Chars: printable}
	Register(&Preset{
		Name:    "grafana",
		Summary: "Grafana [auth.jwt] token: inject it as header_name before reverse_proxy, or redirect with url_login",
		Guide:   grafanaGuide,
		Sources: []string{
			"https://grafana.com/docs/grafana/latest/setup-grafana/configure-security/configure-authentication/jwt/",
			"https://github.com/grafana/grafana/blob/24407334/docs/sources/setup-grafana/configure-access/configure-authentication/jwt/index.md",
		},
		Algorithms: []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
			"HS256", "HS384", "HS512"},
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "sub", Type: String, User: true, Required: true, Limits: text, Doc: "the user: Grafana's external auth id"},
			{Name: "email", Type: String, Limits: Limits{MaxLen: 320, Chars: printable}, Doc: "for email_claim; login or email is required"},
			{Name: "login", Type: String, Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "for username_claim; login or email is required"},
			{Name: "name", Type: String, Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "the display name"},
			{Name: "role", Type: String, Privileged: true, Limits: Limits{Enum: []string{"None", "Viewer", "Editor", "Admin", "GrafanaAdmin"}},
				Doc: "the org role, for role_attribute_path (role)"},
			{Name: "groups", Type: Strings, Privileged: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "team sync groups, for groups_attribute_path (groups)"},
			{Name: "iss", Type: String, Privileged: true, Limits: text, Doc: "the issuer, matched by expect_claims"},
			{Name: "aud", Type: String, Privileged: true, Limits: text, Doc: "the audience, matched by expect_claims"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		Options: []Option{
			{Name: "answer", Default: "json", Enum: []string{"json", "redirect"},
				Doc: `json: {"token"}; redirect: 302 to <url>?auth_token=<token> (Grafana's url_login)`},
			{Name: "url", Doc: "Grafana's address, for answer redirect"},
		},
		TTL:      TTL{Default: 15 * time.Minute, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Check:    grafanaCheck,
		Finish:   grafanaFinish,
		Envelope: grafanaEnvelope,
	})
}
