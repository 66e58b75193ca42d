package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

var viasocketClaims = map[string][]string{"org_id": {"8069"}, "project_id": {"projmdFTEvPR"}}

func TestViaSocketGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string
	}{
		{"default ttl 24h", Config{Claims: viasocketClaims}, Input{User: "user-42"},
			`{"org_id":"8069","project_id":"projmdFTEvPR","user_id":"user-42","iat":1764000000,"exp":1764086400}`},
		{"ttl 1h", Config{Claims: viasocketClaims, TTL: time.Hour}, Input{User: "user-42"},
			`{"org_id":"8069","project_id":"projmdFTEvPR","user_id":"user-42","iat":1764000000,"exp":1764003600}`},
		{"user with an e-mail address", Config{Claims: viasocketClaims}, Input{User: "ann@example.com"},
			`{"org_id":"8069","project_id":"projmdFTEvPR","user_id":"ann@example.com","iat":1764000000,"exp":1764086400}`},
		{"request user_id equal to the user", Config{Claims: viasocketClaims},
			bodyInput("user-42", map[string]Value{"user_id": S("user-42")}),
			`{"org_id":"8069","project_id":"projmdFTEvPR","user_id":"user-42","iat":1764000000,"exp":1764086400}`},
		{"anonymous, user_id from the request", Config{Claims: viasocketClaims, Anonymous: true},
			bodyInput("", map[string]Value{"user_id": S("guest-7")}),
			`{"org_id":"8069","project_id":"projmdFTEvPR","user_id":"guest-7","iat":1764000000,"exp":1764086400}`},
		{"org_id from a placeholder", Config{Claims: map[string][]string{"org_id": {"{org}"}, "project_id": {"projmdFTEvPR"}}},
			Input{User: "user-42", Request: &fakeRequest{vars: map[string]string{"org": "Tix4zpLRv9vq"}}},
			`{"org_id":"Tix4zpLRv9vq","project_id":"projmdFTEvPR","user_id":"user-42","iat":1764000000,"exp":1764086400}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, compile(t, "viasocket", tc.cfg), tc.in, hs256Header, tc.want)
		})
	}
}

func TestViaSocketRefusals(t *testing.T) {
	authed := compile(t, "viasocket", Config{Claims: viasocketClaims})
	anon := compile(t, "viasocket", Config{Claims: viasocketClaims, Anonymous: true})
	dynOrg := compile(t, "viasocket", Config{Claims: map[string][]string{"org_id": {"{org}"}, "project_id": {"p"}}})
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", authed, Input{}, http.StatusUnauthorized, ""},
		{"no user, with a request", authed, bodyInput("", map[string]Value{"user_id": S("u")}), http.StatusUnauthorized, ""},
		{"user with a control character", authed, Input{User: "a\x01b"}, http.StatusBadRequest, "user_id"},
		{"user of 257 characters", authed, Input{User: strings.Repeat("u", 257)}, http.StatusBadRequest, "user_id"},
		{"user_id of another user", authed, bodyInput("user-42", map[string]Value{"user_id": S("mallory")}), http.StatusForbidden, "user_id"},
		{"anonymous without user_id", anon, bodyInput("", nil), http.StatusBadRequest, "user_id"},
		{"anonymous with empty user_id", anon, bodyInput("", map[string]Value{"user_id": S("")}), http.StatusBadRequest, "user_id"},
		{"placeholder org_id empty", dynOrg, Input{User: "u", Request: &fakeRequest{}}, http.StatusBadRequest, "org_id"},
		{"placeholder org_id with a space", dynOrg, Input{User: "u", Request: &fakeRequest{vars: map[string]string{"org": "a b"}}}, http.StatusBadRequest, "org_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
}

func TestViaSocketEnvelope(t *testing.T) {
	tmpl := compile(t, "viasocket", Config{Claims: viasocketClaims})
	m, err := tmpl.Mint(now, Input{User: "user-42"})
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"token":"`+m.Token+`"}`)
	if got, want := tmpl.TTL(), 24*time.Hour; got != want {
		t.Errorf("TTL: got %s, want %s", got, want)
	}
	e := refusal(t, tmpl, Input{}, http.StatusUnauthorized, "")
	body, status, _ := tmpl.Preset().Refuse(nil, e)
	if want := `{"error":"unauthenticated","error_description":"this endpoint needs an authenticated user"}`; string(body) != want || status != http.StatusUnauthorized {
		t.Errorf("refusal: got %d %s, want 401 %s", status, body, want)
	}
}

func TestViaSocketConfigErrors(t *testing.T) {
	p, err := Lookup("viasocket")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name   string
		claims map[string][]string
		ttl    time.Duration
		anon   bool
	}{
		{"no claims", nil, 0, false},
		{"missing org_id", map[string][]string{"project_id": {"p"}}, 0, false},
		{"missing project_id", map[string][]string{"org_id": {"8069"}}, 0, false},
		{"empty org_id", map[string][]string{"org_id": {""}, "project_id": {"p"}}, 0, false},
		{"org_id with a space", map[string][]string{"org_id": {"80 69"}, "project_id": {"p"}}, 0, false},
		{"org_id of 129 characters", map[string][]string{"org_id": {strings.Repeat("o", 129)}, "project_id": {"p"}}, 0, false},
		{"two org_ids", map[string][]string{"org_id": {"a", "b"}, "project_id": {"p"}}, 0, false},
		{"unknown claim", map[string][]string{"org_id": {"8069"}, "project_id": {"p"}, "unique_identifier": {"x"}}, 0, false},
		{"iat as a claim", map[string][]string{"org_id": {"8069"}, "project_id": {"p"}, "iat": {"1"}}, 0, false},
		{"ttl 30s", viasocketClaims, 30 * time.Second, false},
		{"ttl 31 days", viasocketClaims, 31 * 24 * time.Hour, false},
		{"empty user_id claim", map[string][]string{"org_id": {"8069"}, "project_id": {"p"}, "user_id": {""}}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, Config{Signer: s, Claims: tc.claims, TTL: tc.ttl, Anonymous: tc.anon}); err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
}
