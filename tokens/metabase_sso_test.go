package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func metabaseSSOConfig(over func(*Config)) Config {
	return withConfig(Config{Options: map[string]string{"site_url": "https://metabase.example.com"}}, over)
}

func TestMetabaseSSOGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		user string
		want string // the payload, byte for byte
	}{
		{"the session's user as email", metabaseSSOConfig(nil), "alice@example.com",
			`{"email":"alice@example.com","iat":1764000000,"exp":1764000600}`},
		{"the docs' example: names, groups, a login attribute", metabaseSSOConfig(func(c *Config) {
			c.Claims = map[string][]string{"first_name": {"Alice"}, "last_name": {"Smith"}, "groups": {"Customer-Acme"}, "account_id": {"acme"}}
		}), "alice@example.com",
			`{"email":"alice@example.com","first_name":"Alice","last_name":"Smith","groups":["Customer-Acme"],"iat":1764000000,"exp":1764000600,"account_id":"acme"}`},
		{"email from a trusted placeholder, a tenant, 3 minutes", metabaseSSOConfig(func(c *Config) {
			c.Claims = map[string][]string{"email": {"{email}"}, "@tenant": {"acme"}}
			c.TTL = 3 * time.Minute
		}), "alice",
			`{"email":"alice@example.com","@tenant":"acme","iat":1764000000,"exp":1764000180}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "metabase_sso", tc.cfg)
			in := Input{User: tc.user, Contract: true, Request: &fakeRequest{vars: map[string]string{"email": "alice@example.com"},
				params: map[string]Value{"response": S("json"), "email": S("mallory@example.com"), "groups": S("Administrators")}}}
			m := golden(t, tmpl, in, hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestMetabaseSSOAnswer: the SDK's ?response=json gets {"jwt"}; a browser
// sent by full-app embedding gets a 302 to /auth/sso with its return_to.
func TestMetabaseSSOAnswer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		site     string
		params   map[string]Value
		status   int
		body     string // TOKEN for the token
		location string
	}{
		{"the SDK", "https://metabase.example.com", map[string]Value{"response": S("json")}, http.StatusOK, `{"jwt":"TOKEN"}`, ""},
		{"full-app embedding, return_to", "https://metabase.example.com/", map[string]Value{"return_to": S("/dashboard/1?tab=2&x=a b")},
			http.StatusFound, `{"url":"https://metabase.example.com/auth/sso?jwt=TOKEN\u0026return_to=%2Fdashboard%2F1%3Ftab%3D2%26x%3Da+b"}`,
			"https://metabase.example.com/auth/sso?jwt=TOKEN&return_to=%2Fdashboard%2F1%3Ftab%3D2%26x%3Da+b"},
		{"no field: a redirect to Metabase's home", "https://metabase.example.com/mb", nil,
			http.StatusFound, `{"url":"https://metabase.example.com/mb/auth/sso?jwt=TOKEN"}`, "https://metabase.example.com/mb/auth/sso?jwt=TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "metabase_sso", metabaseSSOConfig(func(c *Config) { c.Options["site_url"] = tc.site }))
			m, err := tmpl.Mint(now, bodyInput("alice@example.com", tc.params))
			if err != nil {
				t.Fatal(err)
			}
			wantAnswer(t, tmpl, &m, tc.status, "application/json", strings.ReplaceAll(tc.body, "TOKEN", m.Token))
			hdr := http.Header{}
			tmpl.Preset().Envelope.Headers(&m, hdr.Set)
			if want := strings.ReplaceAll(tc.location, "TOKEN", m.Token); hdr.Get("Location") != want {
				t.Errorf("Location %q, want %q", hdr.Get("Location"), want)
			}
		})
	}
}

// TestMetabaseSSOCachedAnswer: a token the cache hands out again answers
// with this request's fields, not the first one's.
func TestMetabaseSSOCachedAnswer(t *testing.T) {
	on := true
	tmpl := compile(t, "metabase_sso", metabaseSSOConfig(func(c *Config) { c.CacheTokens = &on }))
	first, err := tmpl.Mint(now, bodyInput("alice@example.com", map[string]Value{"response": S("json")}))
	if err != nil {
		t.Fatal(err)
	}
	second, err := tmpl.Mint(now.Add(time.Second), bodyInput("alice@example.com", map[string]Value{"return_to": S("/question/7")}))
	if err != nil {
		t.Fatal(err)
	}
	if second.Token != first.Token {
		t.Fatalf("the cache did not reuse the token")
	}
	wantAnswer(t, tmpl, &second, http.StatusFound, "",
		`{"url":"https://metabase.example.com/auth/sso?jwt=`+second.Token+`\u0026return_to=%2Fquestion%2F7"}`)
}

func TestMetabaseSSORefusals(t *testing.T) {
	tmpl := compile(t, "metabase_sso", metabaseSSOConfig(nil))
	for _, tc := range []struct {
		name   string
		user   string
		params map[string]Value
		status int
		field  string
	}{
		{"no user", "", nil, http.StatusUnauthorized, ""},
		{"a user that is no email", "alice", nil, http.StatusBadRequest, "email"},
		{"return_to another site", "alice@example.com", map[string]Value{"return_to": S("https://evil.example.com/")}, http.StatusBadRequest, "return_to"},
		{"return_to a protocol-relative URL", "alice@example.com", map[string]Value{"return_to": S("//evil.example.com/")}, http.StatusBadRequest, "return_to"},
		{"return_to with a backslash", "alice@example.com", map[string]Value{"return_to": S(`/\evil.example.com`)}, http.StatusBadRequest, "return_to"},
		{"return_to with a newline", "alice@example.com", map[string]Value{"return_to": S("/a\nb")}, http.StatusBadRequest, "return_to"},
		{"response other than json", "alice@example.com", map[string]Value{"response": S("xml")}, http.StatusBadRequest, "response"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tmpl, bodyInput(tc.user, tc.params), tc.status, tc.field)
		})
	}
}

func TestMetabaseSSOConfigErrors(t *testing.T) {
	p, err := Lookup("metabase_sso")
	if err != nil {
		t.Fatal(err)
	}
	hs := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no site_url", "site_url", Config{Signer: hs}},
		{"site_url not a URL", "site_url", metabaseSSOConfig(func(c *Config) { c.Options["site_url"] = "metabase" })},
		{"ttl above 10 minutes", "maximum", metabaseSSOConfig(func(c *Config) { c.TTL = 11 * time.Minute })},
		{"HS512", "signed with HS256", metabaseSSOConfig(func(c *Config) { c.Signer = mustHMAC(t, "HS512", testSecret) })},
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
