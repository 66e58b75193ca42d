package tokens

import (
	"net/http"
	"testing"
)

func TestCubeGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // the payload, byte for byte
	}{
		{"the docs' security context", Config{Claims: map[string][]string{"tenant_id": {"acme"}, "role": {"analyst"}}},
			`{"sub":"u_1001","iat":1764000000,"exp":1764003600,"role":"analyst","tenant_id":"acme"}`},
		{"typed context, issuer and audience", Config{
			Claims: map[string][]string{"user_id": {"42"}, "department": {"finance"}, "groups": {"a", "b"}, "iss": {"https://caddy.example.com"}, "aud": {"cube"}},
			Types:  map[string]Type{"user_id": Int, "groups": Strings}},
			`{"sub":"u_1001","iss":"https://caddy.example.com","aud":"cube","iat":1764000000,"exp":1764003600,"department":"finance","groups":["a","b"],"user_id":42}`},
		{"a claims namespace", Config{Claims: map[string][]string{"ns.tenant_id": {"acme"}}},
			`{"sub":"u_1001","iat":1764000000,"exp":1764003600,"ns":{"tenant_id":"acme"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "cube", tc.cfg)
			m := golden(t, tmpl, bodyInput("u_1001", map[string]Value{"tenant_id": S("other")}), hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
	jwks := compile(t, "cube", Config{Signer: mustAsym(t, "ES256", testP256Key()), Header: map[string]string{"kid": "cube-1"},
		Claims: map[string][]string{"tenant_id": {"acme"}}})
	goldenKey(t, jwks, bodyInput("u_1001", nil), testP256Key().Public(), `{"alg":"ES256","kid":"cube-1","typ":"JWT"}`,
		`{"sub":"u_1001","iat":1764000000,"exp":1764003600,"tenant_id":"acme"}`)
}

func TestCubeRefusals(t *testing.T) {
	tmpl := compile(t, "cube", Config{Claims: map[string][]string{"tenant_id": {"{tenant}"}, "user_id": {"{uid}"}},
		Types: map[string]Type{"user_id": Int}, Allow: map[string][]string{"tenant_id": {"acme", "globex"}}})
	with := func(tenant, uid string) Input {
		return Input{User: "u_1001", Request: &fakeRequest{vars: map[string]string{"tenant": tenant, "uid": uid}}}
	}
	refusals(t, tmpl, []refusalCase{
		{"no user", Input{Request: &fakeRequest{}}, http.StatusUnauthorized, ""},
		{"a tenant outside allow", with("initech", "1"), http.StatusForbidden, "tenant_id"},
		{"a user id that is no integer", with("acme", "1.5"), http.StatusBadRequest, "user_id"},
	})
	p, _ := Lookup("cube")
	if !p.Privileged("tenant_id") || p.Privileged("sub") {
		t.Errorf("Privileged: the security context grants rights, sub does not")
	}
	for _, cfg := range []Config{
		{Signer: mustAsym(t, "PS256", testRSAKey())},
		{Signer: mustHMAC(t, "HS256", testSecret), Claims: map[string][]string{"iat": {"1"}}},
	} {
		if _, err := Compile(p, cfg); err == nil {
			t.Errorf("Compile: got success, want an error")
		}
	}
}
