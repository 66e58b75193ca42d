package caddymodule

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Claim integrity: nothing a client or a user's profile sends changes a
// token's structure, its identity or its refusal shape.

// TestSessionCannotRenameUser: {http.auth.user.id} is the verified user
// (user_claim), even when the session token carries a claim named id.
func TestSessionCannotRenameUser(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	tester := serve(t, `
http://localhost:9080 {
	provider_token jwt {
		secret {env.TM_SECRET}
		claim  sub {http.auth.user.id}
		claim  name {http.auth.user.name}
		session jwt {
			secret {env.TM_SESSION_SECRET}
		}
	}
}
`)
	tok := signHS(t, session("alice", "id", "mallory", "name", "Alice"), sessionSecret)
	r := call(t, tester, "GET", "/", "", "Authorization", "Bearer "+tok)
	wantStatus(t, r, 200)
	_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
	if c["sub"] != "alice" || c["name"] != "Alice" {
		t.Fatalf("sub = %v, name = %v; want alice (the verified sub, not the token's id claim) and Alice", c["sub"], c["name"])
	}
}

// TestSessionSecretWarnings: a literal or short session secret is accepted
// with a warning at load that never holds the secret.
func TestSessionSecretWarnings(t *testing.T) {
	t.Setenv("TM_SHORT", "short-secret")
	t.Setenv("TM_GOOD", sessionSecret)
	for _, c := range []struct {
		name, secret string
		want         []string
	}{
		{"literal and short", "literal-s3cret", []string{"written literally", "shorter than 32 bytes"}},
		{"short from env", "{env.TM_SHORT}", []string{"shorter than 32 bytes"}},
		{"good", "{env.TM_GOOD}", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.WarnLevel)
			v, err := newJWTVerifier(&JWTSession{Secrets: []string{c.secret}}, zap.New(core))
			if err != nil {
				t.Fatal(err)
			}
			v.Close()
			var got []string
			for _, e := range logs.All() {
				got = append(got, e.Message)
				for _, f := range e.Context {
					if strings.Contains(f.String, "s3cret") || strings.Contains(f.String, "short-secret") {
						t.Errorf("a warning holds the secret: %v", e)
					}
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("warnings %q, want %d containing %q", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %q does not say %q", got[i], w)
				}
			}
		})
	}
}

// TestSessionCredentialsNeverLogged: with Caddy's log at DEBUG and access
// logs on, no session token reaches a log line, for every source a session
// may come from (cookie, Authorization with and without a scheme,
// Proxy-Authorization), valid or refused, in respond and inject mode (where
// reverse_proxy logs the upstream request at DEBUG). from query and from a
// custom header are refused at load (TestBadCaddyfiles): Caddy would log them.
func TestSessionCredentialsNeverLogged(t *testing.T) {
	dir := t.TempDir()
	logFile, accessFile := filepath.Join(dir, "caddy.log"), filepath.Join(dir, "access.log")
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer upstream.Close()
	route := func(path, from, mode string) string {
		return `
	handle ` + path + ` {
		provider_token jwt {
			secret {env.TM_SECRET}
			claim  sub {http.auth.user.id}
			` + mode + `
			session jwt {
				secret {env.TM_SESSION_SECRET}
				from   ` + from + `
			}
		}
		` + map[bool]string{true: "reverse_proxy " + upstream.Listener.Addr().String(), false: ""}[mode != ""] + `
	}`
	}
	sources := []struct{ path, from, header, prefix string }{
		{"/cookie", "cookie app_session", "Cookie", "app_session="},
		{"/bearer", "header Authorization Bearer", "Authorization", "Bearer "},
		{"/raw", "header Authorization", "Authorization", ""},
		{"/proxy", "header Proxy-Authorization Bearer", "Proxy-Authorization", "Bearer "},
	}
	var routes strings.Builder
	for _, s := range sources {
		routes.WriteString(route(s.path, s.from, ""))
		routes.WriteString(route("/inject"+s.path, s.from, "inject header X-Token Bearer"))
	}
	config := strings.Replace(globalOptions, "{\n", "{\n\tlog {\n\t\toutput file "+logFile+"\n\t\tlevel DEBUG\n\t\tformat json\n\t}\n", 1) + `
http://localhost:9080 {
	log {
		output file ` + accessFile + `
		format json
	}
` + routes.String() + `
}
`
	tester := serveRaw(t, config)
	var sigs []string
	for _, s := range sources {
		good := signHS(t, session("log-user"), sessionSecret)
		expired := signHS(t, session("log-user", "exp", time.Now().Add(-time.Hour).Unix()), sessionSecret)
		forged := signHS(t, session("log-user"), "another-secret-0123456789abcdef-xyz")
		for _, tok := range []string{good, expired, forged} {
			sigs = append(sigs, tok[strings.LastIndexByte(tok, '.')+1:])
			for _, path := range []string{s.path, "/inject" + s.path} {
				r := call(t, tester, "GET", path, "", s.header, s.prefix+tok)
				if want := map[bool]int{true: 200, false: 401}[tok == good]; r.status != want {
					t.Errorf("%s with a %s token: %d %s, want %d", path, map[bool]string{true: "good", false: "bad"}[tok == good], r.status, r.body, want)
				}
			}
		}
	}
	serve(t, "") // stop serving so that the logs are flushed and closed
	for _, f := range []string{logFile, accessFile} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 1000 {
			t.Fatalf("%s has %d bytes: the logs did not catch the requests, so the check would prove nothing", f, len(data))
		}
		for _, sig := range sigs {
			if strings.Contains(string(data), sig) {
				t.Errorf("%s holds a session token's signature", f)
			}
		}
	}
}

// payloadJSON returns a token's payload as its raw JSON text.
func payloadJSON(t *testing.T, tok string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// injection is a value that closes a JSON string and adds a member when it
// is pasted into JSON text instead of encoded.
const injection = `x","admin":true,"y":"`

// TestJSONClaimsEncodePlaceholders: a placeholder inside a JSON-valued claim
// (object, json, array, nested) is data: the reproduction, through
// the query, a JSON body, a form body and a session claim, escaped or not,
// in a string or as a whole member value, never adds a member.
func TestJSONClaimsEncodePlaceholders(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	tester := serve(t, "\nhttp://localhost:9080 {\n"+`
	handle /issue {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub alice
			type    info object
			claim   info `+"`"+`\{"name":"{query.name}"\}`+"`"+`
		}
	}
	handle /unescaped {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub alice
			type    info object
			claim   info `+"`"+`{"name":"{query.name}","tags":["t-{query.name}"]}`+"`"+`
		}
	}
	handle /value {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub alice
			type    info json
			claim   info `+"`"+`[{"n": {query.name}}, {query.name}]`+"`"+`
		}
	}
	handle /array {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub alice
			type    rooms array
			claim   rooms `+"`"+`["lobby", "{query.name}"]`+"`"+`
		}
	}
	handle /nested {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub alice
			type    profile.info object
			claim   profile.info `+"`"+`\{"name":"{body.name}"\}`+"`"+`
			claim   profile.plan free
		}
	}
	handle /session {
		provider_token jwt {
			secret {env.TM_SECRET}
			claim  sub {http.auth.user.id}
			type   info json_string
			claim  info `+"`"+`\{"nick":"{http.auth.user.nick}"\}`+"`"+`
			type   rooms array
			claim  rooms {http.auth.user.rooms}
			type   profile object
			claim  profile {http.auth.user.profile}
			session jwt {
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /member {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub alice
			type    caps object
			claim   caps `+"`"+`{"role":"guest","{query.k}":"reader"}`+"`"+`
		}
	}
}
`)
	q := url.QueryEscape(injection)
	get := func(path string, hdr ...string) map[string]any {
		t.Helper()
		r := call(t, tester, "GET", path, "", hdr...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		if _, bad := c["admin"]; bad {
			t.Fatalf("%s: the token gained a top-level admin claim: %v", path, c)
		}
		return c
	}
	want := func(path string, got, exp any) {
		t.Helper()
		g, _ := json.Marshal(got)
		e, _ := json.Marshal(exp)
		if string(g) != string(e) {
			t.Errorf("%s: got %s, want %s", path, g, e)
		}
	}

	t.Run("the issue's reproduction", func(t *testing.T) {
		r := call(t, tester, "GET", "/issue?name="+q, "")
		wantStatus(t, r, 200)
		tok := r.json(t)["token"].(string)
		claims(t, tok, "HS256", testSecret)
		if p := payloadJSON(t, tok); !strings.Contains(p, `"info":{"name":"x\",\"admin\":true,\"y\":\""}`) {
			t.Fatalf("payload %s, want info exactly {\"name\":\"x\\\",\\\"admin\\\":true,\\\"y\\\":\\\"\"}", p)
		}
	})
	t.Run("unescaped braces, a string and an array element", func(t *testing.T) {
		c := get("/unescaped?name=" + q)
		want("/unescaped", c["info"], map[string]any{"name": injection, "tags": []any{"t-" + injection}})
	})
	t.Run("a placeholder as a whole member value is a string", func(t *testing.T) {
		c := get("/value?name=" + url.QueryEscape(`1},{"admin":true`))
		want("/value", c["info"], []any{map[string]any{"n": `1},{"admin":true`}, `1},{"admin":true`})
		c = get("/value?name=42")
		want("/value", c["info"], []any{map[string]any{"n": "42"}, "42"})
	})
	t.Run("array text", func(t *testing.T) {
		c := get("/array?name=" + url.QueryEscape(`a","admin`))
		want("/array", c["rooms"], []any{"lobby", `a","admin`})
	})
	t.Run("nested claim from a JSON body and from a form body", func(t *testing.T) {
		body, _ := json.Marshal(map[string]string{"name": injection})
		r := call(t, tester, "POST", "/nested", string(body))
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		want("/nested", c["profile"], map[string]any{"info": map[string]any{"name": injection}, "plan": "free"})
		r = call(t, tester, "POST", "/nested", "name="+q, "Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, r, 200)
		_, c = claims(t, r.json(t)["token"].(string), "HS256", testSecret)
		want("/nested form", c["profile"], map[string]any{"info": map[string]any{"name": injection}, "plan": "free"})
	})
	t.Run("a session claim inside JSON; whole session values keep their JSON", func(t *testing.T) {
		tok := signHS(t, session("bob", "nick", injection, "rooms", []string{"r1", "r2"},
			"profile", map[string]any{"tier": "gold"}), sessionSecret)
		c := get("/session", "Authorization", "Bearer "+tok)
		want("/session", c["info"], `{"nick":"x\",\"admin\":true,\"y\":\""}`)
		want("/session", c["rooms"], []any{"r1", "r2"})
		want("/session", c["profile"], map[string]any{"tier": "gold"})
	})
	t.Run("a member name that repeats a configured one is refused", func(t *testing.T) {
		c := get("/member?k=" + url.QueryEscape(`x","admin":"`))
		want("/member", c["caps"], map[string]any{"role": "guest", `x","admin":"`: "reader"})
		r := call(t, tester, "GET", "/member?k=role", "")
		wantStatus(t, r, 400)
		if !strings.Contains(r.body, "names a member twice") || strings.Contains(r.body, "eyJ") {
			t.Errorf("body %s, want a refusal naming the repeated member", r.body)
		}
	})
}

// TestClientChosenSources: whether a client can choose a value is an
// allow-list of trusted placeholders. Path captures ({re.*}), variables a
// header fills (vars, map) and unknown keys count as the client's: a
// privileged claim from them needs an allow list, and an allow list may not
// come from them. Both are refused when the config loads.
func TestClientChosenSources(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	@room path_regexp room ^/rooms/([a-z]+)/([a-z]+)$
	handle @room {
		vars role {header.X-Role}
		provider_token hms_app {
			key     k
			secret  {env.TM_SECRET}
			session anonymous
			claim   user_id u
			claim   room_id {re.room.1}
			claim   role {re.room.2}
			allow   role guest host
		}
	}
}
`)
	r := call(t, tester, "GET", "/rooms/lobby/host", "")
	wantStatus(t, r, 200)
	if _, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret); c["room_id"] != "lobby" || c["role"] != "host" {
		t.Fatalf("room_id %v role %v, want lobby host from the path within the allow list", c["room_id"], c["role"])
	}
	wantStatus(t, call(t, tester, "GET", "/rooms/lobby/admin", ""), 403)

	bad := map[string]string{
		"path capture":       "claim role {re.room.2}",
		"vars from a header": "claim role {http.vars.role}",
		"map from a header":  "claim role {mapped_role}",
		"upstream answer":    "claim role {http.reverse_proxy.header.X-Role}",
		"allow from query":   "claim role guest\n\t\t\tallow role {query.roles}",
		"allow from vars":    "claim role guest\n\t\t\tallow role {http.vars.roles}",
	}
	for name, lines := range bad {
		t.Run(name, func(t *testing.T) {
			cfg := withPorts(globalOptions + `
http://localhost:9080 {
	@room path_regexp room ^/rooms/([a-z]+)/([a-z]+)$
	handle @room {
		map {header.X-Role} {mapped_role} {
			default guest
		}
		vars role {header.X-Role}
		provider_token hms_app {
			key     k
			secret  {env.TM_SECRET}
			session anonymous
			claim   user_id u
			claim   room_id r
			` + lines + `
		}
	}
}
`)
			res, err := tester.Client.Post(withPorts("http://localhost:2999/load"), "text/caddyfile", strings.NewReader(cfg))
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 400 || !strings.Contains(string(msg), "Caddyfile:16") ||
				!(strings.Contains(string(msg), "lets the client choose it; add `allow role") || strings.Contains(string(msg), "lets the client choose what it may choose")) {
				t.Fatalf("load: %d %s; want a refusal at Caddyfile:16 naming the fix", res.StatusCode, msg)
			}
		})
	}
	// The good config still serves.
	wantStatus(t, call(t, tester, "GET", "/rooms/lobby/guest", ""), 200)
}

// TestHeaderEditsStayInTheirRoute: a header handler that edits the answer's
// Content-Type in place on one route never changes another route's answers
// (the value slices are not shared between requests).
func TestHeaderEditsStayInTheirRoute(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	handle /edited {
		header >Content-Type json xml
		header >Cache-Control no-store no-cache
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub a
		}
	}
	handle /plain {
		provider_token jwt {
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub a
		}
	}
}
`)
	for i := 0; i < 3; i++ {
		r := call(t, tester, "GET", "/edited", "")
		if ct := r.header.Get("Content-Type"); ct != "application/xml" || r.header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("/edited: Content-Type %q Cache-Control %q, want the header handler's edits", ct, r.header.Get("Cache-Control"))
		}
		r = call(t, tester, "GET", "/plain", "")
		if ct := r.header.Get("Content-Type"); ct != "application/json" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("/plain after /edited: Content-Type %q Cache-Control %q, want application/json and no-store", ct, r.header.Get("Cache-Control"))
		}
	}
}

// TestCookieMaxAgeIsTheTokensRemainingLife: a cached token handed out later
// in its life gets a cookie that expires with it, not one ttl later.
func TestCookieMaxAgeIsTheTokensRemainingLife(t *testing.T) {
	start := time.Now()
	clock := start
	var mu sync.Mutex
	old := now
	now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	t.Cleanup(func() { now = old })
	tester := serve(t, `
http://localhost:9080 {
	provider_token mercure {
		secret       {env.TM_SECRET}
		session      anonymous
		claim        mercure.subscribe https://example.com/feed
		ttl          1h
		cache_tokens on
		cookie       mercureAuthorization path /.well-known/mercure
	}
}
`)
	first := call(t, tester, "GET", "/", "")
	wantStatus(t, first, 204)
	ck := mercureCookie(t, first, "mercureAuthorization")
	if ck.MaxAge != 3600 {
		t.Fatalf("first cookie Max-Age %d, want 3600", ck.MaxAge)
	}
	mu.Lock()
	clock = start.Add(20 * time.Minute)
	mu.Unlock()
	later := call(t, tester, "GET", "/", "")
	ck2 := mercureCookie(t, later, "mercureAuthorization")
	if ck2.Value != ck.Value {
		t.Fatal("the second request minted a new token: the cache did not serve it, so the check below proves nothing")
	}
	if ck2.MaxAge != 2400 {
		t.Fatalf("cached token's cookie Max-Age %d, want 2400 (the 40 minutes it has left)", ck2.MaxAge)
	}
}

// TestLoadTimeKeyAndOptionChecks: option values resolve {env.*} and
// {file.*} when the config loads; a key written by `openssl ecparam
// -genkey` (EC PARAMETERS first) loads; an algorithm that does not fit the
// key fails the load with a message naming both, never a 500 per request.
func TestLoadTimeKeyAndOptionChecks(t *testing.T) {
	t.Setenv("TM_LIVEKIT_URL", "wss://lk.example.com")
	ecKey, err := filepath.Abs("../internal/keys/testdata/ecparam-p256.pem")
	if err != nil {
		t.Fatal(err)
	}
	tester := serve(t, `
http://localhost:9080 {
	handle /lk {
		provider_token livekit {
			key     APIkey
			secret  {env.TM_SECRET}
			session anonymous
			claim   sub u
			claim   video.room r
			option  server_url {env.TM_LIVEKIT_URL}
		}
	}
	handle /ec {
		provider_token centrifugo {
			signing_key `+ecKey+`
			session     anonymous
			claim       sub u
		}
	}
}
`)
	r := call(t, tester, "GET", "/lk", "")
	if r.status != 201 || r.json(t)["server_url"] != "wss://lk.example.com" {
		t.Fatalf("livekit: %d %s, want server_url from the environment", r.status, r.body)
	}
	r = call(t, tester, "GET", "/ec", "")
	wantStatus(t, r, 200)
	if h := segment(t, r.json(t)["token"].(string), 0); h["alg"] != "ES256" {
		t.Fatalf("alg %v, want ES256 from the P-256 key", h["alg"])
	}

	cfg := withPorts(globalOptions + `
http://localhost:9080 {
	provider_token centrifugo {
		signing_key ` + ecKey + `
		algorithm   ES384
		session     anonymous
		claim       sub u
	}
}
`)
	res, err := tester.Client.Post(withPorts("http://localhost:2999/load"), "text/caddyfile", strings.NewReader(cfg))
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(msg), "an EC P-256 key signs ES256, not ES384") {
		t.Fatalf("load with ES384 and a P-256 key: %d %s; want a refusal naming the key and the algorithm", res.StatusCode, msg)
	}
	wantStatus(t, call(t, tester, "GET", "/ec", ""), 200) // the good config still serves
}

// TestJSONClaimsOfPresets: the firebase and mercure presets' JSON claims
// (firebase's developer claims, mercure's payload and 1.0
// authorization_details) take a session claim and a query value as data.
func TestJSONClaimsOfPresets(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	key := mustRSA(t)
	keyPath := filepath.Join(t.TempDir(), "firebase.pem")
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	tester := serve(t, `
http://localhost:9080 {
	handle /firebase {
		provider_token firebase {
			key svc@demo.iam.gserviceaccount.com
			signing_key `+keyPath+`
			claim claims `+"`"+`{"nick": "{http.auth.user.nick}", "plan": {http.auth.user.nick}}`+"`"+`
			session jwt {
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /mercure {
		provider_token mercure {
			secret {env.TM_SECRET}
			claim mercure.subscribe https://example.com/feed
			claim mercure.payload `+"`"+`{"user": "{http.auth.user.nick}", "room": "{query.plan}"}`+"`"+`
			session jwt {
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /mercure10 {
		provider_token mercure {
			secret {env.TM_SECRET}
			option profile 1.0
			claim iss https://app.example.com
			claim aud https://hub.example.com
			claim authorization_details `+"`"+`[{"type": "https://mercure.rocks/authorization-detail", "actions": ["subscribe"], "topics": [{"match": "https://example.com/users/{http.auth.user.nick}", "match_type": "exact"}]}]`+"`"+`
			session jwt {
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
}
`)
	tok := signHS(t, session("alice", "nick", injection), sessionSecret)
	q := "?plan=" + url.QueryEscape(`1,"admin":true`)
	get := func(path string) (string, map[string]any) {
		t.Helper()
		r := call(t, tester, "GET", path+q, "", "Authorization", "Bearer "+tok)
		wantStatus(t, r, 200)
		tk := r.json(t)["token"].(string)
		var c map[string]any
		if err := json.Unmarshal([]byte(payloadJSON(t, tk)), &c); err != nil {
			t.Fatal(err)
		}
		return payloadJSON(t, tk), c
	}
	raw, c := get("/firebase")
	if got, want := c["claims"], map[string]any{"nick": injection, "plan": injection}; !jsonEqual(got, want) {
		t.Errorf("firebase claims = %v, want %v (payload %s)", got, want, raw)
	}
	raw, c = get("/mercure")
	m, _ := c["mercure"].(map[string]any)
	if got, want := m["payload"], map[string]any{"user": injection, "room": `1,"admin":true`}; !jsonEqual(got, want) {
		t.Errorf("mercure payload = %v, want %v (payload %s)", got, want, raw)
	}
	raw, c = get("/mercure10")
	details, _ := c["authorization_details"].([]any)
	if len(details) == 0 {
		t.Fatalf("no authorization_details: %s", raw)
	}
	first, _ := details[0].(map[string]any)
	topics, _ := first["topics"].([]any)
	if len(first) != 3 || len(topics) != 1 || topics[0].(map[string]any)["match"] != "https://example.com/users/"+injection {
		t.Errorf("authorization_details[0] = %v, want its three members and the user's topic as data (payload %s)", first, raw)
	}
	// A privileged JSON claim from the request needs an allow list.
	wantAdaptError(t, site("provider_token firebase {\n\tkey svc@demo.iam.gserviceaccount.com\n\tsigning_key /k.pem\n\tclaim claims `{\"plan\": \"{query.plan}\"}`\n}"),
		"Caddyfile:3", "claim claims grants rights", "add `allow claims")
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
