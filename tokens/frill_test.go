package tokens

import (
	"net/http"
	"strings"
	"testing"
)

func TestFrillGolden(t *testing.T) {
	tmpl := compile(t, "frill", Config{Claims: map[string][]string{"email": {"{email}"}, "name": {"Alice"}}})
	in := Input{User: "u_1001", Contract: true, Request: &fakeRequest{vars: map[string]string{"email": "alice@example.com"},
		params: map[string]Value{"email": S("mallory@example.com"), "id": S("admin")}}}
	const want = `{"email":"alice@example.com","id":"u_1001","name":"Alice","iat":1764000000,"exp":1764003600}`
	m := golden(t, tmpl, in, hs256Header, want)
	if got := rawPayload(t, m.Token); got != want {
		t.Errorf("raw payload:\n got %s\nwant %s", got, want)
	}
	wantAnswer(t, tmpl, &m, 200, "application/json", `{"ssoToken":"`+m.Token+`"}`)

	refusal(t, tmpl, Input{User: "u_1001", Request: &fakeRequest{}}, http.StatusBadRequest, "email")
	refusal(t, tmpl, Input{Request: &fakeRequest{}}, http.StatusUnauthorized, "")
	p, _ := Lookup("frill")
	if _, err := Compile(p, Config{Signer: mustHMAC(t, "HS256", testSecret), Claims: map[string][]string{"email": {"a@example.com"}}}); err == nil ||
		!strings.Contains(err.Error(), "claim name") {
		t.Errorf("Compile without name: %v, want claim name required", err)
	}
}
