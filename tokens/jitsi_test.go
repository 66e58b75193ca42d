package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func jitsiConfig(over func(*Config)) Config {
	return withConfig(Config{Key: "my_app_id", Options: map[string]string{"url": "https://meet.example.com"},
		Claims: map[string][]string{"sub": {"meet.example.com"}, "room": {"standup"}},
		Allow:  map[string][]string{"room": {"standup", "retro"}}}, over)
}

func TestJitsiGolden(t *testing.T) {
	const head = `{"iss":"my_app_id","aud":"jitsi","sub":"meet.example.com",`
	const times = `"iat":1764000000,"nbf":1763999990,"exp":1764003600`
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		want   string // the payload, byte for byte
	}{
		{"the configured room", jitsiConfig(nil), nil,
			head + `"room":"standup",` + times + `,"context":{"user":{"id":"u_1001"}}}`},
		{"an allowed room, lower-cased", jitsiConfig(nil), map[string]Value{"room": S("Retro")},
			head + `"room":"retro",` + times + `,"context":{"user":{"id":"u_1001"}}}`},
		{"the docs' example: user details, group, features", jitsiConfig(func(c *Config) {
			c.Claims["context.user.name"] = []string{"Alice"}
			c.Claims["context.user.email"] = []string{"alice@example.com"}
			c.Claims["context.user.avatar"] = []string{"https://example.com/a.png"}
			c.Claims["context.user.moderator"] = []string{"true"}
			c.Claims["context.group"] = []string{"team-a"}
			c.Claims["context.features.recording"] = []string{"true"}
			c.Claims["context.features.livestreaming"] = []string{"false"}
		}), nil,
			head + `"room":"standup",` + times + `,"context":{"user":{"id":"u_1001","name":"Alice","email":"alice@example.com",` +
				`"avatar":"https://example.com/a.png","moderator":"true"},"group":"team-a","features":{"livestreaming":"false","recording":"true"}}}`},
		{"every room, another audience, 2 hours", jitsiConfig(func(c *Config) {
			c.Claims["room"] = []string{"*"}
			c.Claims["aud"] = []string{"my_app"}
			c.Allow = nil
			c.TTL = 2 * time.Hour
		}), nil,
			`{"iss":"my_app_id","aud":"my_app","sub":"meet.example.com","room":"*","iat":1764000000,"nbf":1763999990,"exp":1764007200,` +
				`"context":{"user":{"id":"u_1001"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "jitsi", tc.cfg)
			m := golden(t, tmpl, bodyInput("u_1001", tc.params), hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestJitsiASAP(t *testing.T) {
	tmpl := compile(t, "jitsi", jitsiConfig(func(c *Config) {
		c.Signer = mustAsym(t, "RS256", testRSAKey())
		c.Header = map[string]string{"kid": "jitsi/custom_key_name"}
	}))
	goldenKey(t, tmpl, bodyInput("u_1001", nil), testRSAKey().Public(), `{"alg":"RS256","kid":"jitsi/custom_key_name","typ":"JWT"}`,
		`{"iss":"my_app_id","aud":"jitsi","sub":"meet.example.com","room":"standup","iat":1764000000,"nbf":1763999990,"exp":1764003600,`+
			`"context":{"user":{"id":"u_1001"}}}`)
}

func TestJitsiEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		body   string // TOKEN for the token
	}{
		{"a room: its URL", jitsiConfig(nil), map[string]Value{"room": S("retro")},
			`{"token":"TOKEN","url":"https://meet.example.com/retro?jwt=TOKEN"}`},
		{"a tenant's address with a slash", jitsiConfig(func(c *Config) { c.Options["url"] = "https://meet.example.com/acme/" }), nil,
			`{"token":"TOKEN","url":"https://meet.example.com/acme/standup?jwt=TOKEN"}`},
		{"every room: no URL", jitsiConfig(func(c *Config) { c.Claims["room"] = []string{"*"}; c.Allow = nil }), nil,
			`{"token":"TOKEN"}`},
		{"no url option", jitsiConfig(func(c *Config) { c.Options = nil }), nil, `{"token":"TOKEN"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "jitsi", tc.cfg)
			m, err := tmpl.Mint(now, bodyInput("u_1001", tc.params))
			if err != nil {
				t.Fatal(err)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", strings.ReplaceAll(tc.body, "TOKEN", m.Token))
		})
	}
}

func TestJitsiRefusals(t *testing.T) {
	tmpl := compile(t, "jitsi", jitsiConfig(nil))
	pinned := compile(t, "jitsi", jitsiConfig(func(c *Config) { c.Allow = nil }))
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		params map[string]Value
		user   string
		status int
		field  string
	}{
		{"no user", tmpl, nil, "", http.StatusUnauthorized, ""},
		{"a room outside allow", tmpl, map[string]Value{"room": S("boardroom")}, "u1", http.StatusForbidden, "room"},
		{"every room, not allowed", tmpl, map[string]Value{"room": S("*")}, "u1", http.StatusForbidden, "room"},
		{"another room than the pinned one", pinned, map[string]Value{"room": S("retro")}, "u1", http.StatusForbidden, "room"},
		{"a room with a slash", tmpl, map[string]Value{"room": S("a/b")}, "u1", http.StatusBadRequest, "room"},
		{"a room with a space", tmpl, map[string]Value{"room": S("stand up")}, "u1", http.StatusBadRequest, "room"},
		{"a room list", tmpl, map[string]Value{"room": L("standup", "retro")}, "u1", http.StatusBadRequest, "room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, bodyInput(tc.user, tc.params), tc.status, tc.field)
		})
	}
}

func TestJitsiConfigErrors(t *testing.T) {
	p, err := Lookup("jitsi")
	if err != nil {
		t.Fatal(err)
	}
	hs := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no app_id", "key", jitsiConfig(func(c *Config) { c.Key = "" })},
		{"no sub", "claim sub", jitsiConfig(func(c *Config) { delete(c.Claims, "sub") })},
		{"no room", "claim room", jitsiConfig(func(c *Config) { delete(c.Claims, "room"); c.Allow = nil })},
		{"an upper-case tenant", "sub", jitsiConfig(func(c *Config) { c.Claims["sub"] = []string{"Acme"} })},
		{"RS256 without kid", "kid", jitsiConfig(func(c *Config) { c.Signer = mustAsym(t, "RS256", testRSAKey()) })},
		{"ES256", "signed with", jitsiConfig(func(c *Config) { c.Signer = mustAsym(t, "ES256", testP256Key()) })},
		{"url not a URL", "option url", jitsiConfig(func(c *Config) { c.Options["url"] = "meet.example.com" })},
		{"moderator not a flag", "moderator", jitsiConfig(func(c *Config) { c.Claims["context.user.moderator"] = []string{"yes"} })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Signer == nil {
				tc.cfg.Signer = hs
			}
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
