package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const testSupersetDashboard = "5f0e7c3a-2b1d-4e8f-9a6b-1c2d3e4f5a6b"

func supersetConfig(over func(*Config)) Config {
	return withConfig(Config{Claims: map[string][]string{
		"resources": {testSupersetDashboard}, "aud": {"https://superset.example.com/"}}}, over)
}

func TestSupersetGuestGolden(t *testing.T) {
	const dash = `[{"type":"dashboard","id":"` + testSupersetDashboard + `"}]`
	const tail = `"iat":1764000000,"exp":1764000300,"aud":"https://superset.example.com/","type":"guest"}`
	for _, tc := range []struct {
		name   string
		cfg    Config
		user   string
		params map[string]Value
		want   string // the payload, byte for byte
	}{
		{"defaults: the user, one dashboard, no RLS", supersetConfig(nil), "alice", nil,
			`{"user":{"username":"alice"},"resources":` + dash + `,"rls_rules":[],` + tail},
		{"the docs' example", supersetConfig(func(c *Config) {
			c.Claims["user.first_name"] = []string{"Alice"}
			c.Claims["user.last_name"] = []string{"Smith"}
			c.Claims["rls_rules"] = []string{`[{"clause": "tenant_id = 42"}]`}
		}), "alice", nil,
			`{"user":{"username":"alice","first_name":"Alice","last_name":"Smith"},"resources":` + dash +
				`,"rls_rules":[{"clause":"tenant_id = 42"}],` + tail},
		{"Superset's array, mixed ids, an RLS rule per dataset, attributes", supersetConfig(func(c *Config) {
			c.Claims["resources"] = []string{`[{"type":"dashboard","id":12}, "ABC-def"]`}
			c.Claims["rls_rules"] = []string{`[{"dataset":7,"clause":"region = 'EU'"},{"dataset":"8","clause":"1 = 0"}]`}
			c.Claims["user.attributes"] = []string{`{"tenant":"acme"}`}
			c.TTL = time.Hour
		}), "alice", nil,
			`{"user":{"username":"alice","attributes":{"tenant":"acme"}},"resources":[{"type":"dashboard","id":"12"},{"type":"dashboard","id":"abc-def"}],` +
				`"rls_rules":[{"dataset":7,"clause":"region = 'EU'"},{"dataset":"8","clause":"1 = 0"}],"iat":1764000000,"exp":1764003600,` +
				`"aud":"https://superset.example.com/","type":"guest"}`},
		{"a request's dashboard_id within allow", supersetConfig(func(c *Config) {
			c.Allow = map[string][]string{"resources": {testSupersetDashboard, "other-dashboard"}}
		}), "alice", map[string]Value{"dashboard_id": S("Other-Dashboard")},
			`{"user":{"username":"alice"},"resources":[{"type":"dashboard","id":"other-dashboard"}],"rls_rules":[],` + tail},
		{"anonymous: the user object stays", supersetConfig(func(c *Config) { c.Anonymous = true }), "", nil,
			`{"user":{},"resources":` + dash + `,"rls_rules":[],` + tail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "superset_guest", tc.cfg)
			m := golden(t, tmpl, bodyInput(tc.user, tc.params), hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestSupersetGuestAnswer(t *testing.T) {
	for _, answer := range []string{"json", "text"} {
		tmpl := compile(t, "superset_guest", supersetConfig(func(c *Config) { c.Options = map[string]string{"answer": answer} }))
		m, err := tmpl.Mint(now, bodyInput("alice", nil))
		if err != nil {
			t.Fatal(err)
		}
		if answer == "json" {
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		} else {
			wantAnswer(t, tmpl, &m, 200, "text/plain; charset=utf-8", m.Token)
		}
	}
}

func TestSupersetGuestRefusals(t *testing.T) {
	allowed := compile(t, "superset_guest", supersetConfig(func(c *Config) {
		c.Allow = map[string][]string{"resources": {testSupersetDashboard, "12"}}
	}))
	pinned := compile(t, "superset_guest", supersetConfig(nil))
	dyn := compile(t, "superset_guest", supersetConfig(func(c *Config) { c.Claims["rls_rules"] = []string{"{rls}"} }))
	rls := func(v string) Input {
		return Input{User: "alice", Request: &fakeRequest{vars: map[string]string{"rls": v}}}
	}
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", pinned, bodyInput("", nil), http.StatusUnauthorized, ""},
		{"a dashboard outside allow", allowed, bodyInput("alice", map[string]Value{"dashboard_id": S("13")}), http.StatusForbidden, "dashboard_id"},
		{"two dashboards at once", allowed, bodyInput("alice", map[string]Value{"dashboard_id": L(testSupersetDashboard, "12")}), http.StatusForbidden, "dashboard_id"},
		{"another dashboard than the pinned one", pinned, bodyInput("alice", map[string]Value{"dashboard_id": S("12")}), http.StatusForbidden, "dashboard_id"},
		{"a dashboard id with a quote", allowed, bodyInput("alice", map[string]Value{"dashboard_id": S(`12"`)}), http.StatusBadRequest, "dashboard_id"},
		{"a resource of another type", allowed, bodyInput("alice", map[string]Value{"dashboard_id": {Kind: Raw, Str: `[{"type":"chart","id":"12"}]`}}),
			http.StatusBadRequest, "dashboard_id"},
		{"rls_rules not an array", dyn, rls(`{"clause":"1=1"}`), http.StatusBadRequest, "rls_rules"},
		{"a rule without clause", dyn, rls(`[{"dataset":1}]`), http.StatusBadRequest, "rls_rules"},
		{"a rule with an unknown member", dyn, rls(`[{"clause":"1=1","rls":"x"}]`), http.StatusBadRequest, "rls_rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
	if _, err := allowed.Mint(now, bodyInput("alice", map[string]Value{"dashboard_id": S("12")})); err != nil {
		t.Errorf("an allowed dashboard: %v", err)
	}
}

func TestSupersetGuestConfigErrors(t *testing.T) {
	p, err := Lookup("superset_guest")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		cfg        Config
	}{
		{"no dashboard", "claim resources", supersetConfig(func(c *Config) { delete(c.Claims, "resources") })},
		{"no audience", "claim aud", supersetConfig(func(c *Config) { delete(c.Claims, "aud") })},
		{"type set", "fixed by the provider", supersetConfig(func(c *Config) { c.Claims["type"] = []string{"admin"} })},
		{"rls_rules as the REST body's rls", "rls_rules", supersetConfig(func(c *Config) { c.Claims["rls_rules"] = []string{`{"rls":[]}`} })},
		{"RS256", "signed with", supersetConfig(func(c *Config) { c.Signer = mustAsym(t, "RS256", testRSAKey()) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Signer == nil {
				tc.cfg.Signer = mustHMAC(t, "HS256", testSecret)
			}
			_, err := Compile(p, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
