package tokens

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// now is the pinned clock of every golden test.
var now = time.Unix(1764000000, 0)

const testSecret = "s3cret-for-tests-only-0123456789"

// fakeRequest is a request contract and placeholder source for tests:
// params as a decoded body would give them, vars for {name} placeholders.
type fakeRequest struct {
	params map[string]Value
	vars   map[string]string
}

func (r *fakeRequest) Param(name string) (Value, bool, *Error) {
	v, ok := r.params[name]
	return v, ok, nil
}

var testPlaceholderRE = regexp.MustCompile(`\{[^{}]+\}`)

func (r *fakeRequest) Expand(s string) string {
	return testPlaceholderRE.ReplaceAllStringFunc(s, func(p string) string {
		return r.vars[p[1:len(p)-1]]
	})
}

func compile(t testing.TB, preset string, cfg Config) *Template {
	t.Helper()
	p, err := Lookup(preset)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Signer == nil && cfg.Keys == nil {
		cfg.Signer = mustHMAC(t, "HS256", testSecret)
	}
	tmpl, err := Compile(p, cfg)
	if err != nil {
		t.Fatalf("Compile(%s): %v", preset, err)
	}
	return tmpl
}

func mustHMAC(t testing.TB, alg, secret string) Signer {
	t.Helper()
	s, err := NewHMAC(alg, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// decode verifies tok with golang-jwt under alg only, with the HMAC
// secret and the clock pinned, and returns its header and payload.
func decode(t *testing.T, tok, alg, secret string) (map[string]any, map[string]any) {
	t.Helper()
	return verifyKey(t, tok, alg, []byte(secret))
}

// verifyKey verifies tok with golang-jwt under alg only, with key (an HMAC secret or a public key) and the
// clock pinned, and returns its header and payload as generic JSON.
func verifyKey(t *testing.T, tok, alg string, key any) (map[string]any, map[string]any) {
	t.Helper()
	_, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{alg}), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		t.Fatalf("golang-jwt rejects the token: %v", err)
	}
	parts := strings.Split(tok, ".")
	var header, payload map[string]any
	for i, dst := range []*map[string]any{&header, &payload} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	return header, payload
}

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad expected JSON %s: %v", s, err)
	}
	return m
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// golden mints with tmpl and compares the whole header and payload with the
// expected JSON. A jti is checked to be a UUIDv4 and then pinned to "JTI".
func golden(t *testing.T, tmpl *Template, in Input, wantHeader, wantPayload string) Minted {
	t.Helper()
	m, err := tmpl.Mint(now, in)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	alg := tmpl.Alg()
	h, p := decode(t, m.Token, alg, testSecret)
	if jti, ok := p["jti"].(string); ok && uuidRE.MatchString(jti) {
		p["jti"] = "JTI"
	}
	if want := mustJSON(t, wantHeader); !reflect.DeepEqual(h, want) {
		t.Errorf("header:\n got %v\nwant %v", h, want)
	}
	if want := mustJSON(t, wantPayload); !reflect.DeepEqual(p, want) {
		gj, _ := json.Marshal(p)
		t.Errorf("payload:\n got %s\nwant %s", gj, wantPayload)
	}
	if exp, ok := p["exp"].(float64); ok {
		iat, ok := p["iat"].(float64)
		if !ok { // a preset whose tokens carry no iat: exp counts from the mint
			iat = float64(m.IssuedAt)
		}
		if got, want := time.Duration(exp-iat)*time.Second, tmpl.TTL(); got != want {
			t.Errorf("exp - iat = %s, want the ttl %s", got, want)
		}
		if int64(exp) != m.Expires {
			t.Errorf("Minted.Expires = %d, token exp = %d", m.Expires, int64(exp))
		}
	}
	return m
}

// refusal mints and expects an *Error with status and field.
func refusal(t *testing.T, tmpl *Template, in Input, status int, field string) *Error {
	t.Helper()
	m, err := tmpl.Mint(now, in)
	if err == nil {
		t.Fatalf("Mint succeeded (%s), want a %d refusal on %q", m.Token[:10], status, field)
	}
	if err.Status != status || err.Field() != field {
		t.Fatalf("refusal = %d on %q (%v), want %d on %q", err.Status, err.Field(), err, status, field)
	}
	return err
}

// refusalCase is a bad input to a preset and the refusal it must get.
type refusalCase struct {
	name   string
	in     Input
	status int
	field  string
}

// refusals runs each case through refusal, as a subtest.
func refusals(t *testing.T, tmpl *Template, cases []refusalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tmpl, tc.in, tc.status, tc.field)
		})
	}
}

const hs256Header = `{"alg":"HS256","typ":"JWT"}`

// withConfig applies a test's changes to a preset's base config.
func withConfig(cfg Config, over func(*Config)) Config {
	if over != nil {
		over(&cfg)
	}
	return cfg
}

// wantAnswer renders m with the template's envelope and compares the
// status, the content type (unless ctype is "") and the body.
func wantAnswer(t *testing.T, tmpl *Template, m *Minted, status int, ctype, body string) {
	t.Helper()
	got, gotStatus, gotType := tmpl.Preset().Answer(nil, m)
	if string(got) != body || gotStatus != status || (ctype != "" && gotType != ctype) {
		t.Errorf("answer: got %d %s %s, want %d %s %s", gotStatus, gotType, got, status, ctype, body)
	}
}
