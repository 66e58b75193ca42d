package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const rs256Header = `{"alg":"RS256","typ":"JWT"}`

func knockConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(Config{Signer: mustAsym(t, "RS256", testRSAKey())}, over)
}

// TestKnockGolden: the payload is signUserToken's, byte for byte (sub,
// grants, iat, exp).
func TestKnockGolden(t *testing.T) {
	const tenant = `{"https://api.knock.app/v1/objects/$tenants/acme":{"slack/channels_read":[]}}`
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string
	}{
		{"the user, no grants", knockConfig(t, nil), bodyInput("user_123", nil),
			`{"sub":"user_123","iat":1764000000,"exp":1764003600}`},
		{"grants from the config", knockConfig(t, func(c *Config) {
			c.Claims = map[string][]string{"grants": {tenant}}
		}), bodyInput("user_123", nil),
			`{"sub":"user_123","grants":` + tenant + `,"iat":1764000000,"exp":1764003600}`},
		{"a request's id and grants are not read", knockConfig(t, nil),
			bodyInput("user_123", map[string]Value{"id": S("admin"), "sub": S("admin"), "grants": {Kind: Raw, Str: tenant}}),
			`{"sub":"user_123","iat":1764000000,"exp":1764003600}`},
		{"ttl 15m", knockConfig(t, func(c *Config) { c.TTL = 15 * time.Minute }), bodyInput("u", nil),
			`{"sub":"u","iat":1764000000,"exp":1764000900}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "knock", tc.cfg)
			m := goldenKey(t, tmpl, tc.in, testRSAKey().Public(), rs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"error":null,"userToken":"`+m.Token+`"}`)
		})
	}
}

func TestKnockRefusals(t *testing.T) {
	tmpl := compile(t, "knock", knockConfig(t, nil))
	refusal(t, tmpl, bodyInput("", nil), http.StatusUnauthorized, "")
	refusal(t, tmpl, bodyInput("line\nbreak", nil), http.StatusBadRequest, "sub")

	p, _ := Lookup("knock")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"HS256", Config{Signer: mustHMAC(t, "HS256", testSecret)}, "signed with RS256"},
		{"grants not an object", knockConfig(t, func(c *Config) { c.Claims = map[string][]string{"grants": {`["x"]`}} }), "grants must be a JSON object"},
		{"grants on a foreign URI", knockConfig(t, func(c *Config) {
			c.Claims = map[string][]string{"grants": {`{"https://evil.example/v1/users/x":{"user/feed_read":[]}}`}}
		}), "https://api.knock.app/v1/"},
		{"grants of the wrong shape", knockConfig(t, func(c *Config) {
			c.Claims = map[string][]string{"grants": {`{"https://api.knock.app/v1/users/x":["user/feed_read"]}`}}
		}), "grants must be"},
		{"ttl above 24h", knockConfig(t, func(c *Config) { c.TTL = 48 * time.Hour }), "maximum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
