package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const testPowerSyncURL = "https://abc123.powersync.journeyapps.com"

func powersyncConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(Config{Signer: mustAsym(t, "RS256", testRSAKey()), Header: map[string]string{"kid": "powersync-2026"},
		Options: map[string]string{"endpoint": testPowerSyncURL}}, over)
}

func TestPowerSyncGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // the payload, byte for byte
	}{
		{"the demo's token: aud is the endpoint", powersyncConfig(t, func(c *Config) {
			c.Claims = map[string][]string{"iss": {"https://api.example.com"}}
		}), `{"sub":"user_123","iat":1764000000,"exp":1764000300,"iss":"https://api.example.com","aud":"` + testPowerSyncURL + `"}`},
		{"self-hosted: an audience of its own, parameters, a sync-rule claim", powersyncConfig(t, func(c *Config) {
			c.TTL = time.Hour
			c.Claims = map[string][]string{"aud": {"powersync-dev"}, "parameters": {`{"team":"blue"}`}, "org_id": {"acme"}}
		}), `{"sub":"user_123","iat":1764000000,"exp":1764003600,"aud":"powersync-dev","parameters":{"team":"blue"},"org_id":"acme"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "powersync", tc.cfg)
			// The demo's ?user_id= is no request field: the user is the session's.
			m := goldenKey(t, tmpl, bodyInput("user_123", map[string]Value{"user_id": S("someone"), "sub": S("someone")}),
				testRSAKey().Public(), `{"alg":"RS256","kid":"powersync-2026","typ":"JWT"}`, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"endpoint":"`+testPowerSyncURL+`","token":"`+m.Token+`"}`)
		})
	}
}

func TestPowerSyncAlgorithms(t *testing.T) {
	ed := compile(t, "powersync", powersyncConfig(t, func(c *Config) { c.Signer = mustAsym(t, "EdDSA", testEd25519Key()) }))
	goldenKey(t, ed, bodyInput("u1", nil), testEd25519Key().Public(), `{"alg":"EdDSA","kid":"powersync-2026","typ":"JWT"}`,
		`{"sub":"u1","iat":1764000000,"exp":1764000300,"aud":"`+testPowerSyncURL+`"}`)
	// HS256 through an oct JWK, which also has a kid.
	hs := compile(t, "powersync", powersyncConfig(t, func(c *Config) { c.Signer = mustHMAC(t, "HS256", testSecret) }))
	golden(t, hs, bodyInput("u1", nil), `{"alg":"HS256","kid":"powersync-2026","typ":"JWT"}`,
		`{"sub":"u1","iat":1764000000,"exp":1764000300,"aud":"`+testPowerSyncURL+`"}`)
}

func TestPowerSyncRefusals(t *testing.T) {
	tmpl := compile(t, "powersync", powersyncConfig(t, func(c *Config) {
		c.Claims = map[string][]string{"parameters": {"{p}"}}
	}))
	with := func(user, p string) Input {
		return Input{User: user, Request: &fakeRequest{vars: map[string]string{"p": p}}}
	}
	refusals(t, tmpl, []refusalCase{
		{"no user", with("", "{}"), http.StatusUnauthorized, ""},
		{"parameters an array", with("u1", `["a"]`), http.StatusBadRequest, "parameters"},
		{"parameters a string", with("u1", `team`), http.StatusBadRequest, "parameters"},
	})
}

func TestPowerSyncConfigErrors(t *testing.T) {
	p, err := Lookup("powersync")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no kid", "kid", powersyncConfig(t, func(c *Config) { c.Header = nil })},
		{"no endpoint", "option endpoint", powersyncConfig(t, func(c *Config) { c.Options = nil })},
		{"an endpoint that is no URL", "option endpoint", powersyncConfig(t, func(c *Config) { c.Options = map[string]string{"endpoint": "abc123"} })},
		{"ttl above a day", "maximum", powersyncConfig(t, func(c *Config) { c.TTL = 25 * time.Hour })},
		{"ttl below a minute", "minimum", powersyncConfig(t, func(c *Config) { c.TTL = 30 * time.Second })},
		{"PS256", "signed with", powersyncConfig(t, func(c *Config) { c.Signer = mustAsym(t, "PS256", testRSAKey()) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
