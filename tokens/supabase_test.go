package tokens

import (
	"crypto"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testSupabaseUser = "7b9c2f9e-2d7e-4a57-8d0a-1f3b3b9a4c11"

func TestSupabaseGolden(t *testing.T) {
	const tail = `"exp":1764003600,"iat":1764000000,"email":"","phone":"","role":"authenticated","aal":"aal1",` +
		`"session_id":"00000000-0000-0000-0000-000000000000","is_anonymous":false}`
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string // the payload, byte for byte
	}{
		{"defaults: Auth's required claims", Config{}, bodyInput(testSupabaseUser, nil),
			`{"sub":"` + testSupabaseUser + `","aud":"authenticated",` + tail},
		// Request fields are not read: a client cannot raise its role.
		{"a request's role and sub are ignored", Config{}, bodyInput(testSupabaseUser,
			map[string]Value{"role": S("service_role"), "sub": S("someone"), "is_anonymous": S("true")}),
			`{"sub":"` + testSupabaseUser + `","aud":"authenticated",` + tail},
		{"the jwt-fields example", Config{Claims: map[string][]string{
			"iss":           {"https://abcdefghijklmnopqrst.supabase.co/auth/v1"},
			"email":         {"alice@example.com"},
			"app_metadata":  {`{"provider":"email","providers":["email"]}`},
			"amr":           {`[{"method":"password","timestamp":1764000000}]`},
			"user_metadata": {`{}`},
			"session_id":    {"0c0f4b1e-5b39-4b0e-9d55-4f7f0b1f1e01"},
		}}, bodyInput(testSupabaseUser, nil),
			`{"iss":"https://abcdefghijklmnopqrst.supabase.co/auth/v1","sub":"` + testSupabaseUser + `","aud":"authenticated",` +
				`"exp":1764003600,"iat":1764000000,"email":"alice@example.com","phone":"","app_metadata":{"provider":"email","providers":["email"]},` +
				`"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1764000000}],` +
				`"session_id":"0c0f4b1e-5b39-4b0e-9d55-4f7f0b1f1e01","is_anonymous":false}`},
		{"email from a placeholder that renders empty stays present", Config{
			Claims: map[string][]string{"email": {"{email}"}, "phone": {"{phone}"}},
		}, Input{User: testSupabaseUser, Request: &fakeRequest{vars: map[string]string{"phone": "+15555550123"}}},
			`{"sub":"` + testSupabaseUser + `","aud":"authenticated","exp":1764003600,"iat":1764000000,"email":"","phone":"+15555550123",` +
				`"role":"authenticated","aal":"aal1","session_id":"00000000-0000-0000-0000-000000000000","is_anonymous":false}`},
		{"anonymous: a configured user, an anon role", Config{Anonymous: true, TTL: 10 * time.Minute, Claims: map[string][]string{
			"sub": {"guest"}, "role": {"anon"}, "is_anonymous": {"true"}, "aal": {"aal2"}}}, Input{},
			`{"sub":"guest","aud":"authenticated","exp":1764000600,"iat":1764000000,"email":"","phone":"","role":"anon","aal":"aal2",` +
				`"session_id":"00000000-0000-0000-0000-000000000000","is_anonymous":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "supabase", tc.cfg)
			m := golden(t, tmpl, tc.in, hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestSupabaseImportedKey: an imported ES256 or RS256 key, named by kid.
func TestSupabaseImportedKey(t *testing.T) {
	for _, tc := range []struct {
		alg string
		key crypto.Signer
	}{{"ES256", testP256Key()}, {"RS256", testRSAKey()}} {
		t.Run(tc.alg, func(t *testing.T) {
			s := mustAsym(t, tc.alg, tc.key)
			tmpl := compile(t, "supabase", Config{Signer: s, Header: map[string]string{"kid": "imported-2026"}})
			goldenKey(t, tmpl, bodyInput(testSupabaseUser, nil), tc.key.Public(), `{"alg":"`+tc.alg+`","kid":"imported-2026","typ":"JWT"}`,
				`{"sub":"`+testSupabaseUser+`","aud":"authenticated",`+`"exp":1764003600,"iat":1764000000,"email":"","phone":"","role":"authenticated","aal":"aal1",`+
					`"session_id":"00000000-0000-0000-0000-000000000000","is_anonymous":false}`)
		})
	}
}

func TestSupabaseEnvelope(t *testing.T) {
	tmpl := compile(t, "supabase", Config{})
	m, err := tmpl.Mint(now, bodyInput(testSupabaseUser, nil))
	if err != nil {
		t.Fatal(err)
	}
	wantAnswer(t, tmpl, &m, 200, "application/json",
		`{"access_token":"`+m.Token+`","token_type":"bearer","expires_in":3600,"expires_at":1764003600}`)
	// A token the cache hands out again has less time left.
	m.At = now.Unix() + 1000
	wantAnswer(t, tmpl, &m, 200, "application/json",
		`{"access_token":"`+m.Token+`","token_type":"bearer","expires_in":2600,"expires_at":1764003600}`)
}

func TestSupabaseRefusals(t *testing.T) {
	tmpl := compile(t, "supabase", Config{})
	dyn := compile(t, "supabase", Config{Claims: map[string][]string{
		"amr": {"{amr}"}, "role": {"{role}"}, "app_metadata": {"{meta}"}},
		Allow: map[string][]string{"role": {"authenticated", "anon"}}})
	with := func(vars map[string]string) Input {
		return Input{User: testSupabaseUser, Request: &fakeRequest{vars: vars}}
	}
	good := map[string]string{"amr": `[]`, "role": "anon", "meta": `{}`}
	change := func(k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range good {
			out[a] = b
		}
		out[k] = v
		return out
	}
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", tmpl, bodyInput("", nil), http.StatusUnauthorized, ""},
		{"sub of 256 characters", tmpl, bodyInput(strings.Repeat("u", 256), nil), http.StatusBadRequest, "sub"},
		{"a rendered role outside allow", dyn, with(change("role", "service_role")), http.StatusForbidden, "role"},
		{"amr not an array", dyn, with(change("amr", `{"method":"password"}`)), http.StatusBadRequest, "amr"},
		{"amr with a string entry", dyn, with(change("amr", `["password"]`)), http.StatusBadRequest, "amr"},
		{"app_metadata not an object", dyn, with(change("meta", `["admin"]`)), http.StatusBadRequest, "app_metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
	if _, err := dyn.Mint(now, with(good)); err != nil {
		t.Errorf("good rendered values: %v", err)
	}
}

func TestSupabaseConfigErrors(t *testing.T) {
	p, err := Lookup("supabase")
	if err != nil {
		t.Fatal(err)
	}
	hs := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"ES256 without kid", "needs the header's kid", Config{Signer: mustAsym(t, "ES256", testP256Key())}},
		{"RS256 without kid", "needs the header's kid", Config{Signer: mustAsym(t, "RS256", testRSAKey())}},
		{"HS384", "signed with HS256 or ES256 or RS256", Config{Signer: mustHMAC(t, "HS384", testSecret)}},
		{"an unknown aal", "aal", Config{Signer: hs, Claims: map[string][]string{"aal": {"aal9"}}}},
		{"is_anonymous not a boolean", "is_anonymous", Config{Signer: hs, Claims: map[string][]string{"is_anonymous": {"no"}}}},
		{"session_id not a UUID", "session_id", Config{Signer: hs, Claims: map[string][]string{"session_id": {"session 1"}}}},
		{"an empty role", "role", Config{Signer: hs, Claims: map[string][]string{"role": {""}}}},
		{"ttl above a week", "maximum", Config{Signer: hs, TTL: 8 * 24 * time.Hour}},
		{"anonymous without sub", "claim sub", Config{Signer: hs, Anonymous: true}},
		{"a claim it does not have", "no claim", Config{Signer: hs, Claims: map[string][]string{"scope": {"x"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
