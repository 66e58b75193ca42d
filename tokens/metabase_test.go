package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const metabaseSite = "https://metabase.example.com"

func metabaseConfig(over func(*Config)) Config {
	cfg := Config{Anonymous: true,
		Claims:  map[string][]string{"resource.dashboard": {"2"}},
		Options: map[string]string{"site_url": metabaseSite}}
	return withConfig(cfg, over)
}

func TestMetabaseGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string
	}{
		{"dashboard, no locked params, default ttl 10m", metabaseConfig(nil), Input{},
			`{"resource":{"dashboard":2},"params":{},"iat":1764000000,"exp":1764000600}`},
		{"the docs' example: a locked param", metabaseConfig(func(c *Config) {
			c.Claims["params"] = []string{`{"organization_id": 17}`}
		}), Input{},
			`{"resource":{"dashboard":2},"params":{"organization_id":17},"iat":1764000000,"exp":1764000600}`},
		{"question", metabaseConfig(func(c *Config) {
			c.Claims = map[string][]string{"resource.question": {"7"}}
			c.Options["resource"] = "question"
		}), Input{},
			`{"resource":{"question":7},"params":{},"iat":1764000000,"exp":1764000600}`},
		{"params from one placeholder", metabaseConfig(func(c *Config) {
			c.Claims["params"] = []string{"{params}"}
		}), Input{Request: &fakeRequest{vars: map[string]string{"params": `{"tenant":["a","b"]}`}}},
			`{"resource":{"dashboard":2},"params":{"tenant":["a","b"]},"iat":1764000000,"exp":1764000600}`},
		{"dashboard id from a placeholder", metabaseConfig(func(c *Config) {
			c.Claims["resource.dashboard"] = []string{"{id}"}
		}), Input{Request: &fakeRequest{vars: map[string]string{"id": "12"}}},
			`{"resource":{"dashboard":12},"params":{},"iat":1764000000,"exp":1764000600}`},
		{"ttl 1h", metabaseConfig(func(c *Config) { c.TTL = time.Hour }), Input{},
			`{"resource":{"dashboard":2},"params":{},"iat":1764000000,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, compile(t, "metabase", tc.cfg), tc.in, hs256Header, tc.want)
		})
	}
}

func TestMetabaseEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name     string
		options  map[string]string
		claims   map[string][]string
		status   int
		body     string // with TOKEN for the token; & is \u0026, as encoding/json writes it
		location string
	}{
		{"json (default)", nil, nil, http.StatusOK,
			`{"token":"TOKEN","url":"https://metabase.example.com/embed/dashboard/TOKEN#bordered=true\u0026titled=true"}`, ""},
		{"url", map[string]string{"answer": "url"}, nil, http.StatusOK,
			`{"url":"https://metabase.example.com/embed/dashboard/TOKEN#bordered=true\u0026titled=true"}`, ""},
		{"redirect", map[string]string{"answer": "redirect"}, nil, http.StatusFound,
			`{"url":"https://metabase.example.com/embed/dashboard/TOKEN#bordered=true\u0026titled=true"}`,
			"https://metabase.example.com/embed/dashboard/TOKEN#bordered=true&titled=true"},
		{"question, own hash, site_url with a slash", map[string]string{"resource": "question", "hash": "#refresh=60", "site_url": metabaseSite + "/"},
			map[string][]string{"resource.question": {"7"}}, http.StatusOK,
			`{"token":"TOKEN","url":"https://metabase.example.com/embed/question/TOKEN#refresh=60"}`, ""},
		{"site_url with a path", map[string]string{"site_url": "https://example.com/metabase", "answer": "url"}, nil, http.StatusOK,
			`{"url":"https://example.com/metabase/embed/dashboard/TOKEN#bordered=true\u0026titled=true"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "metabase", metabaseConfig(func(c *Config) {
				for k, v := range tc.options {
					c.Options[k] = v
				}
				if tc.claims != nil {
					c.Claims = tc.claims
				}
			}))
			m, err := tmpl.Mint(now, Input{})
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			wantAnswer(t, tmpl, &m, tc.status, "application/json", strings.ReplaceAll(tc.body, "TOKEN", m.Token))
			hdr := http.Header{}
			tmpl.Preset().Envelope.Headers(&m, hdr.Set)
			if want := strings.ReplaceAll(tc.location, "TOKEN", m.Token); hdr.Get("Location") != want || len(hdr) > 1 {
				t.Errorf("headers: got %v, want Location %q only", hdr, want)
			}
		})
	}
}

func TestMetabaseRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		in     Input
		status int
		field  string
	}{
		{"placeholder id not a number", metabaseConfig(func(c *Config) { c.Claims["resource.dashboard"] = []string{"{id}"} }),
			Input{Request: &fakeRequest{vars: map[string]string{"id": "x"}}}, http.StatusBadRequest, "resource.dashboard"},
		{"placeholder id empty", metabaseConfig(func(c *Config) { c.Claims["resource.dashboard"] = []string{"{id}"} }),
			Input{Request: &fakeRequest{}}, http.StatusBadRequest, "resource.dashboard"},
		{"placeholder params not an object", metabaseConfig(func(c *Config) { c.Claims["params"] = []string{"{p}"} }),
			Input{Request: &fakeRequest{vars: map[string]string{"p": "[1]"}}}, http.StatusBadRequest, "params"},
		{"placeholder params empty", metabaseConfig(func(c *Config) { c.Claims["params"] = []string{"{p}"} }),
			Input{Request: &fakeRequest{}}, http.StatusBadRequest, "params"},
		{"a user is needed unless anonymous", metabaseConfig(func(c *Config) { c.Anonymous = false }), Input{},
			http.StatusUnauthorized, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, compile(t, "metabase", tc.cfg), tc.in, tc.status, tc.field)
		})
	}
}

// TestMetabaseConfigChecks: configs the preset's Check refuses at load.
func TestMetabaseConfigChecks(t *testing.T) {
	p, _ := Lookup("metabase")
	for name, cfg := range map[string]Config{
		"no resource claim": metabaseConfig(func(c *Config) { c.Claims = nil }),
		"question claim with option resource dashboard": metabaseConfig(func(c *Config) {
			c.Claims = map[string][]string{"resource.question": {"7"}}
		}),
		"both claims":        metabaseConfig(func(c *Config) { c.Claims["resource.question"] = []string{"7"} }),
		"site_url not a URL": metabaseConfig(func(c *Config) { c.Options["site_url"] = "metabase.example.com" }),
	} {
		cfg.Signer = mustHMAC(t, "HS256", testSecret)
		if _, err := Compile(p, cfg); err == nil {
			t.Errorf("%s: Compile succeeded, want an error", name)
		}
	}
}

func TestMetabaseConfig(t *testing.T) {
	p, err := Lookup("metabase")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	dash := map[string][]string{"resource.dashboard": {"2"}}
	site := map[string]string{"site_url": metabaseSite}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // "" when it compiles, else a part of the error
	}{
		{"site_url and a dashboard", Config{Signer: s, Claims: dash, Options: site}, ""},
		{"no site_url", Config{Signer: s, Claims: dash}, "option site_url"},
		{"answer unknown", Config{Signer: s, Claims: dash, Options: map[string]string{"site_url": metabaseSite, "answer": "html"}}, "option answer"},
		{"resource unknown", Config{Signer: s, Claims: dash, Options: map[string]string{"site_url": metabaseSite, "resource": "card"}}, "option resource"},
		{"unknown option", Config{Signer: s, Claims: dash, Options: map[string]string{"site_url": metabaseSite, "theme": "night"}}, "no option"},
		{"id 0", Config{Signer: s, Claims: map[string][]string{"resource.dashboard": {"0"}}, Options: site}, "resource.dashboard"},
		{"id not a number", Config{Signer: s, Claims: map[string][]string{"resource.dashboard": {"abc"}}, Options: site}, "resource.dashboard"},
		{"resource as a whole", Config{Signer: s, Claims: map[string][]string{"resource": {`{"dashboard":2}`}}, Options: site}, `no claim "resource"`},
		{"params not an object", Config{Signer: s, Claims: map[string][]string{"resource.dashboard": {"2"}, "params": {"[1]"}}, Options: site}, "params"},
		{"params member", Config{Signer: s, Claims: map[string][]string{"resource.dashboard": {"2"}, "params.org": {"17"}}, Options: site}, "no claim"},
		{"ttl 25h", Config{Signer: s, Claims: dash, Options: site, TTL: 25 * time.Hour}, "maximum"},
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
