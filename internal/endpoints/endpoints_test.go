package endpoints

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/tokenmint/caddy-tokenmint/caddymodule"
)

func load(t *testing.T) *File {
	t.Helper()
	f, err := Load("../../demo/endpoints.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// route is a provider_token handler of the demo site and the paths that
// lead to it.
type route struct {
	paths  []string
	preset string
}

// demoRoutes adapts Caddyfile.example and lists the provider_token routes
// of the site on port (the demo site).
func demoRoutes(t *testing.T, port string) []route {
	t.Helper()
	text, err := os.ReadFile("../../Caddyfile.example")
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt(text, map[string]any{"filename": "Caddyfile.example"})
	if err != nil {
		t.Fatalf("adapting Caddyfile.example: %v", err)
	}
	var cfg struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Listen []string `json:"listen"`
					Routes []any    `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	var routes []route
	found := false
	for _, srv := range cfg.Apps.HTTP.Servers {
		if len(srv.Listen) != 1 || srv.Listen[0] != ":"+port {
			continue
		}
		found = true
		walk(srv.Routes, nil, &routes)
	}
	if !found {
		t.Fatalf("Caddyfile.example has no server on :%s", port)
	}
	return routes
}

// walk collects provider_token handlers in routes (and subroutes), each
// with the nearest path matcher above it.
func walk(routes []any, paths []string, out *[]route) {
	for _, r := range routes {
		r, _ := r.(map[string]any)
		p := paths
		if sets, ok := r["match"].([]any); ok {
			var own []string
			for _, set := range sets {
				set, _ := set.(map[string]any)
				own = append(own, asList(set["path"])...)
			}
			if len(own) > 0 {
				p = own
			}
		}
		handlers, _ := r["handle"].([]any)
		for _, h := range handlers {
			h, _ := h.(map[string]any)
			switch h["handler"] {
			case "provider_token":
				preset, _ := h["preset"].(string)
				*out = append(*out, route{paths: p, preset: preset})
			case "subroute":
				sub, _ := h["routes"].([]any)
				walk(sub, p, out)
			}
		}
	}
}

func asList(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// matches tells whether Caddy's path matcher for paths takes target (a
// path with its query, as the entries write it).
func matches(t *testing.T, paths []string, target string) bool {
	t.Helper()
	m := caddyhttp.MatchPath(append([]string(nil), paths...))
	if err := m.Provision(caddy.Context{Context: context.Background()}); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", strings.Split(target, "{{")[0], nil)
	repl := caddy.NewReplacer()
	req = req.WithContext(context.WithValue(req.Context(), caddy.ReplacerCtxKey, repl))
	ok, err := m.MatchWithError(req)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestEveryRouteHasAnEntry keeps endpoints.json and Caddyfile.example in
// step: each provider_token route of the demo site is called by an entry
// of the same preset (or listed under elsewhere), and each entry's path
// reaches a route of its preset.
func TestEveryRouteHasAnEntry(t *testing.T) {
	demoEnv(t)
	t.Setenv("TOKENMINT_PORT", "8080")
	f := load(t)
	routes := demoRoutes(t, "8080")
	if len(routes) < len(f.Endpoints())/2 {
		t.Fatalf("only %d provider_token routes found in Caddyfile.example: the walk is broken", len(routes))
	}
	for _, r := range routes {
		called := false
		for _, e := range f.Endpoints() {
			if e.Preset == r.preset && matches(t, r.paths, e.Path) {
				called = true
			}
		}
		for _, x := range f.Elsewhere {
			if matches(t, r.paths, x.Path) {
				called = true
			}
		}
		if !called {
			t.Errorf("Caddyfile.example's route %v (provider_token %s) has no entry in demo/endpoints.json: add one (demo/README.md)", r.paths, r.preset)
		}
	}
	for _, e := range f.Endpoints() {
		var presets []string
		for _, r := range routes {
			if matches(t, r.paths, e.Path) {
				presets = append(presets, r.preset)
			}
		}
		if len(presets) == 0 {
			t.Errorf("endpoint %s: no provider_token route of Caddyfile.example serves %s", e.ID, e.Path)
		} else if !strings.Contains(" "+strings.Join(presets, " ")+" ", " "+e.Preset+" ") {
			t.Errorf("endpoint %s: %s is served by provider_token %v, but the entry says preset %q", e.ID, e.Path, presets, e.Preset)
		}
	}
	for _, x := range f.Elsewhere {
		found := false
		for _, r := range routes {
			found = found || matches(t, r.paths, x.Path)
		}
		if !found {
			t.Errorf("elsewhere %s: no provider_token route of Caddyfile.example serves it", x.Path)
		}
	}
}

// demoEnv reads the variables demo/demo.env exports (values as written,
// unexpanded) and sets them for the test, as ./xcaddy.sh run does.
func demoEnv(t *testing.T) map[string]string {
	t.Helper()
	env, err := os.Open("../../demo/demo.env")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := map[string]string{}
	export := regexp.MustCompile(`^export ([A-Z][A-Z0-9_]*)=(.*)$`)
	sc := bufio.NewScanner(env)
	for sc.Scan() {
		if m := export.FindStringSubmatch(sc.Text()); m != nil {
			vars[m[1]] = m[2]
			t.Setenv(m[1], m[2])
		}
	}
	return vars
}

// TestVariablesAreInDemoEnv: every secret and key an entry verifies with is
// defined in demo/demo.env, which the checkers source.
func TestVariablesAreInDemoEnv(t *testing.T) {
	defined := demoEnv(t)
	for _, e := range load(t).Endpoints() {
		for _, name := range []string{e.Secret, e.Key} {
			if _, ok := defined[name]; name != "" && !ok {
				t.Errorf("endpoint %s: %s is not exported by demo/demo.env", e.ID, name)
			}
		}
	}
}

func TestParseRefuses(t *testing.T) {
	const good = `{"id":"x","preset":"jwt","title":"T","about":"A","method":"GET","path":"/x","status":200,"token":"json:token","alg":"HS256","secret":"S"}`
	wrap := func(e string) string { return `{"groups":[{"id":"g","title":"G","endpoints":[` + e + `]}]}` }
	if _, err := Parse([]byte(wrap(good))); err != nil {
		t.Fatalf("a good file: %v", err)
	}
	edit := func(from, to string) string { return wrap(strings.Replace(good, from, to, 1)) }
	for _, tc := range []struct{ name, file, want string }{
		{"unknown field", edit(`"id":"x"`, `"id":"x","tokn":"json:token"`), `unknown field "tokn"`},
		{"bad token place", edit(`json:token`, `header:X`), `token "header:X"`},
		{"HS without secret", edit(`,"secret":"S"`, ``), "name the HMAC secret"},
		{"RS with a secret", edit(`HS256`, `RS256`), "private key's file in key"},
		{"unknown alg", edit(`HS256`, `none`), `alg "none"`},
		{"unknown placeholder", edit(`"/x"`, `"/x?u={{usr}}"`), "unknown placeholder {{usr}}"},
		{"placeholder in claims", edit(`"secret":"S"`, `"secret":"S","claims":{"sub":"{{who}}"}`), "unknown placeholder {{who}}"},
		{"GET with a body", edit(`"status"`, `"body":"x","status"`), "a GET has no body"},
		{"body without type", edit(`"GET"`, `"POST","body":"{}"`), "needs a Content-Type"},
		{"no status", edit(`"status":200,`, ``), "status 0"},
		{"duplicate id", wrap(good + "," + good), `endpoint id "x" is used twice`},
		{"relative path", edit(`"/x"`, `"x"`), `path "x"`},
		{"empty group", `{"groups":[{"id":"g","title":"G","endpoints":[]}]}`, "no endpoints"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestCurlLine(t *testing.T) {
	f := load(t)
	byID := map[string]Endpoint{}
	for _, e := range f.Endpoints() {
		byID[e.ID] = e
	}
	vars := map[string]string{"user": `o'neil "x"`, "sid": "s1", "databridges_app_key": "k"}
	for _, tc := range []struct{ id, want string }{
		{"hms_management", `curl -u demo:pw -X POST http://localhost:18080/hms/management-token`},
		{"videosdk", `curl -u demo:pw 'http://localhost:18080/videosdk/get-token?roomId=2kyv-gzay-64pg&peerId=o'\''neil%20%22x%22'`},
		{"databridges", `curl -u demo:pw -X POST http://localhost:18080/databridges/token -H 'Accept: application.json' -H 'Content-Type: application/json' -d '{"ch":"prs:lobby","sid":"s1","dbappkey":"k","act":"channel.subscribe"}'`},
		{"mercure", `curl -u demo:pw -i http://localhost:18080/mercure/login`},
	} {
		e, ok := byID[tc.id]
		if !ok {
			t.Fatalf("no endpoint %s", tc.id)
		}
		got, err := e.CurlLine("http://localhost:18080", "demo:pw", vars)
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", tc.id, got, err, tc.want)
		}
	}
	// A JSON body gets the value as JSON string content.
	e := Endpoint{ID: "j", Method: "POST", Path: "/j", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"u":"{{user}}"}`}
	if _, _, body, _ := e.Fill(vars); body != `{"u":"o'neil \"x\""}` {
		t.Errorf("JSON body: got %s", body)
	}
	if _, _, _, err := e.Fill(map[string]string{}); err == nil || !strings.Contains(err.Error(), "no value for {{user}}") {
		t.Errorf("a missing value: got %v", err)
	}
}
