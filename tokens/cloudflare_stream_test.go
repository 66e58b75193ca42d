package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	cfKID   = "f6bce2bad0a24b4b92a0c1a0f0c6f8de"
	cfVideo = "ea95132c15732412d22c1476fa83f27a"
)

func cfConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(Config{Key: cfKID, Signer: mustAsym(t, "RS256", testRSAKey()),
		Claims: map[string][]string{"sub": {cfVideo}}}, over)
}

// TestCloudflareStreamGolden: the Worker sample's header (no typ) and
// claims (sub, kid, exp, accessRules), byte for byte.
func TestCloudflareStreamGolden(t *testing.T) {
	const header = `{"alg":"RS256","kid":"` + cfKID + `"}`
	const rules = `[{"type":"ip.geoip.country","action":"allow","country":["GB"]},{"type":"any","action":"block"}]`
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		want   string
	}{
		{"the docs' example", cfConfig(t, func(c *Config) { c.Claims["accessRules"] = []string{rules} }), nil,
			`{"sub":"` + cfVideo + `","kid":"` + cfKID + `","exp":1764003600,"accessRules":` + rules + `}`},
		{"downloadable, an IP rule, 24h", cfConfig(t, func(c *Config) {
			c.Claims["downloadable"] = []string{"true"}
			c.Claims["accessRules"] = []string{`[{"type":"ip.src","ip":["93.184.216.0/24","2001:db8::1"],"action":"allow"},{"type":"any","action":"block"}]`}
			c.TTL = 24 * time.Hour
		}), nil, `{"sub":"` + cfVideo + `","kid":"` + cfKID + `","exp":1764086400,"downloadable":true,` +
			`"accessRules":[{"type":"ip.src","ip":["93.184.216.0/24","2001:db8::1"],"action":"allow"},{"type":"any","action":"block"}]}`},
		{"an allowed video from the request", cfConfig(t, func(c *Config) {
			c.Allow = map[string][]string{"sub": {cfVideo, "0123abcd"}}
		}), map[string]Value{"uid": S("0123abcd")}, `{"sub":"0123abcd","kid":"` + cfKID + `","exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "cloudflare_stream", tc.cfg)
			m := goldenKey(t, tmpl, bodyInput("alice", tc.params), testRSAKey().Public(), header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			if h := strings.Split(m.Token, ".")[0]; h != "eyJhbGciOiJSUzI1NiIsImtpZCI6ImY2YmNlMmJhZDBhMjRiNGI5MmEwYzFhMGYwYzZmOGRlIn0" {
				t.Errorf("header segment %s, want the sample's {\"alg\":\"RS256\",\"kid\":...}", h)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
	tmpl := compile(t, "cloudflare_stream", cfConfig(t, func(c *Config) { c.Options = map[string]string{"customer_code": "f33zs165nr7gyfy4"} }))
	m, err := tmpl.Mint(now, bodyInput("alice", nil))
	if err != nil {
		t.Fatal(err)
	}
	u := "https://customer-f33zs165nr7gyfy4.cloudflarestream.com/" + m.Token
	wantAnswer(t, tmpl, &m, 200, "application/json",
		`{"token":"`+m.Token+`","iframe_url":"`+u+`/iframe","hls_url":"`+u+`/manifest/video.m3u8"}`)
}

func TestCloudflareStreamRefusals(t *testing.T) {
	tmpl := compile(t, "cloudflare_stream", cfConfig(t, nil))
	refusal(t, tmpl, bodyInput("", nil), http.StatusUnauthorized, "")
	refusal(t, tmpl, bodyInput("u", map[string]Value{"uid": S("0123abcd")}), http.StatusForbidden, "uid")
	refusal(t, tmpl, bodyInput("u", map[string]Value{"uid": S("../x")}), http.StatusBadRequest, "uid")

	p, _ := Lookup("cloudflare_stream")
	rules := func(r string) Config { return cfConfig(t, func(c *Config) { c.Claims["accessRules"] = []string{r} }) }
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no video", cfConfig(t, func(c *Config) { c.Claims = nil }), "needs `claim sub <value>`"},
		{"no key id", cfConfig(t, func(c *Config) { c.Key = "" }), "needs `key <value>`"},
		{"ttl above 24h", cfConfig(t, func(c *Config) { c.TTL = 25 * time.Hour }), "maximum"},
		{"rules not an array", rules(`{"type":"any","action":"block"}`), "accessRules must be a JSON array"},
		{"six rules", rules(`[` + strings.Repeat(`{"type":"any","action":"block"},`, 5) + `{"type":"any","action":"block"}]`), "at most 5"},
		{"an unknown action", rules(`[{"type":"any","action":"deny"}]`), "accessRules must be"},
		{"an unknown member", rules(`[{"type":"any","action":"block","note":"x"}]`), "accessRules must be"},
		{"a country rule without countries", rules(`[{"type":"ip.geoip.country","action":"allow"}]`), "needs a country list"},
		{"a lower-case country", rules(`[{"type":"ip.geoip.country","action":"allow","country":["gb"]}]`), "ISO 3166-1 alpha-2"},
		{"a bad address", rules(`[{"type":"ip.src","action":"allow","ip":["1.2.3.4/40"]}]`), "addresses or CIDRs"},
		{"a customer code with a slash", cfConfig(t, func(c *Config) { c.Options = map[string]string{"customer_code": "a/b"} }), "option customer_code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
