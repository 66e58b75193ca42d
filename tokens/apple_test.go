package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	appleTeam = "ABCDE12345"
	appleKID  = "KEY1234567"
)

func appleConfig(t testing.TB, key string, over func(*Config)) Config {
	return withConfig(Config{Key: key, Signer: mustAsym(t, "ES256", testP256Key()), Header: map[string]string{"kid": appleKID}}, over)
}

func TestMapKitGolden(t *testing.T) {
	const header = `{"alg":"ES256","kid":"` + appleKID + `","typ":"JWT"}`
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"the docs' example", appleConfig(t, appleTeam, func(c *Config) {
			c.Claims = map[string][]string{"origin": {"https://maps.example.com"}}
		}), `{"iss":"ABCDE12345","iat":1764000000,"exp":1764001800,"origin":"https://maps.example.com"}`},
		{"no origin, anonymous, 1h", appleConfig(t, appleTeam, func(c *Config) { c.Anonymous, c.TTL = true, time.Hour }),
			`{"iss":"ABCDE12345","iat":1764000000,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "mapkit", tc.cfg)
			in := bodyInput("alice", map[string]Value{"origin": S("https://evil.example")})
			m := goldenKey(t, tmpl, in, testP256Key().Public(), header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "text/plain; charset=utf-8", m.Token)
		})
	}
}

func TestWeatherKitGolden(t *testing.T) {
	const id = appleTeam + ".com.example.weatherkit-client"
	tmpl := compile(t, "weatherkit", appleConfig(t, id, func(c *Config) { c.Anonymous = true }))
	m := goldenKey(t, tmpl, bodyInput("", nil), testP256Key().Public(),
		`{"alg":"ES256","kid":"`+appleKID+`","id":"`+id+`"}`,
		`{"iss":"ABCDE12345","iat":1764000000,"exp":1764001800,"sub":"com.example.weatherkit-client"}`)
	if got, want := rawPayload(t, m.Token), `{"iss":"ABCDE12345","iat":1764000000,"exp":1764001800,"sub":"com.example.weatherkit-client"}`; got != want {
		t.Errorf("raw payload:\n got %s\nwant %s", got, want)
	}
	wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
}

func TestAppleRefusals(t *testing.T) {
	refusal(t, compile(t, "mapkit", appleConfig(t, appleTeam, nil)), bodyInput("", nil), http.StatusUnauthorized, "")
	for _, tc := range []struct {
		name, preset string
		cfg          Config
		want         string
	}{
		{"mapkit without kid", "mapkit", appleConfig(t, appleTeam, func(c *Config) { c.Header = nil }), "mapkit needs the header's kid"},
		{"mapkit, a Team ID in lower case", "mapkit", appleConfig(t, "abcde12345", nil), "key may hold only upper-case letters and digits"},
		{"mapkit, an origin with a path", "mapkit", appleConfig(t, appleTeam, func(c *Config) {
			c.Claims = map[string][]string{"origin": {"https://maps.example.com/page"}}
		}), "must be an origin"},
		{"mapkit, an origin without a scheme", "mapkit", appleConfig(t, appleTeam, func(c *Config) {
			c.Claims = map[string][]string{"origin": {"maps.example.com"}}
		}), "must be an origin"},
		{"mapkit, RS256", "mapkit", appleConfig(t, appleTeam, func(c *Config) { c.Signer = mustAsym(t, "RS256", testRSAKey()) }), "signed with ES256"},
		{"mapkit, ttl above 24h", "mapkit", appleConfig(t, appleTeam, func(c *Config) { c.TTL = 25 * time.Hour }), "maximum"},
		{"weatherkit, a key without the Services ID", "weatherkit", appleConfig(t, appleTeam, nil), "<Team ID>.<Services ID>"},
		{"weatherkit, a short Team ID", "weatherkit", appleConfig(t, "ABC.com.example.weather", nil), "<Team ID>.<Services ID>"},
		{"weatherkit without kid", "weatherkit", appleConfig(t, appleTeam+".com.example.w", func(c *Config) { c.Header = nil }), "weatherkit needs the header's kid"},
		{"weatherkit, sub set", "weatherkit", appleConfig(t, appleTeam+".com.example.w", func(c *Config) {
			c.Claims = map[string][]string{"sub": {"com.other"}}
		}), "carries the key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := Lookup(tc.preset)
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
