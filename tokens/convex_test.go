package tokens

import (
	"crypto"
	"net/http"
	"strings"
	"testing"
	"time"
)

func convexConfig(t testing.TB, alg string, over func(*Config)) Config {
	var key crypto.Signer = testRSAKey()
	if alg == "ES256" {
		key = testP256Key()
	}
	return withConfig(Config{Signer: mustAsym(t, alg, key), Header: map[string]string{"kid": "key-2026-12"},
		Claims: map[string][]string{"iss": {"https://auth.example.com"}, "aud": {"my-convex-app"}}}, over)
}

func TestConvexGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		alg  string
		pub  crypto.PublicKey
		cfg  func(*Config)
		want string // the payload, byte for byte
	}{
		{"RS256, the docs' example", "RS256", testRSAKey().Public(), func(c *Config) {
			c.Claims["name"] = []string{"Alice"}
			c.Claims["email"] = []string{"alice@example.com"}
		}, `{"iss":"https://auth.example.com","sub":"user_123","aud":"my-convex-app","iat":1764000000,"exp":1764003600,` +
			`"email":"alice@example.com","name":"Alice"}`},
		{"ES256, nested properties, 15 minutes", "ES256", testP256Key().Public(), func(c *Config) {
			c.Claims["properties.id"] = []string{"42"}
			c.Types = map[string]Type{"properties.id": Int}
			c.TTL = 15 * time.Minute
		}, `{"iss":"https://auth.example.com","sub":"user_123","aud":"my-convex-app","iat":1764000000,"exp":1764000900,"properties":{"id":42}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "convex", convexConfig(t, tc.alg, tc.cfg))
			m := goldenKey(t, tmpl, bodyInput("user_123", map[string]Value{"sub": S("someone"), "iss": S("x")}), tc.pub,
				`{"alg":"`+tc.alg+`","kid":"key-2026-12","typ":"JWT"}`, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestConvexAnswer: {"token"} by default; the bare token for a
// fetchAccessToken that returns res.text().
func TestConvexAnswer(t *testing.T) {
	for _, tc := range []struct {
		answer, ctype, body string
	}{
		{"", "application/json", `{"token":"TOKEN"}`},
		{"json", "application/json", `{"token":"TOKEN"}`},
		{"text", "text/plain; charset=utf-8", `TOKEN`},
	} {
		t.Run("answer "+tc.answer, func(t *testing.T) {
			tmpl := compile(t, "convex", convexConfig(t, "RS256", func(c *Config) {
				if tc.answer != "" {
					c.Options = map[string]string{"answer": tc.answer}
				}
			}))
			m, err := tmpl.Mint(now, bodyInput("user_123", nil))
			if err != nil {
				t.Fatal(err)
			}
			wantAnswer(t, tmpl, &m, 200, tc.ctype, strings.ReplaceAll(tc.body, "TOKEN", m.Token))
			// Refusals stay JSON, whatever the answer.
			_, _, ctype := tmpl.Preset().Refuse(nil, Unauthenticated("x"))
			if ctype != "application/json" {
				t.Errorf("refusal content type %q, want application/json", ctype)
			}
		})
	}
}

func TestConvexRefusals(t *testing.T) {
	tmpl := compile(t, "convex", convexConfig(t, "RS256", func(c *Config) {
		c.Claims["iss"] = []string{"{iss}"}
		c.Claims["org"] = []string{"{org}"}
		c.Allow = map[string][]string{"org": {"acme"}, "iss": {"https://auth.example.com"}}
	}))
	with := func(iss, org string) Input {
		return Input{User: "user_123", Request: &fakeRequest{vars: map[string]string{"iss": iss, "org": org}}}
	}
	refusals(t, tmpl, []refusalCase{
		{"no user", Input{Request: &fakeRequest{}}, http.StatusUnauthorized, ""},
		{"iss rendered empty", with("", "acme"), http.StatusBadRequest, "iss"},
		{"iss outside allow", with("https://evil.example.com", "acme"), http.StatusForbidden, "iss"},
		{"a free-form claim outside allow", with("https://auth.example.com", "other"), http.StatusForbidden, "org"},
		{"sub of 2049 characters", Input{User: strings.Repeat("u", 2049), Request: &fakeRequest{vars: map[string]string{"iss": "https://auth.example.com", "org": "acme"}}}, http.StatusBadRequest, "sub"},
	})
}

func TestConvexConfigErrors(t *testing.T) {
	p, err := Lookup("convex")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no kid", "kid", convexConfig(t, "RS256", func(c *Config) { c.Header = nil })},
		{"no iss", "claim iss", convexConfig(t, "RS256", func(c *Config) { delete(c.Claims, "iss") })},
		{"no aud", "claim aud", convexConfig(t, "RS256", func(c *Config) { delete(c.Claims, "aud") })},
		{"HS256", "signed with RS256 or ES256", convexConfig(t, "RS256", func(c *Config) { c.Signer = mustHMAC(t, "HS256", testSecret) })},
		{"RS512", "signed with RS256 or ES256", convexConfig(t, "RS256", func(c *Config) { c.Signer = mustAsym(t, "RS512", testRSAKey()) })},
		{"ttl above a day", "maximum", convexConfig(t, "RS256", func(c *Config) { c.TTL = 25 * time.Hour })},
		{"an unknown answer", "answer", convexConfig(t, "RS256", func(c *Config) { c.Options = map[string]string{"answer": "xml"} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestConvexDescribe: the listing names the required kid and the answer
// option.
func TestConvexDescribe(t *testing.T) {
	p, _ := Lookup("convex")
	info := p.Describe()
	var kid bool
	for _, h := range info.Header {
		kid = kid || (h.Name == "kid" && h.Source == SourceConfig)
	}
	if !kid {
		t.Errorf("header %v: want kid listed as required", info.Header)
	}
	if len(info.Options) != 1 || info.Options[0].Name != "answer" || info.Options[0].Default != "json" ||
		strings.Join(info.Options[0].Values, ",") != "json,text" {
		t.Errorf("options %+v: want answer json|text, default json", info.Options)
	}
	if !info.FreeFormPrivileged {
		t.Errorf("free_form_privileged unset")
	}
}
