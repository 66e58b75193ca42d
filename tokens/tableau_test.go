package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	tableauClient = "2bd3d4b5-1c7e-4d7a-9f0e-0a1b2c3d4e5f"
	tableauKID    = "9f1b7c2e-5a4d-4e3f-8b2a-1c0d9e8f7a6b"
)

func tableauConfig(over func(*Config)) Config {
	return withConfig(Config{Key: tableauClient, Header: map[string]string{"kid": tableauKID}}, over)
}

func TestTableauGolden(t *testing.T) {
	const header = `{"alg":"HS256","typ":"JWT","kid":"` + tableauKID + `","iss":"` + tableauClient + `"}`
	const head = `{"iss":"` + tableauClient + `","sub":"alice@example.com","aud":"tableau","exp":1764000300,"iat":1764000000,"jti":"JTI"`
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"defaults", tableauConfig(nil), head + `,"scp":["tableau:views:embed"]}`},
		{"scopes and user attributes", tableauConfig(func(c *Config) {
			c.Claims = map[string][]string{"scp": {"tableau:views:embed", "tableau:insights:embed"}, "Region": {"East", "West"}}
			c.Types = map[string]Type{"Region": Strings}
			c.TTL = 10 * time.Minute
		}), strings.Replace(head, "1764000300", "1764000600", 1) + `,"scp":["tableau:views:embed","tableau:insights:embed"],"Region":["East","West"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "tableau", tc.cfg)
			in := bodyInput("alice@example.com", map[string]Value{"scp": L("tableau:content:read"), "sub": S("admin")})
			m := golden(t, tmpl, in, header, tc.want)
			if got, want := rawPayload(t, m.Token), strings.Replace(tc.want, "JTI", m.JTI(), 1); got != want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
}

func TestTableauRefusals(t *testing.T) {
	refusal(t, compile(t, "tableau", tableauConfig(nil)), bodyInput("", nil), http.StatusUnauthorized, "")
	p, _ := Lookup("tableau")
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"ttl above 10 minutes", tableauConfig(func(c *Config) { c.TTL = 11 * time.Minute }), "maximum of 10m"},
		{"no kid", tableauConfig(func(c *Config) { c.Header = nil }), "tableau needs the header's kid"},
		{"no client id", tableauConfig(func(c *Config) { c.Key = "" }), "needs `key <value>`"},
		{"aud set", tableauConfig(func(c *Config) { c.Claims = map[string][]string{"aud": {"x"}} }), "fixed by the provider"},
		{"empty scopes", tableauConfig(func(c *Config) { c.Claims = map[string][]string{"scp": {"[]"}} }), "scp is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Signer = s
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
