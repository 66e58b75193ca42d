package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const testVonageApp = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"

func vonageConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(Config{Key: testVonageApp, Signer: mustAsym(t, "RS256", testRSAKey())}, over)
}

// TestVonageGolden: the claims in tokenGenerate's order for {sub, acl, jti,
// ttl}, the jti a fresh UUIDv4.
func TestVonageGolden(t *testing.T) {
	const acl = `{"paths":{"/*/users/**":{},"/*/conversations/**":{},"/*/sessions/**":{"methods":["GET"]}}}`
	const tail = `"jti":"JTI","iat":1764000000,"exp":1764000900,"application_id":"` + testVonageApp + `"`
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string
	}{
		{"a Client SDK user", vonageConfig(t, func(c *Config) { c.Claims = map[string][]string{"acl": {acl}} }),
			bodyInput("alice", nil), `{"sub":"alice","acl":` + acl + `,` + tail + `}`},
		{"no acl", vonageConfig(t, nil), bodyInput("alice", nil), `{"sub":"alice",` + tail + `}`},
		{"anonymous: an application token for the API", vonageConfig(t, func(c *Config) { c.Anonymous = true }),
			bodyInput("", nil), `{` + tail + `}`},
		{"request fields are not read", vonageConfig(t, nil),
			bodyInput("alice", map[string]Value{"sub": S("bob"), "acl": {Kind: Raw, Str: acl}}), `{"sub":"alice",` + tail + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "vonage", tc.cfg)
			m := goldenKey(t, tmpl, tc.in, testRSAKey().Public(), rs256Header, tc.want)
			if !uuidRE.MatchString(m.JTI()) || !strings.Contains(rawPayload(t, m.Token), `"jti":"`+m.JTI()+`"`) {
				t.Errorf("jti %q is not the token's UUIDv4", m.JTI())
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
	// Two tokens, two jtis.
	tmpl := compile(t, "vonage", vonageConfig(t, func(c *Config) { c.CacheTokens = new(bool) }))
	a, _ := tmpl.Mint(now, bodyInput("alice", nil))
	b, _ := tmpl.Mint(now, bodyInput("alice", nil))
	if a.JTI() == b.JTI() {
		t.Errorf("two tokens share the jti %s", a.JTI())
	}
}

func TestVonageRefusals(t *testing.T) {
	refusal(t, compile(t, "vonage", vonageConfig(t, nil)), bodyInput("", nil), http.StatusUnauthorized, "")
	p, _ := Lookup("vonage")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no application id", vonageConfig(t, func(c *Config) { c.Key = "" }), "needs `key <value>`"},
		{"an application id that is not a UUID", vonageConfig(t, func(c *Config) { c.Key = "my app" }), "key may hold only hex digits"},
		{"acl without paths", vonageConfig(t, func(c *Config) { c.Claims = map[string][]string{"acl": {`{"/*/users/**":{}}`}} }), "acl must be"},
		{"acl paths not objects", vonageConfig(t, func(c *Config) { c.Claims = map[string][]string{"acl": {`{"paths":{"/x":true}}`}} }), "acl must be"},
		{"ttl above 24h", vonageConfig(t, func(c *Config) { c.TTL = 25 * time.Hour }), "maximum"},
		{"HS256", vonageConfig(t, func(c *Config) { c.Signer = mustHMAC(t, "HS256", testSecret) }), "signed with RS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
