package tokens

import (
	"net/http"
	"testing"
)

func TestIntercomGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		want   string
	}{
		{"the user alone", Config{}, nil, `{"user_id":"u_1001","iat":1764000000,"exp":1764007200}`},
		{"the install guide's claims, and signed attributes", Config{
			Claims: map[string][]string{"email": {"{user}@example.com"}, "name": {"Alice"}, "company_id": {"acme"}, "plan_seats": {"12"}},
			Types:  map[string]Type{"plan_seats": Int}}, nil,
			`{"user_id":"u_1001","email":"u_1001@example.com","name":"Alice","iat":1764000000,"exp":1764007200,"company_id":"acme","plan_seats":12}`},
		{"request fields set nothing", Config{}, map[string]Value{"user_id": S("admin"), "email": S("ceo@example.com")},
			`{"user_id":"u_1001","iat":1764000000,"exp":1764007200}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "intercom", tc.cfg)
			in := bodyInput("u_1001", tc.params)
			in.Request.(*fakeRequest).vars = map[string]string{"user": "u_1001"}
			m := golden(t, tmpl, in, hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
}

func TestIntercomRefusals(t *testing.T) {
	tmpl := compile(t, "intercom", Config{Claims: map[string][]string{"email": {"{email}"}}})
	refusal(t, tmpl, bodyInput("", nil), http.StatusUnauthorized, "")
	in := bodyInput("u", nil)
	in.Request.(*fakeRequest).vars = map[string]string{"email": "a\nb@example.com"}
	refusal(t, tmpl, in, http.StatusBadRequest, "email")
	p, _ := Lookup("intercom")
	if _, err := Compile(p, Config{Signer: mustHMAC(t, "HS256", testSecret), Anonymous: true}); err == nil {
		t.Errorf("Compile anonymous without user_id: success, want an error (user_id is required)")
	}
}
