package tokens

import (
	"net/http"
	"strings"
	"testing"
)

const zendeskKID = "app_64d3b7c1a2e9f0001a2b3c4d"

func TestZendeskGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"the user", Config{}, `{"scope":"user","external_id":"u_1001","exp":1764003600}`},
		{"a verified identity from the config", Config{Claims: map[string][]string{
			"name": {"Alice"}, "email": {"alice@example.com"}, "email_verified": {"true"}}},
			`{"scope":"user","external_id":"u_1001","name":"Alice","email":"alice@example.com","email_verified":true,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Header = map[string]string{"kid": zendeskKID}
			tmpl := compile(t, "zendesk", tc.cfg)
			in := bodyInput("u_1001", map[string]Value{"email": S("ceo@example.com"), "email_verified": S("true")})
			m := golden(t, tmpl, in, `{"alg":"HS256","typ":"JWT","kid":"`+zendeskKID+`"}`, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "text/plain; charset=utf-8", m.Token)
		})
	}
}

func TestZendeskRefusals(t *testing.T) {
	tmpl := compile(t, "zendesk", Config{Header: map[string]string{"kid": zendeskKID}})
	e := refusal(t, tmpl, bodyInput("", nil), http.StatusUnauthorized, "")
	body, status, ctype := tmpl.Preset().Refuse(nil, e)
	if status != 401 || ctype != "text/plain; charset=utf-8" || !strings.HasPrefix(string(body), "unauthenticated: ") {
		t.Errorf("refusal answer %d %s %q, want 401 text/plain unauthenticated: ...", status, ctype, body)
	}
	refusal(t, tmpl, bodyInput(strings.Repeat("u", 256), nil), http.StatusBadRequest, "external_id")

	p, _ := Lookup("zendesk")
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no kid", Config{Signer: s}, "zendesk needs the header's kid"},
		{"scope set", Config{Signer: s, Header: map[string]string{"kid": zendeskKID}, Claims: map[string][]string{"scope": {"admin"}}}, "fixed by the provider"},
		{"email_verified not a boolean", Config{Signer: s, Header: map[string]string{"kid": zendeskKID}, Claims: map[string][]string{"email_verified": {"yes"}}}, "true or false"},
		{"HS512", Config{Signer: mustHMAC(t, "HS512", testSecret), Header: map[string]string{"kid": zendeskKID}}, "signed with HS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
