package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const testFirebaseEmail = "firebase-adminsdk-abc12@my-project.iam.gserviceaccount.com"

func firebaseConfig(t testing.TB, claims map[string][]string) Config {
	return Config{Key: testFirebaseEmail, Signer: mustAsym(t, "RS256", testRSAKey()), Claims: claims}
}

func TestFirebaseGolden(t *testing.T) {
	const head = `{"iss":"` + testFirebaseEmail + `","sub":"` + testFirebaseEmail + `",` +
		`"aud":"https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit","iat":1764000000,"exp":1764003600,`
	for _, tc := range []struct {
		name   string
		cfg    Config
		user   string
		params map[string]Value
		want   string // the payload, byte for byte
	}{
		{"the SDK's minimal token", firebaseConfig(t, nil), "some-uid", nil, head + `"uid":"some-uid"}`},
		{"developer claims and a tenant", firebaseConfig(t, map[string][]string{
			"claims": {`{"premiumAccount": true, "plan": "pro"}`}, "tenant_id": {"tenant-a1b2"}}), "some-uid", nil,
			head + `"uid":"some-uid","tenant_id":"tenant-a1b2","claims":{"premiumAccount":true,"plan":"pro"}}`},
		// uid is not a request field: a client cannot name its own.
		{"a request's uid is ignored", firebaseConfig(t, nil), "alice", map[string]Value{"uid": S("mallory")}, head + `"uid":"alice"}`},
		{"a uid of 128 characters", firebaseConfig(t, nil), strings.Repeat("u", 128), nil, head + `"uid":"` + strings.Repeat("u", 128) + `"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "firebase", tc.cfg)
			m := goldenKey(t, tmpl, bodyInput(tc.user, tc.params), testRSAKey().Public(), `{"alg":"RS256","typ":"JWT"}`, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			if m.Key != testFirebaseEmail {
				t.Errorf("Minted.Key = %q, want the client email", m.Key)
			}
			wantAnswer(t, tmpl, &m, 200, "", `{"token":"`+m.Token+`"}`)
		})
	}
}

func TestFirebaseAnonymous(t *testing.T) {
	cfg := firebaseConfig(t, map[string][]string{"uid": {"kiosk-7"}})
	cfg.Anonymous = true
	cfg.TTL = 30 * time.Minute
	tmpl := compile(t, "firebase", cfg)
	goldenKey(t, tmpl, bodyInput("", map[string]Value{"uid": S("admin")}), testRSAKey().Public(), `{"alg":"RS256","typ":"JWT"}`,
		`{"iss":"`+testFirebaseEmail+`","sub":"`+testFirebaseEmail+`",`+
			`"aud":"https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit","iat":1764000000,"exp":1764001800,"uid":"kiosk-7"}`)
}

func TestFirebaseRefusals(t *testing.T) {
	tmpl := compile(t, "firebase", firebaseConfig(t, nil))
	// Developer claims from a placeholder are checked per request.
	dyn := firebaseConfig(t, map[string][]string{"claims": {"{claims}"}})
	dyn.Dynamic = func(s string) bool { return s == "{claims}" }
	placeholder := compile(t, "firebase", dyn)
	withClaims := func(claims string) Input {
		return Input{User: "alice", Request: &fakeRequest{vars: map[string]string{"claims": claims}}}
	}
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", tmpl, bodyInput("", nil), http.StatusUnauthorized, ""},
		{"uid of 129 characters", tmpl, bodyInput(strings.Repeat("u", 129), nil), http.StatusBadRequest, "uid"},
		{"uid with a control character", tmpl, bodyInput("a\x00b", nil), http.StatusBadRequest, "uid"},
		{"rendered claims with a reserved name", placeholder, withClaims(`{"sub":"x"}`), http.StatusBadRequest, "claims"},
		{"rendered claims not an object", placeholder, withClaims(`["a"]`), http.StatusBadRequest, "claims"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
	if _, err := placeholder.Mint(now, withClaims(`{"role":"editor"}`)); err != nil {
		t.Errorf("rendered claims without reserved names: %v", err)
	}
}

func TestFirebaseConfigErrors(t *testing.T) {
	p, err := Lookup("firebase")
	if err != nil {
		t.Fatal(err)
	}
	rs := mustAsym(t, "RS256", testRSAKey())
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no key", Config{Signer: rs}},
		{"iss set", Config{Key: testFirebaseEmail, Signer: rs, Claims: map[string][]string{"iss": {"x@example.com"}}}},
		{"sub set", Config{Key: testFirebaseEmail, Signer: rs, Claims: map[string][]string{"sub": {"x@example.com"}}}},
		{"aud set", Config{Key: testFirebaseEmail, Signer: rs, Claims: map[string][]string{"aud": {"x"}}}},
		{"reserved developer claim", Config{Key: testFirebaseEmail, Signer: rs, Claims: map[string][]string{"claims": {`{"firebase":{}}`}}}},
		{"empty developer claim name", Config{Key: testFirebaseEmail, Signer: rs, Claims: map[string][]string{"claims": {`{"":1}`}}}},
		{"developer claims not an object", Config{Key: testFirebaseEmail, Signer: rs, Claims: map[string][]string{"claims": {`"admin"`}}}},
		{"uid too long", Config{Key: testFirebaseEmail, Signer: rs, Claims: map[string][]string{"uid": {strings.Repeat("u", 129)}}}},
		{"anonymous without uid", Config{Key: testFirebaseEmail, Signer: rs, Anonymous: true}},
		{"ttl above 1h", Config{Key: testFirebaseEmail, Signer: rs, TTL: 61 * time.Minute}},
		{"HS256", Config{Key: testFirebaseEmail, Signer: mustHMAC(t, "HS256", testSecret)}},
		{"RS512", Config{Key: testFirebaseEmail, Signer: mustAsym(t, "RS512", testRSAKey())}},
		{"ES256", Config{Key: testFirebaseEmail, Signer: mustAsym(t, "ES256", testP256Key())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			} else {
				t.Logf("%v", err)
			}
		})
	}
}
