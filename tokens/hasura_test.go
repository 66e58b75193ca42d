package tokens

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func hasuraConfig(over func(*Config)) Config {
	return withConfig(Config{Claims: map[string][]string{
		"claims.x-hasura-default-role":  {"user"},
		"claims.x-hasura-allowed-roles": {"editor", "user", "mod"},
	}}, over)
}

func TestHasuraGolden(t *testing.T) {
	const head = `{"sub":"1234567890","iat":1764000000,"exp":1764000900,`
	const ns = `{"x-hasura-default-role":"user","x-hasura-allowed-roles":["editor","user","mod"],"x-hasura-user-id":"1234567890"`
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // the payload, byte for byte
	}{
		{"the docs' example", hasuraConfig(func(c *Config) {
			c.Claims["claims.x-hasura-org-id"] = []string{"123"}
			c.Claims["claims.x-hasura-custom"] = []string{"custom-value"}
			c.Claims["name"] = []string{"John Doe"}
			c.Claims["admin"] = []string{"true"}
			c.Types = map[string]Type{"admin": Bool}
		}), head + `"https://hasura.io/jwt/claims":` + ns + `,"x-hasura-custom":"custom-value","x-hasura-org-id":"123"},"admin":true,"name":"John Doe"}`},
		{"stringified_json", hasuraConfig(func(c *Config) {
			c.Options = map[string]string{"claims_format": "stringified_json"}
		}), head + `"https://hasura.io/jwt/claims":` + jsonQuote(ns+`}`) + `}`},
		{"DDN's namespace, with issuer and audience", hasuraConfig(func(c *Config) {
			c.Options = map[string]string{"namespace": "claims.jwt.hasura.io"}
			c.Claims["iss"] = []string{"https://auth.example.com"}
			c.Claims["aud"] = []string{"my-ddn-project"}
		}), `{"sub":"1234567890","iss":"https://auth.example.com","aud":"my-ddn-project","iat":1764000000,"exp":1764000900,` +
			`"claims.jwt.hasura.io":` + ns + `}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "hasura", tc.cfg)
			m := golden(t, tmpl, bodyInput("1234567890", nil), hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestHasuraStringified: the namespace's string holds the same object as
// the json format's.
func TestHasuraStringified(t *testing.T) {
	plain := compile(t, "hasura", hasuraConfig(nil))
	text := compile(t, "hasura", hasuraConfig(func(c *Config) { c.Options = map[string]string{"claims_format": "stringified_json"} }))
	_, p1 := mintDecoded(t, plain, bodyInput("alice", nil))
	_, p2 := mintDecoded(t, text, bodyInput("alice", nil))
	s, ok := p2[hasuraNamespace].(string)
	if !ok {
		t.Fatalf("stringified namespace is %T, want a string", p2[hasuraNamespace])
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		t.Fatalf("namespace string is not JSON: %v", err)
	}
	want, _ := json.Marshal(p1[hasuraNamespace])
	got, _ := json.Marshal(obj)
	if string(got) != string(want) {
		t.Errorf("stringified namespace %s, want %s", got, want)
	}
}

func TestHasuraKeyPair(t *testing.T) {
	tmpl := compile(t, "hasura", hasuraConfig(func(c *Config) {
		c.Signer = mustAsym(t, "EdDSA", testEd25519Key())
		c.Header = map[string]string{"kid": "hasura-1"}
	}))
	goldenKey(t, tmpl, bodyInput("alice", nil), testEd25519Key().Public(), `{"alg":"EdDSA","kid":"hasura-1","typ":"JWT"}`,
		`{"sub":"alice","iat":1764000000,"exp":1764000900,"https://hasura.io/jwt/claims":{"x-hasura-default-role":"user",`+
			`"x-hasura-allowed-roles":["editor","user","mod"],"x-hasura-user-id":"alice"}}`)
}

func TestHasuraRefusals(t *testing.T) {
	dyn := compile(t, "hasura", hasuraConfig(func(c *Config) {
		c.Claims["claims.x-hasura-default-role"] = []string{"{role}"}
		c.Claims["claims.x-hasura-allowed-roles"] = []string{"{roles}"}
		c.Claims["claims.x-hasura-org-id"] = []string{"{org}"}
		c.Allow = map[string][]string{"claims.x-hasura-org-id": {"1", "2"}}
	}))
	with := func(role, roles, org string) Input {
		return Input{User: "alice", Request: &fakeRequest{vars: map[string]string{"role": role, "roles": roles, "org": org}}}
	}
	refusals(t, dyn, []refusalCase{
		{"no user", Input{Request: &fakeRequest{}}, http.StatusUnauthorized, ""},
		{"a default role outside the allowed roles", with("admin", `["user"]`, "1"), http.StatusBadRequest, "claims.x-hasura-default-role"},
		{"no default role", with("", `["user"]`, "1"), http.StatusBadRequest, "claims.x-hasura-default-role"},
		{"no allowed roles", with("user", ``, "1"), http.StatusBadRequest, "claims.x-hasura-allowed-roles"},
		{"a session variable outside allow", with("user", `["user"]`, "3"), http.StatusForbidden, "claims.x-hasura-org-id"},
	})
	if _, err := dyn.Mint(now, with("user", `["user","editor"]`, "2")); err != nil {
		t.Errorf("good values: %v", err)
	}
}

func TestHasuraConfigErrors(t *testing.T) {
	p, err := Lookup("hasura")
	if err != nil {
		t.Fatal(err)
	}
	hs := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no default role", "claims.x-hasura-default-role", hasuraConfig(func(c *Config) { delete(c.Claims, "claims.x-hasura-default-role") })},
		{"no allowed roles", "claims.x-hasura-allowed-roles", hasuraConfig(func(c *Config) { delete(c.Claims, "claims.x-hasura-allowed-roles") })},
		{"default role not allowed", "must be one of", hasuraConfig(func(c *Config) { c.Claims["claims.x-hasura-default-role"] = []string{"admin"} })},
		{"a namespace member that is no session variable", "name it claims.x-hasura-org", hasuraConfig(func(c *Config) { c.Claims["claims.org"] = []string{"1"} })},
		{"the namespace object set whole", "object of claims", hasuraConfig(func(c *Config) { c.Claims["claims"] = []string{`{"x-hasura-role":"admin"}`} })},
		{"a namespace that repeats a claim", "twice", hasuraConfig(func(c *Config) { c.Options = map[string]string{"namespace": "sub"} })},
		{"an unknown claims_format", "claims_format", hasuraConfig(func(c *Config) { c.Options = map[string]string{"claims_format": "yaml"} })},
		{"a namespace with a control character", "namespace", hasuraConfig(func(c *Config) { c.Options = map[string]string{"namespace": "a\x00b"} })},
		{"an empty namespace", "namespace", hasuraConfig(func(c *Config) { c.Options = map[string]string{"namespace": ""} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Signer == nil {
				tc.cfg.Signer = hs
			}
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestHasuraInspect: CheckToken finds the session variables under the
// default namespace, in both formats.
func TestHasuraInspect(t *testing.T) {
	p, _ := Lookup("hasura")
	for _, format := range []string{"json", "stringified_json"} {
		tmpl := compile(t, "hasura", hasuraConfig(func(c *Config) { c.Options = map[string]string{"claims_format": format} }))
		m, err := tmpl.Mint(now, bodyInput("alice", nil))
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(m.Token, ".")
		if probs := p.CheckToken([]byte(`{"alg":"HS256","typ":"JWT"}`), []byte(rawPayload(t, m.Token))); len(probs) != 0 || len(parts) != 3 {
			t.Errorf("%s: CheckToken: %v, want no problem", format, probs)
		}
	}
	if probs := p.CheckToken([]byte(`{"alg":"HS256"}`), []byte(`{"sub":"a","iat":1,"exp":901,"https://hasura.io/jwt/claims":{}}`)); len(probs) != 2 {
		t.Errorf("CheckToken without the roles: %v, want 2 problems", probs)
	}
}
