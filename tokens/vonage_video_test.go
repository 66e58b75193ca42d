package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const testVonageSession = "1_MX4xMjM0NTY3OH5-MTc2NDAwMDAwMDAwMH5hYmNkZWZ-fg"

func vonageVideoConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(vonageConfig(t, func(c *Config) {
		c.Claims = map[string][]string{"session_id": {testVonageSession}}
	}), over)
}

// TestVonageVideoGolden: generateClientToken's claims in its order, and the
// answer the client's initSession and connect take.
func TestVonageVideoGolden(t *testing.T) {
	const head = `{"scope":"session.connect","session_id":"` + testVonageSession + `"`
	const tail = `"jti":"JTI","iat":1764000000,"application_id":"` + testVonageApp + `"}`
	const video = `"sub":"video","acl":{"paths":{"/session/**":{}}}`
	other := "2_MX4xMjM0NTY3OH5-b3RoZXI-fg"
	for _, tc := range []struct {
		name    string
		cfg     Config
		in      Input
		session string
		want    string
	}{
		{"defaults: publisher, the user as connection data", vonageVideoConfig(t, nil), bodyInput("alice", nil), testVonageSession,
			head + `,"role":"publisher","initial_layout_class_list":"","exp":1764086400,` + video + `,"connection_data":"alice",` + tail},
		{"configured role, layout and data", vonageVideoConfig(t, func(c *Config) {
			c.Claims["role"] = []string{"moderator"}
			c.Claims["initial_layout_class_list"] = []string{"focus full"}
			c.Claims["connection_data"] = []string{`{"name":"Alice"}`}
			c.TTL = time.Hour
		}), bodyInput("alice", nil), testVonageSession,
			head + `,"role":"moderator","initial_layout_class_list":"focus full","exp":1764003600,` + video +
				`,"connection_data":"{\"name\":\"Alice\"}",` + tail},
		{"an allowed session and role from the request", vonageVideoConfig(t, func(c *Config) {
			c.Allow = map[string][]string{"session_id": {testVonageSession, other}, "role": {"publisher", "subscriber"}}
		}), bodyInput("alice", map[string]Value{"sessionId": S(other), "role": S("subscriber")}), other,
			`{"scope":"session.connect","session_id":"` + other + `","role":"subscriber","initial_layout_class_list":"","exp":1764086400,` +
				video + `,"connection_data":"alice",` + tail},
		{"anonymous: no connection data", vonageVideoConfig(t, func(c *Config) { c.Anonymous = true }), bodyInput("", nil), testVonageSession,
			head + `,"role":"publisher","initial_layout_class_list":"","exp":1764086400,` + video + `,` + tail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "vonage_video", tc.cfg)
			m := goldenKey(t, tmpl, tc.in, testRSAKey().Public(), rs256Header, tc.want)
			if got, want := rawPayload(t, m.Token), strings.Replace(tc.want, "JTI", m.JTI(), 1); got != want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json",
				`{"applicationId":"`+testVonageApp+`","sessionId":"`+tc.session+`","token":"`+m.Token+`"}`)
		})
	}
}

func TestVonageVideoRefusals(t *testing.T) {
	tmpl := compile(t, "vonage_video", vonageVideoConfig(t, func(c *Config) {
		c.Allow = map[string][]string{"role": {"publisher", "subscriber"}}
	}))
	for _, tc := range []struct {
		name   string
		in     Input
		status int
		field  string
	}{
		{"no user", bodyInput("", nil), http.StatusUnauthorized, ""},
		{"a session the config does not allow", bodyInput("alice", map[string]Value{"sessionId": S("2_other")}), http.StatusForbidden, "sessionId"},
		{"session_id spelled as the claim", bodyInput("alice", map[string]Value{"session_id": S("2_other")}), http.StatusForbidden, "session_id"},
		{"moderator outside allow", bodyInput("alice", map[string]Value{"role": S("moderator")}), http.StatusForbidden, "role"},
		{"an unknown role", bodyInput("alice", map[string]Value{"role": S("admin")}), http.StatusBadRequest, "role"},
		{"a session id with a slash", bodyInput("alice", map[string]Value{"sessionId": S("a/b")}), http.StatusBadRequest, "sessionId"},
		{"connection data from the request is not read: no refusal", bodyInput("alice", map[string]Value{"connection_data": S("x")}), 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == 0 {
				if _, err := tmpl.Mint(now, tc.in); err != nil {
					t.Fatalf("Mint: %v", err)
				}
				return
			}
			refusal(t, tmpl, tc.in, tc.status, tc.field)
		})
	}
	p, _ := Lookup("vonage_video")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no session", vonageConfig(t, nil), "needs `claim session_id <value>`"},
		{"scope set", vonageVideoConfig(t, func(c *Config) { c.Claims["scope"] = []string{"x"} }), "fixed by the provider"},
		{"ttl above 30 days", vonageVideoConfig(t, func(c *Config) { c.TTL = 31 * 24 * time.Hour }), "maximum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
