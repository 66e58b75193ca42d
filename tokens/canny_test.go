package tokens

import (
	"net/http"
	"strings"
	"testing"
)

func cannyConfig(over func(*Config)) Config {
	return withConfig(Config{Claims: map[string][]string{"email": {"alice@example.com"}, "name": {"Alice"}}}, over)
}

func TestCannyGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // the payload, byte for byte
	}{
		{"the docs' user", cannyConfig(func(c *Config) { c.Claims["avatarURL"] = []string{"https://example.com/a.png"} }),
			`{"avatarURL":"https://example.com/a.png","email":"alice@example.com","id":"u_1001","name":"Alice","iat":1764000000,"exp":1764003600}`},
		{"companies and custom fields", cannyConfig(func(c *Config) {
			c.Claims["companies"] = []string{`[{"id":"acme","name":"Acme","monthlySpend":100}]`}
			c.Claims["customFields"] = []string{`{"plan":"pro"}`}
		}), `{"email":"alice@example.com","id":"u_1001","name":"Alice","companies":[{"id":"acme","name":"Acme","monthlySpend":100}],` +
			`"customFields":{"plan":"pro"},"iat":1764000000,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "canny", tc.cfg)
			m := golden(t, tmpl, bodyInput("u_1001", map[string]Value{"email": S("mallory@example.com"), "id": S("admin")}), hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"ssoToken":"`+m.Token+`"}`)
		})
	}
}

func TestCannyRedirect(t *testing.T) {
	tmpl := compile(t, "canny", cannyConfig(func(c *Config) {
		c.Options = map[string]string{"answer": "redirect", "company_id": "553c3ef8b8cdcd1501ba1234", "redirect_hosts": "feedback.example.com"}
	}))
	for _, tc := range []struct {
		name     string
		params   map[string]Value
		location string // TOKEN for the token
	}{
		{"Canny's redirect", map[string]Value{"companyID": S("553c3ef8b8cdcd1501ba1234"), "redirect": S("https://acme.canny.io/feature-requests")},
			"https://canny.io/api/redirects/sso?companyID=553c3ef8b8cdcd1501ba1234&redirect=https%3A%2F%2Facme.canny.io%2Ffeature-requests&ssoToken=TOKEN"},
		{"a custom domain", map[string]Value{"redirect": S("https://feedback.example.com/")},
			"https://canny.io/api/redirects/sso?companyID=553c3ef8b8cdcd1501ba1234&redirect=https%3A%2F%2Ffeedback.example.com%2F&ssoToken=TOKEN"},
		{"no redirect", nil, "https://canny.io/api/redirects/sso?companyID=553c3ef8b8cdcd1501ba1234&ssoToken=TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tmpl.Mint(now, bodyInput("u_1001", tc.params))
			if err != nil {
				t.Fatal(err)
			}
			loc := strings.ReplaceAll(tc.location, "TOKEN", m.Token)
			got, status, _ := tmpl.Preset().Answer(nil, &m)
			if status != http.StatusFound || !strings.Contains(string(got), `"url":"https://canny.io/api/redirects/sso?companyID=`) {
				t.Errorf("answer %d %s, want 302 {url}", status, got)
			}
			hdr := http.Header{}
			tmpl.Preset().Envelope.Headers(&m, hdr.Set)
			if hdr.Get("Location") != loc {
				t.Errorf("Location %q, want %q", hdr.Get("Location"), loc)
			}
		})
	}
	for _, tc := range []struct {
		name   string
		params map[string]Value
		field  string
	}{
		{"another site", map[string]Value{"redirect": S("https://evil.example.com/")}, "redirect"},
		{"a host ending in canny.io", map[string]Value{"redirect": S("https://evilcanny.io/")}, "redirect"},
		{"plain http", map[string]Value{"redirect": S("http://acme.canny.io/")}, "redirect"},
		{"credentials in the URL", map[string]Value{"redirect": S("https://user@acme.canny.io/")}, "redirect"},
		{"another company", map[string]Value{"companyID": S("other")}, "companyID"},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			refusal(t, tmpl, bodyInput("u_1001", tc.params), http.StatusBadRequest, tc.field)
		})
	}
}

func TestCannyConfigErrors(t *testing.T) {
	p, _ := Lookup("canny")
	hs := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no email", "claim email", Config{Signer: hs, Claims: map[string][]string{"name": {"A"}}}},
		{"no name", "claim name", Config{Signer: hs, Claims: map[string][]string{"email": {"a@example.com"}}}},
		{"redirect without company", "company_id", cannyConfig(func(c *Config) { c.Signer = hs; c.Options = map[string]string{"answer": "redirect"} })},
		{"an avatar that is no URL", "avatarURL", cannyConfig(func(c *Config) { c.Signer = hs; c.Claims["avatarURL"] = []string{"a.png"} })},
		{"RS256", "signed with HS256", cannyConfig(func(c *Config) { c.Signer = mustAsym(t, "RS256", testRSAKey()) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
