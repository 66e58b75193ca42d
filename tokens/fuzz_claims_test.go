package tokens

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// fuzzPresetCase is a config that mints for one preset, and a good request
// for it: the fuzzer replaces the request's fields one by one.
type fuzzPresetCase struct {
	preset string
	alg    string // the config's algorithm: the token must verify under it only
	cfg    Config
	base   map[string]Value // a request that mints
	extra  []string         // request fields that a Finish hook reads, beside Claim.Param
}

// fuzzPresetCases holds at least one case per registered preset
// (FuzzPresetClaims fails if a preset has none), after bench_test.go's
// benchPresets. Claims written "{a}", "{b}", "{c}" and "{user}" are
// placeholders the fuzzer fills, for presets with few or no request fields.
// Corpus entries (testdata/fuzz/FuzzPresetClaims) pick a case by its index:
// add new cases at the end, so that kept inputs still mean what they did.
var fuzzPresetCases = []fuzzPresetCase{
	{preset: "ably", alg: "HS256", cfg: Config{Key: "I2E_JQ.OqUdfg",
		Claims: map[string][]string{"x-ably-capability": {`{"chat:*":["publish","subscribe"]}`}}}},
	{preset: "centrifugo", alg: "HS256", cfg: Config{Claims: map[string][]string{"aud": {"{a}"}, "info": {"{c}"}, "channels": {"news", "chat"}}}},
	{preset: "centrifugo", alg: "RS256", cfg: Config{Claims: map[string][]string{"iss": {"{a}"}}}},
	{preset: "centrifugo_subscription", alg: "ES256", cfg: Config{Claims: map[string][]string{"channel": {"news"}, "info": {"{c}"}},
		Allow: map[string][]string{"channel": {"news", "sport:live"}}}},
	{preset: "databridges", alg: "HS256", cfg: Config{Key: "db-app-key"},
		base:  map[string]Value{"ch": S("prs:lobby"), "sid": S("ydR27s3Z92yQw7wjGY2lX"), "dbappkey": S("db-app-key")},
		extra: []string{"dbappkey", "act"}},
	{preset: "daily", alg: "HS256", cfg: Config{Claims: map[string][]string{"d": {"5b5c0a7e-43a4-4d8e-9b0f-0123456789ab"}, "uil": {"{a}"}},
		Allow: map[string][]string{"o": {"true", "false"}}},
		base: map[string]Value{"room": S("my-room")}},
	{preset: "firebase", alg: "RS256", cfg: Config{Key: "svc@project.iam.gserviceaccount.com",
		Claims: map[string][]string{"tenant_id": {"{a}"}, "claims": {"{c}"}}}},
	{preset: "hms_app", alg: "HS256", cfg: Config{Key: "6365abcdef0123456789abcd",
		Claims: map[string][]string{"role": {"guest"}}, Allow: map[string][]string{"role": {"guest", "viewer"}}},
		base: map[string]Value{"room_id": S("633fcdd84208780bf665346a")}},
	{preset: "hms_management", alg: "HS256", cfg: Config{Key: "6365abcdef0123456789abcd"}},
	{preset: "jaas", alg: "RS256", cfg: Config{Claims: map[string][]string{"sub": {"vpaas-magic-cookie-0123abcd"}, "context.user.email": {"{a}"}},
		Allow:  map[string][]string{"context.user.moderator": {"true", "false"}},
		Header: map[string]string{"kid": "vpaas-magic-cookie-0123abcd/4f4910"}},
		base: map[string]Value{"room": S("*")}},
	{preset: "jwt", alg: "HS384", cfg: Config{
		Claims: map[string][]string{"sub": {"{user}"}, "tenant": {"{a}"}, "level": {"{b}"}, "scope": {"{c}"}, "org.name": {"acme {a}"}},
		Types:  map[string]Type{"level": Int, "scope": Strings}}},
	{preset: "livekit", alg: "HS256", cfg: Config{Key: "APIdevkey", Options: map[string]string{"server_url": "wss://lk.example.com"}},
		base: map[string]Value{"room_name": S("my-room")}},
	{preset: "mercure", alg: "HS256", cfg: Config{Claims: map[string][]string{"mercure.subscribe": {"https://example.com/books/1", "{a}"},
		"mercure.publish": {"*"}, "mercure.payload": {"{c}"}}}},
	{preset: "mercure", alg: "ES256", cfg: Config{Options: map[string]string{"profile": "1.0"},
		Claims: map[string][]string{"iss": {"https://app.example.com"}, "aud": {"https://hub.example.com"},
			"mercure.subscribe": {"{a}"}, "mercure.payload": {"{c}"}}}},
	{preset: "metabase", alg: "HS256", cfg: Config{Options: map[string]string{"site_url": "https://metabase.example.com"},
		Claims: map[string][]string{"resource.dashboard": {"42"}, "params": {"{c}"}}}},
	{preset: "stream", alg: "HS256", cfg: Config{Allow: map[string][]string{"call_cids": {"default:call1", "default:call2"}}}},
	{preset: "twilio", alg: "HS256", cfg: Config{Key: "SK0123456789abcdef0123456789abcdef",
		Claims: map[string][]string{"sub": {"AC0123456789abcdef0123456789abcdef"}}},
		base: map[string]Value{"room": S("my-room")}},
	{preset: "twilio", alg: "HS512", cfg: Config{Key: "SK0123456789abcdef0123456789abcdef",
		Claims: map[string][]string{"sub": {"AC0123456789abcdef0123456789abcdef"}, "grants.voice.incoming.allow": {"true"}}}},
	{preset: "viasocket", alg: "HS256", cfg: Config{Claims: map[string][]string{"org_id": {"8069"}, "project_id": {"projmdFTEvPR"}}}},
	{preset: "videosdk", alg: "HS256", cfg: Config{Key: "5cfc5cf1-4e1b-4a4a-8f8d-0123456789ab"},
		base: map[string]Value{"roomId": S("2kyv-gzay-64pg")}},
	{preset: "zoom_meeting", alg: "HS256", cfg: Config{Key: "zoom-sdk-key-0123456789", Allow: map[string][]string{"role": {"0", "1"}}},
		base: map[string]Value{"meetingNumber": S("85746065432"), "role": S("0")}},
	{preset: "zoom_video", alg: "HS256", cfg: Config{Key: "zoom-sdk-key-0123456789", Allow: map[string][]string{"role_type": {"0", "1"}}},
		base: map[string]Value{"sessionName": S("Cool Cars"), "role": S("0"), "geoRegions": S("US,DE")}},
	// JSON claims with placeholders inside: values are data (their
	// structure is checked against the template's).
	{preset: "jwt", alg: "HS256", cfg: Config{
		Claims: map[string][]string{"sub": {"{user}"},
			"info":  {`{"name":"{a}","tags":["t-{b}", "{c}"],"n":{c},"nested":{"k":"{a}{b}"}}`},
			"meta":  {`[{"k":"{a}"}, {b}, "{c}"]`},
			"cap":   {`{"room:{user}":["subscribe"],"x":"{c}"}`},
			"rooms": {`["lobby", "{a}", "{b}"]`}},
		Types: map[string]Type{"info": Object, "meta": JSON, "cap": JSONString, "rooms": Strings}}},
	{preset: "mercure", alg: "HS256", cfg: Config{Claims: map[string][]string{"mercure.subscribe": {"https://example.com/a"},
		"mercure.payload": {`{"user":"{user}","tags":["{a}"],"n":{b}}`}}}},
	{preset: "firebase", alg: "RS256", cfg: Config{Key: "svc@project.iam.gserviceaccount.com",
		Claims: map[string][]string{"claims": {`{"nick":"{a}","plan":{b}}`}}}},
	// Catalogue II, part A.
	{preset: "pusher_beams", alg: "HS256", cfg: Config{Key: "8f9a6e22-2483-49aa-8552-125f1a4c5781"},
		base: map[string]Value{"user_id": S("user_1234")}},
	{preset: "knock", alg: "RS256", cfg: Config{Claims: map[string][]string{"grants": {"{c}"}}}},
	{preset: "vonage", alg: "RS256", cfg: Config{Key: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
		Claims: map[string][]string{"acl": {`{"paths":{"/*/users/**":{},"/*/{a}/**":{}}}`}}}},
	{preset: "vonage_video", alg: "RS256", cfg: Config{Key: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
		Claims: map[string][]string{"session_id": {"1_MX4xfg"}, "initial_layout_class_list": {"{a}"}},
		Allow:  map[string][]string{"session_id": {"1_MX4xfg", "2_MX4yfg"}, "role": {"publisher", "subscriber"}}},
		base: map[string]Value{"sessionId": S("2_MX4yfg"), "role": S("subscriber")}},
	{preset: "tiptap", alg: "HS256", cfg: Config{Claims: map[string][]string{"allowedDocumentNames": {"user-{user}/*", "doc-a"},
		"readonlyDocumentNames": {"{a}"}}, Allow: map[string][]string{"allowedDocumentNames": {"doc-a", "doc-b"}}},
		base: map[string]Value{"documents": L("doc-b")}},
	{preset: "intercom", alg: "HS256", cfg: Config{Claims: map[string][]string{"email": {"{a}"}, "name": {"{b}"}, "company": {"{c}"}}}},
	{preset: "zendesk", alg: "HS256", cfg: Config{Header: map[string]string{"kid": "app_64d3"},
		Claims: map[string][]string{"name": {"{a}"}, "email": {"{b}"}}}},
	{preset: "tableau", alg: "HS256", cfg: Config{Key: "2bd3d4b5-1c7e", Header: map[string]string{"kid": "9f1b"},
		Claims: map[string][]string{"Region": {"{a}"}, "Dept": {"{c}"}}}},
	{preset: "mux", alg: "RS256", cfg: Config{Key: "sb9R00iH5Q5K", Options: map[string]string{"type": "thumbnail"},
		Claims: map[string][]string{"sub": {"Tkgk5LC6an93"}}, Allow: map[string][]string{"sub": {"Tkgk5LC6an93", "Other123"}}},
		base: map[string]Value{"playback_id": S("Other123"), "time": S("14"), "width": S("100"), "height": S("80")}},
	{preset: "cloudflare_stream", alg: "RS256", cfg: Config{Key: "f6bce2bad0a24b4b",
		Claims: map[string][]string{"sub": {"ea95132c"}, "downloadable": {"true"}},
		Allow:  map[string][]string{"sub": {"ea95132c", "0123abcd"}}},
		base: map[string]Value{"uid": S("0123abcd")}},
	{preset: "mapkit", alg: "ES256", cfg: Config{Key: "ABCDE12345", Header: map[string]string{"kid": "KEY1234567"},
		Claims: map[string][]string{"origin": {"https://{a}.example.com"}}}},
	{preset: "weatherkit", alg: "ES256", cfg: Config{Key: "ABCDE12345.com.example.weather", Header: map[string]string{"kid": "KEY1234567"}}},
	// Catalogue II, part B.
	{preset: "supabase", alg: "ES256", cfg: Config{Header: map[string]string{"kid": "imported-1"},
		Claims: map[string][]string{"email": {"{a}"}, "user_metadata": {`{"nick":"{a}","n":{b}}`}, "app_metadata": {"{c}"}}}},
	{preset: "postgrest", alg: "HS256", cfg: Config{Claims: map[string][]string{"role": {"webuser"}, "tenant": {"{a}"}, "app.level": {"{b}"}},
		Types: map[string]Type{"app.level": Int}}},
	{preset: "hasura", alg: "RS256", cfg: Config{Options: map[string]string{"claims_format": "stringified_json"},
		Claims: map[string][]string{"claims.x-hasura-default-role": {"user"}, "claims.x-hasura-allowed-roles": {"user", "editor"},
			"claims.x-hasura-org-id": {"{a}"}, "claims.x-hasura-team": {"t-{b}"}}}},
	{preset: "convex", alg: "ES256", cfg: Config{Header: map[string]string{"kid": "key-1"},
		Claims: map[string][]string{"iss": {"https://auth.example.com"}, "aud": {"my-app"}, "name": {"{a}"}, "profile": {`{"nick":"{a}","n":{b}}`}},
		Types:  map[string]Type{"profile": Object}}},
	{preset: "powersync", alg: "RS256", cfg: Config{Header: map[string]string{"kid": "ps-1"},
		Options: map[string]string{"endpoint": "https://abc.powersync.journeyapps.com"},
		Claims:  map[string][]string{"iss": {"{a}"}, "parameters": {"{c}"}, "team": {"t-{b}"}}}},
	{preset: "jitsi", alg: "HS256", cfg: Config{Key: "my_app_id", Options: map[string]string{"url": "https://meet.example.com"},
		Claims: map[string][]string{"sub": {"meet.example.com"}, "room": {"standup"}, "context.user.name": {"{a}"}, "context.features.recording": {"{b}"}},
		Allow:  map[string][]string{"room": {"standup", "retro", "*"}}},
		base: map[string]Value{"room": S("retro")}},
	{preset: "superset_guest", alg: "HS256", cfg: Config{Claims: map[string][]string{"resources": {"12"}, "aud": {"http://0.0.0.0:8080/"},
		"user.first_name": {"{a}"}, "rls_rules": {`[{"clause":"tenant = '{b}'"}]`}},
		Allow: map[string][]string{"resources": {"12", "5f0e7c3a-2b1d-4e8f-9a6b-1c2d3e4f5a6b"}}},
		base: map[string]Value{"dashboard_id": S("5f0e7c3a-2b1d-4e8f-9a6b-1c2d3e4f5a6b")}},
	{preset: "metabase_sso", alg: "HS256", cfg: Config{Options: map[string]string{"site_url": "https://metabase.example.com"},
		Claims: map[string][]string{"email": {"user-{user}@example.com"}, "first_name": {"{a}"}, "groups": {"{c}"}, "account_id": {"{b}"}}},
		base: map[string]Value{"response": S("json"), "return_to": S("/dashboard/1")}},
	{preset: "onesignal", alg: "ES256", cfg: Config{Key: "8250eaf6-1a58-489e-b136-7c74a864b434",
		Claims: map[string][]string{"subscriptions": {`[{"type":"Email","token":"mail-{a}"},{"type":"SMS","token":"+1{b}"}]`}, "identity.crm_id": {"{c}"}}}},
	{preset: "grafana", alg: "RS256", cfg: Config{Header: map[string]string{"kid": "g-1"},
		Claims: map[string][]string{"login": {"{a}"}, "email": {"{b}"}, "name": {"{c}"}, "groups": {"sre", "{a}"}, "role": {"Viewer"}}}},
	{preset: "cube", alg: "HS256", cfg: Config{Claims: map[string][]string{"tenant_id": {"{a}"}, "user_id": {"{b}"}, "groups": {"{c}"}},
		Types: map[string]Type{"user_id": Int, "groups": JSON}}},
	{preset: "canny", alg: "HS256", cfg: Config{Options: map[string]string{"answer": "redirect", "company_id": "553c3ef8"},
		Claims: map[string][]string{"email": {"user-{user}@example.com"}, "name": {"{a}"}, "customFields": {`{"plan":"{b}"}`}}},
		base: map[string]Value{"companyID": S("553c3ef8"), "redirect": S("https://acme.canny.io/")}},
	{preset: "frill", alg: "HS256", cfg: Config{Claims: map[string][]string{"email": {"{a}"}, "name": {"{b}"}}}},
}

// fields lists the request fields a preset reads: every Claim.Param, the
// ttl's, and the case's extras, in schema order.
func (c *fuzzPresetCase) fields(p *Preset) []string {
	var out []string
	add := func(names ...string) {
		for _, n := range names {
			if n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	for _, cl := range p.Claims {
		add(cl.Param...)
	}
	add(p.TTL.Param)
	add(c.extra...)
	return out
}

// fuzzSelBits is the width of one field's selector in FuzzPresetClaims'
// sel: 0 the good request's value (or absent), 1 absent, 2 a, 3 b, 4 c,
// 5 c split at NUL as a list, 6 c as raw JSON (when it is JSON), 7 the user.
const fuzzSelBits = 3

// FuzzPresetClaims mints every registered preset with request values from
// the fuzzer, for every request field the preset declares, and the user.
// Properties: the minter either refuses with an *Error of a 4xx status and a
// reason, or returns a token whose
//   - signature verifies with golang-jwt under the configured algorithm only;
//   - payload is valid UTF-8 and valid JSON, an object with no member twice;
//   - string claims that came from the input equal the input exactly
//     (escaping is correct), the user claim holds the user, the key claim
//     the key;
//   - claims have their schema's JSON type, and keep their Limits (re-checked
//     here: MaxLen, Chars, Enum, Prefixes, range, MaxItems);
//   - required claims are present and not empty;
//   - exp - iat is the ttl (or the shorter one the request asked for), and
//     matches Minted.Expires.
func FuzzPresetClaims(f *testing.F) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	signer := func(alg string) (Signer, any) {
		switch alg[:2] {
		case "HS":
			return mustHMAC(f, alg, testSecret), []byte(testSecret)
		case "RS":
			s, err := NewAsymmetric(alg, rsaKey)
			if err != nil {
				f.Fatal(err)
			}
			return s, &rsaKey.PublicKey
		}
		s, err := NewAsymmetric(alg, ecKey)
		if err != nil {
			f.Fatal(err)
		}
		return s, &ecKey.PublicKey
	}

	type compiled struct {
		c      *fuzzPresetCase
		p      *Preset
		fields []string
		tmpl   [2]*Template // [anonymous]
		verify any          // the key that verifies its tokens
	}
	var cases []compiled
	for _, name := range Names() {
		if !slices.ContainsFunc(fuzzPresetCases, func(c fuzzPresetCase) bool { return c.preset == name }) {
			f.Fatalf("preset %s has no case in fuzzPresetCases: add a config that mints", name)
		}
	}
	for i := range fuzzPresetCases {
		c := &fuzzPresetCases[i]
		p, err := Lookup(c.preset)
		if err != nil {
			f.Fatal(err)
		}
		cc := compiled{c: c, p: p, fields: c.fields(p)}
		if len(cc.fields)*fuzzSelBits > 64 {
			f.Fatalf("preset %s has %d request fields: more than sel can select", c.preset, len(cc.fields))
		}
		for anon := range 2 {
			cfg := c.cfg
			cfg.Anonymous = anon == 1
			cfg.Signer, cc.verify = signer(c.alg)
			if cc.tmpl[anon], err = Compile(p, cfg); err != nil && anon == 0 {
				f.Fatalf("Compile(%s %s): %v", c.preset, c.alg, err)
			}
			// (Some presets need more config to mint anonymously; they
			// are fuzzed with a user only.)
		}
		// The good request mints: else the fuzzer would only see refusals.
		if _, err := cc.tmpl[0].Mint(now, Input{User: "user_1234", Contract: true,
			Request: &fakeRequest{params: c.base, vars: map[string]string{"user": "user_1234", "a": "x", "b": "1", "c": "{}"}}}); err != nil {
			f.Fatalf("%s %s: the good request is refused: %v", c.preset, c.alg, err)
		}
		cases = append(cases, cc)
	}

	odd := []string{
		`quote " backslash \ slash / <script>&amp;`, "line\nfeed\ttab\rcr\x00nul\x1fus\x7fdel", "\u2028\u2029 separators",
		"émoji 😀 中文", "\xff\xfe invalid", "{a}", `["a","b"]`, `{"x":1}`, "1.0", "1e0", " 1 ", "-0", "+1", "9007199254740993",
		"prs:lobby", "pvt:room", "sys:all", "US,DE", "viewer", "host", strings.Repeat("x", 300), "",
	}
	for pi, cc := range cases {
		f.Add(uint8(pi), false, "user_1234", "x", "1", "{}", uint64(0))
		f.Add(uint8(pi), true, "", "x", "1", "{}", uint64(0))
		for j := range cc.fields {
			for k, v := range odd {
				sel := uint64(2+k%3) << (fuzzSelBits * j) // a, b or c
				f.Add(uint8(pi), k%5 == 0, "user-1234", v, v, v, sel)
			}
			f.Add(uint8(pi), false, "user-1234", "", "", "", uint64(7)<<(fuzzSelBits*j))
		}
		if len(cc.fields) == 0 {
			for _, v := range odd {
				f.Add(uint8(pi), false, v, v, v, v, uint64(0))
			}
		}
	}

	f.Fuzz(func(t *testing.T, pi uint8, anon bool, user, a, b, c string, sel uint64) {
		cc := &cases[int(pi)%len(cases)]
		params := map[string]Value{}
		for k, v := range cc.c.base {
			params[k] = v
		}
		for j, name := range cc.fields {
			switch (sel >> (fuzzSelBits * j)) & (1<<fuzzSelBits - 1) {
			case 1:
				delete(params, name)
			case 2:
				params[name] = S(a)
			case 3:
				params[name] = S(b)
			case 4:
				params[name] = S(c)
			case 5:
				params[name] = L(strings.Split(c, "\x00")...)
			case 6:
				if json.Valid([]byte(c)) {
					params[name] = Value{Kind: Raw, Str: c}
				}
			case 7:
				params[name] = S(user)
			}
		}
		vars := map[string]string{"user": user, "a": a, "b": b, "c": c}
		tmpl := cc.tmpl[0]
		if anon = anon && cc.tmpl[1] != nil; anon {
			tmpl = cc.tmpl[1]
		}
		in := Input{User: user, Request: &fakeRequest{params: params, vars: vars}, Contract: true}
		m, err := tmpl.Mint(now, in)
		if err != nil {
			if err.Status < 400 || err.Status > 499 || err.Reason == "" {
				t.Fatalf("%s: refusal %d %q, want a 4xx with a reason; params %q", cc.p.Name, err.Status, err.Reason, params)
			}
			return
		}
		checkFuzzToken(t, cc.p, cc.c, cc.verify, tmpl, anon, user, params, vars, m)
	})
}

// checkFuzzToken checks a minted token's properties (see FuzzPresetClaims).
func checkFuzzToken(t *testing.T, p *Preset, c *fuzzPresetCase, verify any, tmpl *Template, anon bool, user string,
	params map[string]Value, vars map[string]string, m Minted) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s (anonymous %v, user %q, params %q, vars %q): %s\ntoken %s", p.Name, anon, user, params, vars,
			fmt.Sprintf(format, args...), m.Token)
	}

	// The signature, under the configured algorithm only.
	parsed, err := jwt.Parse(m.Token, func(*jwt.Token) (any, error) { return verify, nil },
		jwt.WithValidMethods([]string{c.alg}), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		fail("golang-jwt rejects the token under %s: %v", c.alg, err)
	}
	if alg := parsed.Header["alg"]; alg != c.alg || !slices.Contains(fuzzAlgorithms(p), c.alg) {
		fail("header alg %v, want %s, one of %s's", alg, c.alg, p.Name)
	}

	// The payload: UTF-8, JSON, an object, no member twice.
	parts := strings.Split(m.Token, ".")
	raw, derr := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	if derr != nil {
		fail("payload segment is not strict base64url: %v", derr)
	}
	if !utf8.Valid(raw) {
		fail("payload is not valid UTF-8: %q", raw)
	}
	if !json.Valid(raw) {
		fail("payload is not valid JSON: %s", raw)
	}
	if dup := fuzzDuplicateMember(raw); dup != "" {
		fail("payload has member %q twice: %s", dup, raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var payload map[string]any
	if err := dec.Decode(&payload); err != nil || payload == nil {
		fail("payload is not a JSON object: %v: %s", err, raw)
	}
	p.unshapeObjects(payload) // an object an option renames or stringifies, under its schema name

	// Every schema claim: type, limits, required.
	for i := range p.Claims {
		cl := &p.Claims[i]
		v, present := fuzzLookupPath(payload, cl.Name)
		if isContainerIn(p.Claims, cl.Name) {
			if present {
				if _, ok := v.(map[string]any); !ok {
					fail("claim %s holds %T, want an object of claims", cl.Name, v)
				}
			} else if cl.Required {
				fail("required claim %s is missing: %s", cl.Name, raw)
			}
			continue
		}
		if !present {
			if cl.Required {
				fail("required claim %s is missing: %s", cl.Name, raw)
			}
			continue
		}
		items, reason := fuzzClaimItems(cl.Type, v)
		if reason != "" {
			fail("claim %s = %v: %s", cl.Name, v, reason)
		}
		if cl.Required && len(items) == 0 && (cl.Type == String || cl.Type == Strings) {
			fail("required claim %s is empty: %s", cl.Name, raw)
		}
		if reason := fuzzRecheckLimits(&cl.Limits, cl.Type, items); reason != "" {
			fail("claim %s = %v breaks its limits: %s", cl.Name, v, reason)
		}
	}

	// String claims that came from the input hold it exactly.
	for i := range p.Claims {
		cl := &p.Claims[i]
		if cl.Type != String || cl.Normalize != nil || cl.Gen != GenNone || cl.Const {
			continue
		}
		want, known := "", false
		switch {
		case cl.Key:
			want, known = c.cfg.Key, c.cfg.Key != ""
		default:
			for _, name := range cl.Param {
				if pv, ok := params[name]; ok {
					want, known = pv.Str, pv.Kind == Scalar && pv.Str != ""
					break
				}
			}
			if !known && cl.User && !anon && !fuzzParamPresent(params, cl.Param) && c.cfg.Claims[cl.Name] == nil {
				want, known = user, true
			}
		}
		if !known {
			continue
		}
		// Absent is fine where the claim is optional: a Finish hook may
		// drop it (dataBridges' pvt: channels carry no identity).
		if got, ok := fuzzLookupPath(payload, cl.Name); ok && got != want {
			fail("claim %s = %q, want the input %q", cl.Name, got, want)
		}
	}
	// Claims the config renders from placeholders hold the rendering,
	// where no request field set them.
	req := &fakeRequest{vars: vars}
	for name, tmpls := range c.cfg.Claims {
		cl, inSchema := p.Claim(name)
		typ, declared := c.cfg.Types[name]
		if len(tmpls) != 1 || !strings.Contains(tmpls[0], "{") ||
			(inSchema && (cl.Type != String || cl.Normalize != nil || fuzzParamPresent(params, cl.Param))) ||
			(!inSchema && declared && typ != String) {
			continue
		}
		want := req.Expand(tmpls[0])
		if got, ok := fuzzLookupPath(payload, name); want != "" && ok && got != want {
			fail("claim %s = %q, want the rendered %q", name, got, want)
		} else if want != "" && !ok && !inSchema {
			fail("claim %s is missing, want the rendered %q", name, want)
		}
	}

	// JSON claims built from text with placeholders keep the template's
	// structure whatever the values: the same members, in the same order,
	// with values of the same kinds; only string contents vary.
	for name, tmpls := range c.cfg.Claims {
		typ, declared := c.cfg.Types[name]
		if cl, ok := p.Claim(name); ok {
			typ, declared = cl.Type, true
		}
		if !declared || len(tmpls) != 1 {
			continue
		}
		parts := splitDefault(tmpls[0])
		if wholePlaceholder(parts) || !jsonValued(typ, parts) || !slices.ContainsFunc(parts, func(p Part) bool { return p.Placeholder }) {
			continue
		}
		jt, err := compileJSONTemplate(parts, typ)
		if err != nil {
			fail("claim %s's template %q does not compile: %v", name, tmpls[0], err)
		}
		sample, _ := jt.render(nil, func(string) string { return "x" })
		got, ok := fuzzLookupPath(payload, name)
		if !ok {
			fail("JSON claim %s is missing", name)
		}
		if typ == JSONString {
			text, _ := got.(string)
			dec := json.NewDecoder(strings.NewReader(text))
			dec.UseNumber()
			if err := dec.Decode(&got); err != nil {
				fail("json_string claim %s is not JSON text: %q", name, text)
			}
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(sample))
		dec.UseNumber()
		_ = dec.Decode(&want)
		if fuzzShape(got) != fuzzShape(want) {
			fail("claim %s has structure %s, want the template's %s", name, fuzzShape(got), fuzzShape(want))
		}
	}

	// exp and iat.
	if p.HasExpiry() {
		iat, ok1 := payload["iat"].(json.Number)
		exp, ok2 := payload["exp"].(json.Number)
		if !fuzzHasGen(p, GenIssuedAt) && !ok1 { // tokens without iat: exp counts from the mint
			iat, ok1 = json.Number(strconv.FormatInt(m.IssuedAt, 10)), true
		}
		if !ok1 || !ok2 {
			fail("iat %v or exp %v is missing or not a number", payload["iat"], payload["exp"])
		}
		iatN, _ := iat.Int64()
		expN, _ := exp.Int64()
		want := int64(tmpl.TTL() / time.Second)
		if p.TTL.Param != "" {
			if pv, ok := params[p.TTL.Param]; ok {
				n, _ := check(Int, pv)
				want, _ = strconv.ParseInt(n.Str, 10, 64)
			}
		}
		if expN-iatN != want || expN != m.Expires || iatN != m.IssuedAt {
			fail("iat %d exp %d (Minted %d, %d), want exp - iat = %d", iatN, expN, m.IssuedAt, m.Expires, want)
		}
	} else if _, ok := payload["exp"]; ok || m.Expires != 0 {
		fail("a preset without expiry minted exp %v (Minted.Expires %d)", payload["exp"], m.Expires)
	}
}

func fuzzHasGen(p *Preset, g Gen) bool {
	return slices.ContainsFunc(p.Claims, func(c Claim) bool { return c.Gen == g })
}

func fuzzAlgorithms(p *Preset) []string {
	if len(p.Algorithms) == 0 {
		return []string{"HS256"}
	}
	return p.Algorithms
}

func fuzzParamPresent(params map[string]Value, names []string) bool {
	for _, n := range names {
		if _, ok := params[n]; ok {
			return true
		}
	}
	return false
}

// fuzzLookupPath finds a dotted claim name in a decoded payload.
// fuzzShape renders a decoded JSON value's structure: objects with their
// member count, arrays with their length, scalars by kind; strings (names
// and values) as "s".
func fuzzShape(v any) string {
	switch x := v.(type) {
	case map[string]any:
		// Member order is lost in a map; sorted names are replaced by
		// their count and the sorted shapes of their values.
		shapes := make([]string, 0, len(x))
		for _, m := range x {
			shapes = append(shapes, fuzzShape(m))
		}
		slices.Sort(shapes)
		return "{" + strconv.Itoa(len(x)) + ":" + strings.Join(shapes, ",") + "}"
	case []any:
		shapes := make([]string, len(x))
		for i, e := range x {
			shapes[i] = fuzzShape(e)
		}
		return "[" + strings.Join(shapes, ",") + "]"
	case string:
		return "s"
	case json.Number:
		return "n"
	case bool:
		return "b"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func fuzzLookupPath(payload map[string]any, name string) (any, bool) {
	obj := payload
	for {
		head, rest, nested := strings.Cut(name, ".")
		v, ok := obj[head]
		if !ok || !nested {
			return v, ok
		}
		if obj, ok = v.(map[string]any); !ok {
			return nil, false
		}
		name = rest
	}
}

// fuzzClaimItems checks a decoded claim's JSON type against t and returns its
// elements as text (one for a scalar), as Limits see them.
func fuzzClaimItems(t Type, v any) ([]string, string) {
	switch t {
	case String:
		s, ok := v.(string)
		if !ok {
			return nil, "want a JSON string"
		}
		if s == "" {
			return nil, ""
		}
		return []string{s}, ""
	case Int:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return nil, "want a JSON integer"
		}
		return []string{n.String()}, ""
	case Number:
		n, ok := v.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			return nil, "want a JSON number"
		}
		return []string{n.String()}, ""
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, "want a JSON boolean"
		}
		return []string{strconv.FormatBool(b)}, ""
	case Strings:
		arr, ok := v.([]any)
		if !ok {
			return nil, "want a JSON array"
		}
		out := make([]string, 0, len(arr))
		for _, it := range arr {
			s, ok := it.(string)
			if !ok {
				return nil, "want an array of strings"
			}
			out = append(out, s)
		}
		return out, ""
	case Object:
		if _, ok := v.(map[string]any); !ok {
			return nil, "want a JSON object"
		}
	case JSONString:
		s, ok := v.(string)
		if !ok || !json.Valid([]byte(s)) {
			return nil, "want a string holding JSON"
		}
	}
	return nil, ""
}

// fuzzRecheckLimits is Limits.check written again from the field docs, so that
// a mistake in one is not repeated in the other.
func fuzzRecheckLimits(l *Limits, t Type, items []string) string {
	if l.MaxItems > 0 && len(items) > l.MaxItems {
		return "too many elements"
	}
	for _, s := range items {
		if l.MaxLen > 0 && utf8.RuneCountInString(s) > l.MaxLen {
			return "longer than MaxLen"
		}
		if l.Chars != nil && !l.Chars.Allows(s) {
			return "a character outside " + l.Chars.Doc
		}
		if len(l.Enum) > 0 && !slices.Contains(l.Enum, s) {
			return "not in Enum"
		}
		if len(l.Prefixes) > 0 && !slices.ContainsFunc(l.Prefixes, func(p string) bool { return strings.HasPrefix(s, p) }) {
			return "no allowed prefix"
		}
		if l.HasRange && (t == Int || t == Number) {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil || n < float64(l.Min) || n > float64(l.Max) {
				return "out of range"
			}
		}
	}
	return ""
}

// fuzzDuplicateMember returns a member name that an object of the JSON text
// holds twice, at any depth, or "".
func fuzzDuplicateMember(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func() (string, error)
	walk = func() (string, error) {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return "", err
				}
				key := k.(string)
				if seen[key] {
					return key, nil
				}
				seen[key] = true
				if dup, err := walk(); dup != "" || err != nil {
					return dup, err
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for dec.More() {
				if dup, err := walk(); dup != "" || err != nil {
					return dup, err
				}
			}
			_, err = dec.Token()
		}
		return "", err
	}
	dup, err := walk()
	if err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	return dup
}
