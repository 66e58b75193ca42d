package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const testOneSignalApp = "8250eaf6-1a58-489e-b136-7c74a864b434"

func onesignalConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(Config{Key: testOneSignalApp, Signer: mustAsym(t, "ES256", testP256Key())}, over)
}

func TestOneSignalGolden(t *testing.T) {
	const head = `{"iss":"` + testOneSignalApp + `","iat":1764000000,"exp":1764003600,"identity":{"external_id":"u_1001"}`
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		vars map[string]string
		want string // the payload, byte for byte
	}{
		{"the user only", nil, nil, head + `}`},
		{"the docs' example: an email subscription", func(c *Config) {
			c.Claims = map[string][]string{"subscriptions": {`[{"type":"Email","token":"alice@example.com"}]`}}
		}, nil, head + `,"subscriptions":[{"type":"Email","token":"alice@example.com"}]}`},
		{"subscriptions from trusted placeholders: an empty phone is dropped", func(c *Config) {
			c.Claims = map[string][]string{"subscriptions": {`[{"type":"Email","token":"{email}"},{"type":"SMS","token":"{phone}"}]`}}
		}, map[string]string{"email": "alice@example.com"}, head + `,"subscriptions":[{"type":"Email","token":"alice@example.com"}]}`},
		{"no address at all: no subscriptions", func(c *Config) {
			c.Claims = map[string][]string{"subscriptions": {`[{"type":"Email","token":"{email}"}]`}}
		}, nil, head + `}`},
		{"another alias, a day", func(c *Config) {
			c.Claims = map[string][]string{"identity.crm_id": {"crm-9"}}
			c.TTL = 24 * time.Hour
		}, nil, `{"iss":"` + testOneSignalApp + `","iat":1764000000,"exp":1764086400,"identity":{"external_id":"u_1001","crm_id":"crm-9"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "onesignal", onesignalConfig(t, tc.cfg))
			in := Input{User: "u_1001", Contract: true, Request: &fakeRequest{vars: tc.vars,
				params: map[string]Value{"externalId": S("mallory"), "external_id": S("mallory")}}}
			m := goldenKey(t, tmpl, in, testP256Key().Public(), `{"alg":"ES256","typ":"JWT"}`, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"jwt":"`+m.Token+`"}`)
		})
	}
}

func TestOneSignalRefusals(t *testing.T) {
	tmpl := compile(t, "onesignal", onesignalConfig(t, func(c *Config) {
		c.Claims = map[string][]string{"subscriptions": {`[{"type":"Email","token":"{email}"}]`}}
	}))
	dyn := compile(t, "onesignal", onesignalConfig(t, func(c *Config) {
		c.Claims = map[string][]string{"subscriptions": {`{subs}`}}
	}))
	with := func(k, v string) Input {
		return Input{User: "u1", Request: &fakeRequest{vars: map[string]string{k: v}}}
	}
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", tmpl, Input{Request: &fakeRequest{}}, http.StatusUnauthorized, ""},
		{"an external_id of 129 characters", tmpl, Input{User: strings.Repeat("u", 129), Request: &fakeRequest{}}, http.StatusBadRequest, "identity.external_id"},
		{"an email with a control character", tmpl, with("email", "a\x01@example.com"), http.StatusBadRequest, "subscriptions"},
		{"a push subscription", dyn, with("subs", `[{"type":"iOSPush","token":"abc"}]`), http.StatusBadRequest, "subscriptions"},
		{"a subscription with a third member", dyn, with("subs", `[{"type":"SMS","token":"+1555","enabled":true}]`), http.StatusBadRequest, "subscriptions"},
		{"subscriptions not an array", dyn, with("subs", `{"type":"SMS","token":"+1555"}`), http.StatusBadRequest, "subscriptions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
}

func TestOneSignalConfigErrors(t *testing.T) {
	p, err := Lookup("onesignal")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no App ID", "key", onesignalConfig(t, func(c *Config) { c.Key = "" })},
		{"RS256", "signed with ES256", onesignalConfig(t, func(c *Config) { c.Signer = mustAsym(t, "RS256", testRSAKey()) })},
		{"HS256", "signed with ES256", onesignalConfig(t, func(c *Config) { c.Signer = mustHMAC(t, "HS256", testSecret) })},
		{"iss set", "carries the key", onesignalConfig(t, func(c *Config) { c.Claims = map[string][]string{"iss": {"x"}} })},
		{"a subscription of another type", "subscriptions", onesignalConfig(t, func(c *Config) {
			c.Claims = map[string][]string{"subscriptions": {`[{"type":"Push","token":"x"}]`}}
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
