package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func grafanaConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(Config{Signer: mustAsym(t, "RS256", testRSAKey()), Header: map[string]string{"kid": "grafana-1"},
		Claims: map[string][]string{"login": {"alice"}}}, over)
}

func TestGrafanaGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		want string // the payload, byte for byte
	}{
		{"a login", nil, `{"sub":"u_1001","login":"alice","iat":1764000000,"exp":1764000900}`},
		{"the docs' example", func(c *Config) {
			c.Claims = map[string][]string{"email": {"alice@example.com"}, "login": {"alice"}, "name": {"Alice"}, "role": {"Editor"},
				"groups": {"sre"}, "iss": {"https://caddy.example.com"}, "aud": {"grafana"}}
		}, `{"sub":"u_1001","email":"alice@example.com","login":"alice","name":"Alice","role":"Editor","groups":["sre"],` +
			`"iss":"https://caddy.example.com","aud":"grafana","iat":1764000000,"exp":1764000900}`},
		{"an email and an org attribute, 5 minutes", func(c *Config) {
			c.Claims = map[string][]string{"email": {"alice@example.com"}, "org": {"acme"}}
			c.TTL = 5 * time.Minute
		}, `{"sub":"u_1001","email":"alice@example.com","iat":1764000000,"exp":1764000300,"org":"acme"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "grafana", grafanaConfig(t, tc.cfg))
			m := goldenKey(t, tmpl, bodyInput("u_1001", map[string]Value{"role": S("Admin"), "sub": S("admin")}), testRSAKey().Public(),
				`{"alg":"RS256","kid":"grafana-1","typ":"JWT"}`, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	hs := compile(t, "grafana", grafanaConfig(t, func(c *Config) { c.Signer = mustHMAC(t, "HS256", testSecret); c.Header = nil }))
	golden(t, hs, bodyInput("u_1001", nil), hs256Header, `{"sub":"u_1001","login":"alice","iat":1764000000,"exp":1764000900}`)
}

func TestGrafanaAnswer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		options  map[string]string
		status   int
		body     string
		location string
	}{
		{"json", nil, http.StatusOK, `{"token":"TOKEN"}`, ""},
		{"url_login", map[string]string{"answer": "redirect", "url": "https://grafana.example.com/d/abc"}, http.StatusFound,
			`{"url":"https://grafana.example.com/d/abc?auth_token=TOKEN"}`, "https://grafana.example.com/d/abc?auth_token=TOKEN"},
		{"url_login, a URL with a query", map[string]string{"answer": "redirect", "url": "https://grafana.example.com/?orgId=2"}, http.StatusFound,
			`{"url":"https://grafana.example.com/?orgId=2\u0026auth_token=TOKEN"}`, "https://grafana.example.com/?orgId=2&auth_token=TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "grafana", grafanaConfig(t, func(c *Config) { c.Options = tc.options }))
			m, err := tmpl.Mint(now, bodyInput("u_1001", nil))
			if err != nil {
				t.Fatal(err)
			}
			wantAnswer(t, tmpl, &m, tc.status, "application/json", strings.ReplaceAll(tc.body, "TOKEN", m.Token))
			hdr := http.Header{}
			tmpl.Preset().Envelope.Headers(&m, hdr.Set)
			if want := strings.ReplaceAll(tc.location, "TOKEN", m.Token); hdr.Get("Location") != want {
				t.Errorf("Location %q, want %q", hdr.Get("Location"), want)
			}
		})
	}
}

func TestGrafanaRefusals(t *testing.T) {
	tmpl := compile(t, "grafana", grafanaConfig(t, func(c *Config) {
		c.Claims = map[string][]string{"login": {"{login}"}, "role": {"{role}"}}
		c.Allow = map[string][]string{"role": {"Viewer", "Editor"}}
	}))
	with := func(login, role string) Input {
		return Input{User: "u_1001", Request: &fakeRequest{vars: map[string]string{"login": login, "role": role}}}
	}
	refusals(t, tmpl, []refusalCase{
		{"no user", Input{Request: &fakeRequest{}}, http.StatusUnauthorized, ""},
		{"login rendered empty", with("", "Viewer"), http.StatusBadRequest, "login"},
		{"a role outside allow", with("alice", "Admin"), http.StatusForbidden, "role"},
	})
	if _, err := tmpl.Mint(now, with("alice", "Editor")); err != nil {
		t.Errorf("good values: %v", err)
	}
	// A role from a trusted placeholder (no allow list) is still one of
	// Grafana's.
	trusted := compile(t, "grafana", grafanaConfig(t, func(c *Config) { c.Claims["role"] = []string{"{role}"} }))
	refusal(t, trusted, with("alice", "Owner"), http.StatusBadRequest, "role")
}

func TestGrafanaConfigErrors(t *testing.T) {
	p, err := Lookup("grafana")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"neither login nor email", "login or an email", grafanaConfig(t, func(c *Config) { c.Claims = nil })},
		{"redirect without url", "option url", grafanaConfig(t, func(c *Config) { c.Options = map[string]string{"answer": "redirect"} })},
		{"url not a URL", "option url", grafanaConfig(t, func(c *Config) { c.Options = map[string]string{"url": "grafana"} })},
		{"an unknown role", "role", grafanaConfig(t, func(c *Config) { c.Claims["role"] = []string{"Owner"} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
