// Package endpoints reads demo/endpoints.json, the demo's list of requests
// (demo/README.md describes it): ./xcaddy.sh run prints it as curl lines
// (go run ./demo/endpoints), and its test keeps it and Caddyfile.example's
// routes in step. The page and the checks read the same file in
// JavaScript (demo/endpoints.mjs).
package endpoints

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
)

// File is demo/endpoints.json: the demo's requests, one per endpoint route
// of Caddyfile.example, grouped as the demo page shows them. demo/README.md
// documents every field.
type File struct {
	Groups []Group `json:"groups"`
	// Elsewhere lists provider_token routes of the demo site that the page
	// does not call, each with the reason.
	Elsewhere []Elsewhere `json:"elsewhere"`
}

// Group is a collapsible section of the demo page.
type Group struct {
	ID        string     `json:"id"`
	Title     string     `json:"title"`
	Endpoints []Endpoint `json:"endpoints"`
}

// Endpoint is one request and what its answer must hold.
type Endpoint struct {
	ID       string            `json:"id"`
	Preset   string            `json:"preset"`
	Title    string            `json:"title"`
	About    string            `json:"about"`
	Method   string            `json:"method"`
	Path     string            `json:"path"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
	Status   int               `json:"status"`
	Token    string            `json:"token"`
	Alg      string            `json:"alg"`
	Secret   string            `json:"secret"`
	Key      string            `json:"key"`
	Header   map[string]any    `json:"header"`
	Claims   map[string]any    `json:"claims"`
	Lifetime int               `json:"lifetime"`
	Answer   map[string]any    `json:"answer"`
}

// Elsewhere is a route that has no entry, and why.
type Elsewhere struct {
	Path string `json:"path"`
	Why  string `json:"why"`
}

// Vars are the values a request's {{name}} placeholders take: the page
// fills them from /demo/config.json (user, databridges_app_key) and its
// own origin (origin: http://localhost:8080 or the port the demo runs on),
// and makes a fresh sid per call.
var Vars = []string{"user", "sid", "databridges_app_key", "origin"}

var (
	placeholder = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
	idPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	tokenWhere  = regexp.MustCompile(`^(json:[^\s]+|text|cookie:[!#$%&'*+.^_` + "`" + `|~0-9A-Za-z-]+|echo)$`)
	envName     = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// Algorithms the checkers (demo/test/verify.mjs) verify, by key kind.
var algorithms = map[string]string{
	"HS256": "secret", "HS384": "secret", "HS512": "secret",
	"RS256": "key", "RS384": "key", "RS512": "key",
	"PS256": "key", "PS384": "key", "PS512": "key",
	"ES256": "key", "ES384": "key", "ES512": "key",
	"EdDSA": "key",
}

// Load reads and checks an endpoints file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Parse decodes an endpoints file strictly (an unknown field is a typo) and
// checks it.
func Parse(data []byte) (*File, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the JSON object")
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *File) check() error {
	if len(f.Groups) == 0 {
		return fmt.Errorf("no groups")
	}
	groups := map[string]bool{}
	ids := map[string]bool{}
	for gi, g := range f.Groups {
		where := fmt.Sprintf("groups[%d]", gi)
		if !idPattern.MatchString(g.ID) {
			return fmt.Errorf("%s: id %q: want lower-case letters, digits and _", where, g.ID)
		}
		if groups[g.ID] {
			return fmt.Errorf("%s: id %q is used twice", where, g.ID)
		}
		groups[g.ID] = true
		if g.Title == "" {
			return fmt.Errorf("group %s: no title", g.ID)
		}
		if len(g.Endpoints) == 0 {
			return fmt.Errorf("group %s: no endpoints", g.ID)
		}
		for _, e := range g.Endpoints {
			if ids[e.ID] {
				return fmt.Errorf("group %s: endpoint id %q is used twice", g.ID, e.ID)
			}
			ids[e.ID] = true
			if err := e.check(); err != nil {
				return fmt.Errorf("endpoint %s (group %s): %w", e.ID, g.ID, err)
			}
		}
	}
	for _, x := range f.Elsewhere {
		if !strings.HasPrefix(x.Path, "/") || x.Why == "" {
			return fmt.Errorf("elsewhere %q: want a path starting with / and a why", x.Path)
		}
	}
	return nil
}

func (e *Endpoint) check() error {
	switch {
	case !idPattern.MatchString(e.ID):
		return fmt.Errorf("id: want lower-case letters, digits and _")
	case e.Preset == "":
		return fmt.Errorf("no preset")
	case e.Title == "" || e.About == "":
		return fmt.Errorf("title and about are required")
	case !strings.HasPrefix(e.Path, "/"):
		return fmt.Errorf("path %q: must start with /", e.Path)
	case e.Status < 100 || e.Status > 599:
		return fmt.Errorf("status %d: want an HTTP status", e.Status)
	case !tokenWhere.MatchString(e.Token):
		return fmt.Errorf(`token %q: want "json:<member>[.<member>...]", "text", "cookie:<name>" or "echo"`, e.Token)
	case e.Lifetime < 0:
		return fmt.Errorf("lifetime %d: want seconds, or leave it out", e.Lifetime)
	}
	switch e.Method {
	case "GET", "DELETE":
		if e.Body != "" {
			return fmt.Errorf("a %s has no body", e.Method)
		}
	case "POST", "PUT", "PATCH":
	default:
		return fmt.Errorf("method %q: want GET, POST, PUT, PATCH or DELETE", e.Method)
	}
	if e.Body != "" && e.contentType() == "" {
		return fmt.Errorf("a body needs a Content-Type header")
	}
	kind, ok := algorithms[e.Alg]
	if !ok {
		return fmt.Errorf("alg %q: want one of %s", e.Alg, strings.Join(sortedKeys(algorithms), ", "))
	}
	switch {
	case kind == "secret" && (e.Secret == "" || e.Key != ""):
		return fmt.Errorf("%s: name the HMAC secret's variable in secret (and no key)", e.Alg)
	case kind == "key" && (e.Key == "" || e.Secret != ""):
		return fmt.Errorf("%s: name the variable that holds the private key's file in key (and no secret)", e.Alg)
	case e.Secret != "" && !envName.MatchString(e.Secret), e.Key != "" && !envName.MatchString(e.Key):
		return fmt.Errorf("secret/key must name an environment variable (demo/demo.env)")
	}
	texts := []string{e.Path, e.Body}
	for k, v := range e.Headers {
		texts = append(texts, k, v)
	}
	texts = append(texts, jsonStrings(e.Claims)...)
	texts = append(texts, jsonStrings(e.Header)...)
	texts = append(texts, jsonStrings(e.Answer)...)
	for _, s := range texts {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if !slices.Contains(Vars, m[1]) {
				return fmt.Errorf("unknown placeholder {{%s}}: the page, smoke and the browser test know %s", m[1], "{{"+strings.Join(Vars, "}}, {{")+"}}")
			}
		}
	}
	return nil
}

func (e *Endpoint) contentType() string {
	for k, v := range e.Headers {
		if strings.EqualFold(k, "Content-Type") {
			return v
		}
	}
	return ""
}

// Endpoints lists every endpoint in file order.
func (f *File) Endpoints() []Endpoint {
	var all []Endpoint
	for _, g := range f.Groups {
		all = append(all, g.Endpoints...)
	}
	return all
}

// Fill replaces the placeholders of an endpoint's path, headers and body,
// as demo/endpoints.mjs does for the page: URL-encoded in the path, JSON
// string content in a JSON body, as they are elsewhere.
func (e *Endpoint) Fill(vars map[string]string) (path string, headers [][2]string, body string, err error) {
	fill := func(s string, enc func(string) string) string {
		return placeholder.ReplaceAllStringFunc(s, func(m string) string {
			name := m[2 : len(m)-2]
			v, ok := vars[name]
			if !ok && err == nil {
				err = fmt.Errorf("endpoint %s: no value for {{%s}}", e.ID, name)
			}
			return enc(v)
		})
	}
	raw := func(s string) string { return s }
	path = fill(e.Path, uriComponent)
	bodyEnc := raw
	if strings.Contains(e.contentType(), "json") {
		bodyEnc = jsonStringContent
	}
	body = fill(e.Body, bodyEnc)
	for _, k := range sortedKeys(e.Headers) {
		headers = append(headers, [2]string{k, fill(e.Headers[k], raw)})
	}
	return path, headers, body, err
}

// uriComponent is JavaScript's encodeURIComponent.
func uriComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// jsonStringContent is s as it goes between the quotes of a JSON string.
func jsonStringContent(s string) string {
	q, _ := json.Marshal(s)
	return string(q[1 : len(q)-1])
}

// jsonStrings lists every string (keys and values) inside v.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, jsonStrings(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(out, k)
			out = append(out, jsonStrings(x)...)
		}
		return out
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
