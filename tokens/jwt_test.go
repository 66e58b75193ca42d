package tokens

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// jwtPlaceholder tells a placeholder from JSON text, so that object and
// array literals in these configs stay static.
var jwtPlaceholder = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_.]*\}`)

func jwtDynamic(s string) bool { return jwtPlaceholder.MatchString(s) }

// jwtConfig is a jwt preset config with the given claims and types.
func jwtConfig(claims map[string][]string, types map[string]Type) Config {
	return Config{Claims: claims, Types: types, Dynamic: jwtDynamic}
}

// checkRaw compares the token's payload with want byte for byte.
func checkRaw(t *testing.T, tok, want string) {
	t.Helper()
	if got := rawPayload(t, tok); got != want {
		t.Errorf("raw payload:\n got %s\nwant %s", got, want)
	}
}

func TestJWTTypes(t *testing.T) {
	tmpl := compile(t, "jwt", jwtConfig(map[string][]string{
		"s":    {"hello"},
		"n":    {"42"},
		"neg":  {"-7"},
		"b":    {"true"},
		"f":    {"false"},
		"list": {"a", "b"},
		"obj":  {`{"a": 1, "b": [true]}`},
		"num":  {"1.5"},
		"js":   {`{"x": 1}`},
		"j":    {`[1, "two"]`},
	}, map[string]Type{
		"n": Int, "neg": Int, "b": Bool, "f": Bool, "list": Strings, "obj": Object, "num": Number, "js": JSONString, "j": JSON,
	}))
	const want = `{"iat":1764000000,"exp":1764003600,"b":true,"f":false,"j":[1,"two"],"js":"{\"x\":1}","list":["a","b"],"n":42,"neg":-7,"num":1.5,"obj":{"a":1,"b":[true]},"s":"hello"}`
	m := golden(t, tmpl, Input{User: "alice"}, hs256Header, want)
	checkRaw(t, m.Token, want)
}

func TestJWTTypeCoercion(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  Type
		in   []string
		want string // the claim's JSON
	}{
		{"string", String, []string{"42"}, `"42"`},
		{"int", Int, []string{"42"}, `42`},
		{"int with spaces", Int, []string{" 7 "}, `7`},
		{"int as 1.0", Int, []string{"1.0"}, `1`},
		{"int as 1e3", Int, []string{"1e3"}, `1000`},
		{"int zero", Int, []string{"0"}, `0`},
		{"number integral", Number, []string{"2"}, `2`},
		{"number negative fraction", Number, []string{"-0.25"}, `-0.25`},
		{"number 1e3", Number, []string{"1e3"}, `1000`},
		{"bool true with spaces", Bool, []string{" true "}, `true`},
		{"bool false", Bool, []string{"false"}, `false`},
		{"strings one value", Strings, []string{"x"}, `["x"]`},
		{"strings JSON array", Strings, []string{`["x", "y"]`}, `["x","y"]`},
		{"strings several values", Strings, []string{"x", "y", "z"}, `["x","y","z"]`},
		{"object compacted", Object, []string{` { "k" : "v" , "n" : null } `}, `{"k":"v","n":null}`},
		{"object HTML-escaped", Object, []string{`{"k":"<b>&"}`}, `{"k":"\u003cb\u003e\u0026"}`},
		{"json scalar", JSON, []string{`12`}, `12`},
		{"json string", JSON, []string{`"text"`}, `"text"`},
		{"json_string of an object", JSONString, []string{`{"*": ["subscribe"]}`}, `"{\"*\":[\"subscribe\"]}"`},
		{"json_string of an array", JSONString, []string{`[1, 2]`}, `"[1,2]"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "jwt", jwtConfig(map[string][]string{"c": tc.in}, map[string]Type{"c": tc.typ}))
			want := `{"iat":1764000000,"exp":1764003600,"c":` + tc.want + `}`
			m := golden(t, tmpl, Input{User: "alice"}, hs256Header, want)
			checkRaw(t, m.Token, want)
		})
	}
}

func TestJWTTypeErrors(t *testing.T) {
	p, err := Lookup("jwt")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		typ  Type
		in   []string
	}{
		{"int fraction", Int, []string{"4.5"}},
		{"int word", Int, []string{"four"}},
		{"int two values", Int, []string{"1", "2"}},
		{"number word", Number, []string{"abc"}},
		{"number NaN", Number, []string{"NaN"}},
		{"number Inf", Number, []string{"Inf"}},
		{"bool yes", Bool, []string{"yes"}},
		{"bool 1", Bool, []string{"1"}},
		{"object array", Object, []string{"[1]"}},
		{"object broken", Object, []string{`{"a":`}},
		{"json broken", JSON, []string{`[1,`}},
		{"json_string broken", JSONString, []string{`{`}},
		{"strings broken array", Strings, []string{`["a",`}},
		{"string invalid UTF-8", String, []string{"a\xffb"}},
		{"strings invalid UTF-8", Strings, []string{"a\xffb", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := jwtConfig(map[string][]string{"c": tc.in}, map[string]Type{"c": tc.typ})
			cfg.Signer = mustHMAC(t, "HS256", testSecret)
			if _, err := Compile(p, cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
}

func TestJWTNestedClaims(t *testing.T) {
	tmpl := compile(t, "jwt", jwtConfig(map[string][]string{
		"context.user.name":   {"alice"},
		"context.user.avatar": {"x.png"},
		"context.user.level":  {"3"},
		"context.group":       {"g"},
		"context.extra.email": {"{user.email}"},
		"room":                {"r"},
		"a.b":                 {"{user.missing}"},
	}, map[string]Type{"context.user.level": Int}))
	in := func(vars map[string]string) Input {
		return Input{User: "alice", Request: &fakeRequest{vars: vars}}
	}
	t.Run("nested objects", func(t *testing.T) {
		// Objects whose every member is unset are left out.
		const want = `{"iat":1764000000,"exp":1764003600,"context":{"group":"g","user":{"avatar":"x.png","level":3,"name":"alice"}},"room":"r"}`
		m := golden(t, tmpl, in(nil), hs256Header, want)
		checkRaw(t, m.Token, want)
	})
	t.Run("a placeholder member set", func(t *testing.T) {
		const want = `{"iat":1764000000,"exp":1764003600,"context":{"extra":{"email":"a@example.com"},"group":"g","user":{"avatar":"x.png","level":3,"name":"alice"}},"room":"r"}`
		m := golden(t, tmpl, in(map[string]string{"user.email": "a@example.com"}), hs256Header, want)
		checkRaw(t, m.Token, want)
	})
	t.Run("then unset again", func(t *testing.T) {
		const want = `{"iat":1764000000,"exp":1764003600,"context":{"group":"g","user":{"avatar":"x.png","level":3,"name":"alice"}},"room":"r"}`
		m := golden(t, tmpl, in(nil), hs256Header, want)
		checkRaw(t, m.Token, want)
	})
}

func TestJWTAlgorithms(t *testing.T) {
	for _, tc := range []struct {
		alg    string
		sigLen int
		other  string
	}{
		{"HS256", 32, "HS512"},
		{"HS384", 48, "HS256"},
		{"HS512", 64, "HS384"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			cfg := jwtConfig(map[string][]string{"sub": {"alice"}}, nil)
			cfg.Signer = mustHMAC(t, tc.alg, testSecret)
			tmpl := compile(t, "jwt", cfg)
			m := golden(t, tmpl, Input{User: "alice"}, `{"alg":"`+tc.alg+`","typ":"JWT"}`,
				`{"iat":1764000000,"exp":1764003600,"sub":"alice"}`)
			parts := strings.Split(m.Token, ".")
			sig, err := base64.RawURLEncoding.DecodeString(parts[2])
			if err != nil {
				t.Fatal(err)
			}
			if len(sig) != tc.sigLen {
				t.Errorf("signature length: got %d, want %d", len(sig), tc.sigLen)
			}
			want, err := jwt.GetSigningMethod(tc.alg).Sign(parts[0]+"."+parts[1], []byte(testSecret))
			if err != nil {
				t.Fatal(err)
			}
			if got := parts[2]; got != base64.RawURLEncoding.EncodeToString(want) {
				t.Errorf("signature: got %s, want golang-jwt's %s", got, base64.RawURLEncoding.EncodeToString(want))
			}
			_, err = jwt.Parse(m.Token, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
				jwt.WithValidMethods([]string{tc.other}), jwt.WithTimeFunc(func() time.Time { return now }))
			if err == nil {
				t.Errorf("golang-jwt accepts the %s token as %s", tc.alg, tc.other)
			}
		})
	}
}

func TestJWTEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ttl     time.Duration
		expires int64
	}{
		{"default ttl 1h", 0, 1764003600},
		{"ttl 10m", 10 * time.Minute, 1764000600},
		{"ttl 1s", time.Second, 1764000001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := jwtConfig(map[string][]string{"sub": {"alice"}}, nil)
			cfg.TTL = tc.ttl
			tmpl := compile(t, "jwt", cfg)
			m, err := tmpl.Mint(now, Input{User: "alice"})
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			if m.Expires != tc.expires {
				t.Errorf("Minted.Expires: got %d, want %d", m.Expires, tc.expires)
			}
			body, status, ctype := tmpl.Preset().Answer(nil, &m)
			want := `{"token":"` + m.Token + `","expires_at":` + jsonInt(tc.expires) + `}`
			if string(body) != want {
				t.Errorf("body: got %s, want %s", body, want)
			}
			if status != http.StatusOK || ctype != "application/json" {
				t.Errorf("status, type: got %d %s, want 200 application/json", status, ctype)
			}
		})
	}
	t.Run("refusal", func(t *testing.T) {
		tmpl := compile(t, "jwt", jwtConfig(map[string][]string{"sub": {"alice"}}, nil))
		e := refusal(t, tmpl, Input{}, http.StatusUnauthorized, "")
		body, status, _ := tmpl.Preset().Refuse(nil, e)
		if want := `{"error":"unauthenticated","error_description":"this endpoint needs an authenticated user"}`; string(body) != want || status != 401 {
			t.Errorf("refusal: got %d %s, want 401 %s", status, body, want)
		}
	})
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestJWTConfigErrors(t *testing.T) {
	p, err := Lookup("jwt")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name   string
		claims map[string][]string
		types  map[string]Type
		ttl    time.Duration
		bug    string // a known bug: skip when Compile succeeds
	}{
		{name: "exp as a claim", claims: map[string][]string{"exp": {"1"}}},
		{name: "iat as a claim", claims: map[string][]string{"iat": {"1"}}},
		{name: "nbf as a claim", claims: map[string][]string{"nbf": {"1"}}},
		{name: "exp as an object of claims", claims: map[string][]string{"exp.at": {"1"}},
			bug: "regression: template.go:316 (checkClaimName) refuses exp but not exp.at; the exp claim then becomes an object ({\"at\":\"1\"}), template.go:174 (Compile) skips exp's slot as a container, and the token has no NumericDate exp while Minted.Expires says it has"},
		{name: "iat as an object of claims", claims: map[string][]string{"iat.x": {"1"}},
			bug: "regression: template.go:316 (checkClaimName) refuses iat but not iat.x; iat becomes an object"},
		{name: "type for an unset claim", claims: map[string][]string{"a": {"1"}}, types: map[string]Type{"b": Int}},
		{name: "type for exp", claims: map[string][]string{"a": {"1"}}, types: map[string]Type{"exp": Int}},
		{name: "an object and its member", claims: map[string][]string{"context": {"x"}, "context.user": {"y"}}},
		{name: "empty name", claims: map[string][]string{"": {"x"}}},
		{name: "leading dot", claims: map[string][]string{".a": {"x"}}},
		{name: "trailing dot", claims: map[string][]string{"a.": {"x"}}},
		{name: "double dot", claims: map[string][]string{"a..b": {"x"}}},
		{name: "ttl 500ms", claims: map[string][]string{"a": {"x"}}, ttl: 500 * time.Millisecond},
		{name: "ttl 367 days", claims: map[string][]string{"a": {"x"}}, ttl: 367 * 24 * time.Hour},
		{name: "negative ttl", claims: map[string][]string{"a": {"x"}}, ttl: -time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := jwtConfig(tc.claims, tc.types)
			cfg.Signer, cfg.TTL = s, tc.ttl
			tmpl, err := Compile(p, cfg)
			if err == nil && tc.bug != "" {
				if m, merr := tmpl.Mint(now, Input{User: "u"}); merr == nil {
					t.Fatal(tc.bug + "; payload: " + rawPayload(t, m.Token))
				}
				t.Fatal(tc.bug)
			}
			if err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
}

func TestJWTPlaceholders(t *testing.T) {
	tmpl := compile(t, "jwt", jwtConfig(map[string][]string{
		"rooms": {"{user.rooms}"},
		"room":  {"room-{user.id}"},
	}, map[string]Type{"rooms": Strings}))
	typed := compile(t, "jwt", jwtConfig(map[string][]string{
		"level":   {"{user.level}"},
		"profile": {"{user.profile}"},
		"admin":   {"{user.admin}"},
	}, map[string]Type{"level": Int, "profile": Object, "admin": Bool}))
	in := func(vars map[string]string) Input {
		return Input{User: "alice", Request: &fakeRequest{vars: vars}}
	}
	for _, tc := range []struct {
		name string
		tmpl *Template
		vars map[string]string
		want string // raw payload
	}{
		{"JSON array fills the array claim", tmpl, map[string]string{"user.rooms": `["r1", "r\"2", "<r3>"]`, "user.id": "42"},
			`{"iat":1764000000,"exp":1764003600,"room":"room-42","rooms":["r1","r\"2","\u003cr3\u003e"]}`},
		{"one room", tmpl, map[string]string{"user.rooms": `["only"]`, "user.id": "7"},
			`{"iat":1764000000,"exp":1764003600,"room":"room-7","rooms":["only"]}`},
		{"a plain value is one element", tmpl, map[string]string{"user.rooms": `lobby`, "user.id": "7"},
			`{"iat":1764000000,"exp":1764003600,"room":"room-7","rooms":["lobby"]}`},
		{"empty array leaves the claim out", tmpl, map[string]string{"user.rooms": `[]`, "user.id": "7"},
			`{"iat":1764000000,"exp":1764003600,"room":"room-7"}`},
		{"typed placeholders", typed, map[string]string{"user.level": "3", "user.profile": `{"a": [1, 2]}`, "user.admin": "false"},
			`{"iat":1764000000,"exp":1764003600,"admin":false,"level":3,"profile":{"a":[1,2]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := golden(t, tc.tmpl, in(tc.vars), hs256Header, tc.want)
			checkRaw(t, m.Token, tc.want)
		})
	}
	t.Run("unset placeholder leaves the array claim out", func(t *testing.T) {
		const want = `{"iat":1764000000,"exp":1764003600,"room":"room-7"}`
		m, err := tmpl.Mint(now, in(map[string]string{"user.id": "7"}))
		if err != nil {
			t.Fatalf("Mint: %v", err)
		}
		if got := rawPayload(t, m.Token); got != want {
			if strings.Contains(got, `"rooms":[""]`) {
				t.Fatal(`regression: template.go:576 (fill, srcDynamic) with registry.go:90 configValue: a Strings claim whose only placeholder renders empty becomes [""] (a list of one empty string) instead of being left out as an empty String claim is; payload ` + got)
			}
			t.Errorf("raw payload:\n got %s\nwant %s", got, want)
		}
	})
	for _, tc := range []struct {
		name  string
		tmpl  *Template
		vars  map[string]string
		field string
	}{
		{"rooms not an array of strings", tmpl, map[string]string{"user.rooms": `[1, 2]`, "user.id": "7"}, "rooms"},
		{"rooms broken JSON", tmpl, map[string]string{"user.rooms": `["a",`, "user.id": "7"}, "rooms"},
		{"room invalid UTF-8", tmpl, map[string]string{"user.rooms": `[]`, "user.id": "\xff"}, "room"},
		{"level not an integer", typed, map[string]string{"user.level": "three", "user.profile": "{}", "user.admin": "true"}, "level"},
		{"profile not an object", typed, map[string]string{"user.level": "1", "user.profile": "[1]", "user.admin": "true"}, "profile"},
		{"admin not a boolean", typed, map[string]string{"user.level": "1", "user.profile": "{}", "user.admin": "yes"}, "admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, in(tc.vars), http.StatusBadRequest, tc.field)
		})
	}
}

// jwtEscClaims is a jwt preset payload in the order the template writes it
// (iat, exp, then the free-form claims sorted), for encoding/json and
// golang-jwt to produce the expected bytes.
type jwtEscClaims struct {
	jwt.RegisteredClaims `json:"-"`
	Iat                  int64    `json:"iat"`
	Exp                  int64    `json:"exp"`
	JS                   string   `json:"js"`
	List                 []string `json:"list"`
	S                    string   `json:"s"`
}

// TestJWTEscapingMatchesEncodingJSON: string values are escaped exactly as
// encoding/json escapes them, so the payload, and so the whole token, is
// byte for byte what golang-jwt produces.
func TestJWTEscapingMatchesEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    string // a string claim, and the first element of an array claim
		js   string // a json_string claim: JSON text
	}{
		{"quotes and backslash", `say "hi" \ bye`, `"say \"hi\""`},
		{"escaped newlines in JSON text", "line1 line2", `"a\nb"`},
		{"HTML", `<script>alert("x")</script> & more`, `{"html":"<b>&amp;</b>"}`},
		{"U+2028 and U+2029", "a\u2028b\u2029c", "\"x\u2028y\""},
		{"escaped control characters in JSON text", "plain", `"\u0001"`},
		{"non-ASCII", "café 😀 日本", `{"k":"ünï"}`},
		{"empty json_string text", "x", `""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "jwt", Config{
				Claims:  map[string][]string{"s": {tc.s}, "list": {tc.s, "x"}, "js": {tc.js}},
				Types:   map[string]Type{"list": Strings, "js": JSONString},
				Dynamic: func(string) bool { return false },
			})
			m, err := tmpl.Mint(now, Input{User: "alice"})
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			// The json_string claim holds the JSON text compacted as
			// encoding/json compacts a json.RawMessage.
			compact, jerr := json.Marshal(json.RawMessage(tc.js))
			if jerr != nil {
				t.Fatalf("bad case: %v", jerr)
			}
			claims := &jwtEscClaims{Iat: now.Unix(), Exp: now.Unix() + 3600, JS: string(compact), List: []string{tc.s, "x"}, S: tc.s}
			want, jerr := json.Marshal(claims)
			if jerr != nil {
				t.Fatal(jerr)
			}
			got := rawPayload(t, m.Token)
			if got != string(want) {
				t.Errorf("payload:\n got %q\nwant %q (encoding/json)", got, want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("payload is not valid UTF-8: %q", got)
			}

			// Decoded, the payload is the same map as encoding/json's.
			var gotMap, wantMap map[string]any
			if err := json.Unmarshal([]byte(got), &gotMap); err != nil {
				t.Fatalf("payload is not JSON: %v", err)
			}
			if err := json.Unmarshal(want, &wantMap); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotMap, wantMap) {
				t.Errorf("decoded payload: got %v, want %v", gotMap, wantMap)
			}

			// golang-jwt, given the claims in the same order, signs the
			// same token.
			gjwt, jerr := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testSecret))
			if jerr != nil {
				t.Fatal(jerr)
			}
			if m.Token != gjwt {
				t.Errorf("token:\n got %s\nwant %s (golang-jwt)", m.Token, gjwt)
			}

			// And golang-jwt's HS256 over the token's own signing input
			// gives the token's signature.
			dot := strings.LastIndexByte(m.Token, '.')
			sig, jerr := jwt.SigningMethodHS256.Sign(m.Token[:dot], []byte(testSecret))
			if jerr != nil {
				t.Fatal(jerr)
			}
			if got, want := m.Token[dot+1:], base64.RawURLEncoding.EncodeToString(sig); got != want {
				t.Errorf("signature: got %s, want %s", got, want)
			}

			// The claim values survive the round trip (invalid UTF-8
			// becomes U+FFFD, as with encoding/json).
			_, p := decode(t, m.Token, "HS256", testSecret)
			if got, want := p["s"], strings.ToValidUTF8(tc.s, "\uFFFD"); got != want {
				t.Errorf("claim s: got %q, want %q", got, want)
			}
		})
	}
}

// TestJWTInvalidUTF8 covers the paths by which invalid UTF-8 could reach the
// payload: string claims refuse it (tested statically in TestJWTTypeErrors,
// here from a placeholder), and an object claim must not carry it raw,
// since a JWT payload must be UTF-8 JSON (RFC 7519 section 7.2, RFC 8259
// section 8.1).
func TestJWTInvalidUTF8(t *testing.T) {
	t.Run("string from a placeholder", func(t *testing.T) {
		tmpl := compile(t, "jwt", jwtConfig(map[string][]string{"name": {"{user.name}"}}, nil))
		refusal(t, tmpl, Input{User: "alice", Request: &fakeRequest{vars: map[string]string{"user.name": "a\xffb"}}}, http.StatusBadRequest, "name")
	})
	for _, tc := range []struct {
		name string
		typ  Type
	}{
		{"object", Object},
		{"json", JSON},
		{"json_string", JSONString},
	} {
		t.Run(tc.name+" from a placeholder", func(t *testing.T) {
			tmpl := compile(t, "jwt", jwtConfig(map[string][]string{"o": {"{user.o}"}}, map[string]Type{"o": tc.typ}))
			m, err := tmpl.Mint(now, Input{User: "alice", Request: &fakeRequest{vars: map[string]string{"user.o": "{\"k\":\"a\xffb\"}"}}})
			if err != nil {
				if err.Status != http.StatusBadRequest || err.Field() != "o" {
					t.Errorf("refusal: got %d on %q, want 400 on \"o\"", err.Status, err.Field())
				}
				return // refused, as a string claim is
			}
			t.Errorf("minted %s, want a 400 refusal of invalid UTF-8", rawPayload(t, m.Token))
			if got := rawPayload(t, m.Token); !utf8.ValidString(got) {
				t.Fatal("regression: value.go:188 check(Object/JSON) accepts invalid UTF-8 (json.Valid does not check it, compactJSON keeps the bytes) and appendValue writes it raw, so the payload is not UTF-8; String and Strings refuse it. Payload: " + strings.ToValidUTF8(got, "<?>"))
			}
		})
	}
}

// TestControlCharactersRefused: claim text never holds control characters,
// whether from the config or from the request.
func TestControlCharactersRefused(t *testing.T) {
	for _, bad := range []string{"line1\nline2", "tab\there", "nul\x00", "bel\x07", "del\x7f", "cr\r"} {
		p, _ := Lookup("jwt")
		if _, err := Compile(p, jwtConfig(map[string][]string{"s": {bad}}, nil)); err == nil {
			t.Errorf("config value %q: Compile succeeded, want a refusal", bad)
		}
		if _, err := Compile(p, jwtConfig(map[string][]string{"l": {"ok", bad}}, map[string]Type{"l": Strings})); err == nil {
			t.Errorf("array element %q: Compile succeeded, want a refusal", bad)
		}
		tmpl := compile(t, "hms_app", Config{Key: "k", Claims: map[string][]string{"role": {"guest"}}})
		refusal(t, tmpl, Input{User: "u", Request: &fakeRequest{params: map[string]Value{"room_id": S("r" + bad)}}, Contract: true}, 400, "room_id")
		tmpl = compile(t, "jwt", jwtConfig(map[string][]string{"note": {"{q.note}"}}, nil))
		refusal(t, tmpl, Input{User: "u", Request: &fakeRequest{vars: map[string]string{"q.note": bad}}}, 400, "note")
	}
}
