package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	ablyKeyName = "I2E_JQ.OqUdfg"
	ablyHeader  = `{"alg":"HS256","typ":"JWT","kid":"I2E_JQ.OqUdfg"}`
	ablyCap     = `{"chat:*":["publish","subscribe"]}`
)

func ablyConfig(over func(*Config)) Config {
	cfg := Config{Key: ablyKeyName, Claims: map[string][]string{"x-ably-capability": {ablyCap}}}
	return withConfig(cfg, over)
}

func TestAblyGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string
	}{
		{"the docs' example claims, default ttl 1h", ablyConfig(nil), Input{User: "user-42"},
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}","x-ably-clientId":"user-42"}`},
		{"capability written with spaces is compacted", ablyConfig(func(c *Config) {
			c.Claims["x-ably-capability"] = []string{` { "*" : [ "subscribe" ] } `}
		}), Input{User: "u"},
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"*\":[\"subscribe\"]}","x-ably-clientId":"u"}`},
		{"ttl 24h", ablyConfig(func(c *Config) { c.TTL = 24 * time.Hour }), Input{User: "u"},
			`{"iat":1764000000,"exp":1764086400,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}","x-ably-clientId":"u"}`},
		{"clientId equal to the user (ably-js sends its clientId)", ablyConfig(nil),
			bodyInput("user-42", map[string]Value{"clientId": S("user-42")}),
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}","x-ably-clientId":"user-42"}`},
		{"anonymous without clientId: no client id", ablyConfig(func(c *Config) { c.Anonymous = true }), bodyInput("", nil),
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}"}`},
		{"anonymous with clientId", ablyConfig(func(c *Config) { c.Anonymous = true }),
			bodyInput("", map[string]Value{"clientId": S("guest-7")}),
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}","x-ably-clientId":"guest-7"}`},
		{"capability repeated by the request", ablyConfig(nil),
			bodyInput("u", map[string]Value{"capability": S(`{"chat:*": ["publish", "subscribe"]}`)}),
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}","x-ably-clientId":"u"}`},
		{"token params in milliseconds are ignored", ablyConfig(nil),
			bodyInput("u", map[string]Value{"ttl": S("86400000"), "timestamp": S("1764000000000")}),
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}","x-ably-clientId":"u"}`},
		{"kid overridden by the config", ablyConfig(func(c *Config) { c.Header = map[string]string{"kid": "APP.other"} }), Input{User: "u"},
			`{"iat":1764000000,"exp":1764003600,"x-ably-capability":"{\"chat:*\":[\"publish\",\"subscribe\"]}","x-ably-clientId":"u"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := ablyHeader
			if tc.cfg.Header["kid"] != "" {
				header = `{"alg":"HS256","typ":"JWT","kid":"APP.other"}`
			}
			m := golden(t, compile(t, "ably", tc.cfg), tc.in, header, tc.want)
			if want := tc.cfg.Header["kid"]; want != "" && m.KID != want || want == "" && m.KID != ablyKeyName {
				t.Errorf("Minted.KID = %q", m.KID)
			}
		})
	}
}

func TestAblyRefusals(t *testing.T) {
	authed := compile(t, "ably", ablyConfig(nil))
	anon := compile(t, "ably", ablyConfig(func(c *Config) { c.Anonymous = true }))
	wildcard := compile(t, "ably", ablyConfig(func(c *Config) { c.Claims["x-ably-clientId"] = []string{"*"} }))
	if p, _ := Lookup("ably"); true {
		cfg := ablyConfig(func(c *Config) { c.Key = ablyKeyName + ":EVKVTCBlzLBPYJiCZTsIW" })
		cfg.Signer = mustHMAC(t, "HS256", testSecret)
		if _, err := Compile(p, cfg); err == nil || strings.Contains(err.Error(), "EVKVTCBlzLBPYJiCZTsIW") {
			t.Errorf("a key holding its secret: Compile error %v, want a refusal that does not echo it", err)
		}
	}
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", authed, bodyInput("", nil), http.StatusUnauthorized, ""},
		{"clientId of another user", authed, bodyInput("alice", map[string]Value{"clientId": S("mallory")}), http.StatusForbidden, "clientId"},
		{"clientId wildcard from an anonymous request", anon, bodyInput("", map[string]Value{"clientId": S("*")}), http.StatusForbidden, "clientId"},
		{"user named *", authed, Input{User: "*"}, http.StatusForbidden, "x-ably-clientId"},
		{"wildcard in the config", wildcard, Input{User: "alice"}, http.StatusForbidden, "x-ably-clientId"},
		{"clientId with a control character", anon, bodyInput("", map[string]Value{"clientId": S("a\nb")}), http.StatusBadRequest, "clientId"},
		{"clientId of 257 characters", anon, bodyInput("", map[string]Value{"clientId": S(strings.Repeat("c", 257))}), http.StatusBadRequest, "clientId"},
		{"capability other than the configured one", authed,
			bodyInput("alice", map[string]Value{"capability": S(`{"*":["*"]}`)}), http.StatusForbidden, "capability"},
		{"capability not JSON", authed, bodyInput("alice", map[string]Value{"capability": S(`publish`)}), http.StatusBadRequest, "capability"},
		{"capability a JSON array", authed, bodyInput("alice", map[string]Value{"capability": S(`["publish"]`)}), http.StatusBadRequest, "capability"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
}

func TestAblyEnvelope(t *testing.T) {
	tmpl := compile(t, "ably", ablyConfig(nil))
	m, err := tmpl.Mint(now, Input{User: "alice"})
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	body, status, ctype := tmpl.Preset().Answer(nil, &m)
	if string(body) != m.Token || status != http.StatusOK || ctype != "text/plain; charset=utf-8" {
		t.Errorf("answer: got %d %s %q, want 200 text/plain; charset=utf-8 and the bare token", status, ctype, body)
	}
	_, e := tmpl.Mint(now, bodyInput("alice", map[string]Value{"clientId": S("mallory")}))
	if e == nil {
		t.Fatal("Mint succeeded, want a refusal")
	}
	body, status, ctype = tmpl.Preset().Refuse(nil, e)
	if want := "forbidden: clientId: cannot be chosen by the request"; string(body) != want || status != http.StatusForbidden || ctype != "text/plain; charset=utf-8" {
		t.Errorf("refusal: got %d %s %q, want 403 text/plain %q", status, ctype, body, want)
	}
}

func TestAblyConfig(t *testing.T) {
	p, err := Lookup("ably")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	capability := map[string][]string{"x-ably-capability": {ablyCap}}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // "" when it compiles, else a part of the error
	}{
		{"key and capability", Config{Key: ablyKeyName, Signer: s, Claims: capability}, ""},
		{"no key: no kid", Config{Signer: s, Claims: capability}, "needs `key <value>` (it fills the header's kid)"},
		{"no capability", Config{Key: ablyKeyName, Signer: s}, "x-ably-capability"},
		{"capability not JSON", Config{Key: ablyKeyName, Signer: s, Claims: map[string][]string{"x-ably-capability": {"publish"}}}, "x-ably-capability"},
		{"capability an array", Config{Key: ablyKeyName, Signer: s, Claims: map[string][]string{"x-ably-capability": {`["*"]`}}}, "JSON object"},
		{"ttl 25h", Config{Key: ablyKeyName, Signer: s, Claims: capability, TTL: 25 * time.Hour}, "maximum"},
		{"HS512", Config{Key: ablyKeyName, Signer: mustHMAC(t, "HS512", testSecret), Claims: capability}, "HS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, tc.cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Compile: %v, want success", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Compile: got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
