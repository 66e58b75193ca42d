package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestPostgRESTGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string // the payload, byte for byte
	}{
		{"the docs' example", Config{Claims: map[string][]string{"role": {"webuser"}, "aud": {"my-api"}}},
			bodyInput("alice", nil),
			`{"role":"webuser","sub":"alice","aud":"my-api","iat":1764000000,"exp":1764003600}`},
		// Free-form claims follow the schema's, in name order; a role kept
		// where jwt-role-claim-key $.app.role looks.
		{"free-form claims for SQL", Config{TTL: 15 * time.Minute,
			Claims: map[string][]string{"app.role": {"author"}, "tenant_id": {"42"}, "email": {"alice@example.com"}},
			Types:  map[string]Type{"tenant_id": Int}},
			bodyInput("alice", map[string]Value{"role": S("admin"), "tenant_id": S("7")}),
			`{"sub":"alice","iat":1764000000,"exp":1764000900,"app":{"role":"author"},"email":"alice@example.com","tenant_id":42}`},
		{"anonymous: no sub, the anon role", Config{Anonymous: true, Claims: map[string][]string{"role": {"web_anon"}}}, Input{},
			`{"role":"web_anon","iat":1764000000,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "postgrest", tc.cfg)
			m := golden(t, tmpl, tc.in, hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
}

func TestPostgRESTKeyPair(t *testing.T) {
	tmpl := compile(t, "postgrest", Config{Signer: mustAsym(t, "ES256", testP256Key()),
		Header: map[string]string{"kid": "pgrst-1"}, Claims: map[string][]string{"role": {"webuser"}}})
	goldenKey(t, tmpl, bodyInput("alice", nil), testP256Key().Public(), `{"alg":"ES256","kid":"pgrst-1","typ":"JWT"}`,
		`{"role":"webuser","sub":"alice","iat":1764000000,"exp":1764003600}`)
	// Without kid PostgREST tries every key: a kid is not required.
	plain := compile(t, "postgrest", Config{Signer: mustAsym(t, "RS256", testRSAKey()), Claims: map[string][]string{"role": {"webuser"}}})
	goldenKey(t, plain, bodyInput("alice", nil), testRSAKey().Public(), `{"alg":"RS256","typ":"JWT"}`,
		`{"role":"webuser","sub":"alice","iat":1764000000,"exp":1764003600}`)
}

func TestPostgRESTRefusals(t *testing.T) {
	dyn := compile(t, "postgrest", Config{Claims: map[string][]string{"role": {"{role}"}, "tenant_id": {"{tenant}"}},
		Types: map[string]Type{"tenant_id": Int},
		Allow: map[string][]string{"role": {"webuser", "author"}, "tenant_id": {"1", "2"}}})
	with := func(role, tenant string) Input {
		return Input{User: "alice", Request: &fakeRequest{vars: map[string]string{"role": role, "tenant": tenant}}}
	}
	refusals(t, dyn, []refusalCase{
		{"no user", Input{Request: &fakeRequest{}}, http.StatusUnauthorized, ""},
		{"a rendered role outside allow", with("postgres", "1"), http.StatusForbidden, "role"},
		{"a rendered free-form claim outside allow", with("webuser", "3"), http.StatusForbidden, "tenant_id"},
		{"a rendered free-form claim of the wrong type", with("webuser", "one"), http.StatusBadRequest, "tenant_id"},
		{"a role with a control character", with("web\nuser", "1"), http.StatusBadRequest, "role"},
	})
	if _, err := dyn.Mint(now, with("author", "2")); err != nil {
		t.Errorf("allowed values: %v", err)
	}
}

func TestPostgRESTDescribe(t *testing.T) {
	p, err := Lookup("postgrest")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Privileged("tenant_id") || !p.Privileged("role") || p.Privileged("sub") {
		t.Errorf("Privileged: free-form claims and role grant rights, sub does not")
	}
	if info := p.Describe(); !info.FreeForm || !info.FreeFormPrivileged {
		t.Errorf("Describe: free_form %v, free_form_privileged %v; want both", info.FreeForm, info.FreeFormPrivileged)
	}
	for _, cfg := range []Config{
		{Signer: mustHMAC(t, "HS256", testSecret), Claims: map[string][]string{"role": {strings.Repeat("r", 64)}}},
		{Signer: mustHMAC(t, "HS256", testSecret), Claims: map[string][]string{"exp": {"1"}}},
		{Signer: mustAsym(t, "EdDSA", testEd25519Key())},
	} {
		if _, err := Compile(p, cfg); err == nil {
			t.Errorf("Compile(%v): got success, want an error", cfg.Claims)
		}
	}
}
