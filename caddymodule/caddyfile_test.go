package caddymodule

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenmint/caddy-tokenmint/tokens"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

func adapt(t *testing.T, caddyfile string) (string, error) {
	t.Helper()
	out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": "Caddyfile"})
	return string(out), err
}

// wantAdaptError adapts caddyfile and fails unless the error points at
// line ("Caddyfile:N") and says every one of want.
func wantAdaptError(t *testing.T, caddyfile, line string, want ...string) {
	t.Helper()
	_, err := adapt(t, caddyfile)
	if err == nil {
		t.Fatalf("adapt succeeded, want an error at %s", line)
	}
	msg := err.Error()
	if !strings.Contains(msg, line) {
		t.Errorf("error %q does not point at %s", msg, line)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
}

// site wraps a provider_token block so that the directive starts on line 3.
func site(block string) string {
	return "localhost\n\n" + block + "\n"
}

func TestBadCaddyfiles(t *testing.T) {
	cases := []struct {
		name, block string
		line        string   // "Caddyfile:N"
		want        []string // substrings of the error that name the fix
	}{
		{"unknown preset", "provider_token zoom_videos {\n\tsecret x\n}", "Caddyfile:3",
			[]string{`unknown preset "zoom_videos"`, strings.Join(tokens.Names(), ", ")}},
		{"no preset", "provider_token {\n\tsecret x\n}", "Caddyfile:3", []string{"needs a preset"}},
		{"missing secret", "provider_token hms_app {\n\tkey k\n\tclaim role host\n}", "Caddyfile:3",
			[]string{"needs `secret <value>`", "{env.NAME}"}},
		{"unknown subdirective", "provider_token hms_app {\n\tsecret x\n\tsecrte y\n}", "Caddyfile:5",
			[]string{`unknown subdirective "secrte"`, "key, secret"}},
		{"bad duration", "provider_token hms_app {\n\tsecret x\n\tttl 2 hours\n}", "Caddyfile:5", []string{"wrong argument count"}},
		{"bad duration word", "provider_token hms_app {\n\tsecret x\n\tttl forever\n}", "Caddyfile:5",
			[]string{`ttl "forever" is not a duration`, "30m, 2h or 24h"}},
		{"ttl below the preset's limit", "provider_token zoom_video {\n\tsecret x\n\tttl 10m\n}", "Caddyfile:5",
			[]string{"below zoom_video's minimum of 30m0s"}},
		{"ttl above the preset's limit", "provider_token zoom_video {\n\tsecret x\n\tttl 72h\n}", "Caddyfile:5",
			[]string{"above zoom_video's maximum of 48h0m0s"}},
		{"ttl on a preset without exp", "provider_token databridges {\n\tsecret x\n\tttl 1h\n}", "Caddyfile:5",
			[]string{"carry no exp"}},
		{"allow names an unknown claim", "provider_token hms_app {\n\tsecret x\n\tallow rol host\n}", "Caddyfile:5",
			[]string{`hms_app has no claim "rol"`, "access_key"[:0] + "room_id, user_id, role"}},
		{"claim names an unknown claim", "provider_token zoom_video {\n\tsecret x\n\tclaim topic y\n}", "Caddyfile:5",
			[]string{`zoom_video has no claim "topic"`, "tpc"}},
		{"required privileged claim missing", "provider_token hms_app {\n\tkey k\n\tsecret x\n}", "Caddyfile:3",
			[]string{"hms_app needs `claim role <value>`"}},
		{"key missing", "provider_token hms_app {\n\tsecret x\n\tclaim role host\n}", "Caddyfile:3",
			[]string{"hms_app needs `key <value>`"}},
		{"privileged claim from the query without allow", "provider_token hms_app {\n\tkey k\n\tsecret x\n\tclaim role {query.role}\n}", "Caddyfile:3",
			[]string{"claim role grants rights", "allow role"}},
		{"value outside the enum", "provider_token videosdk {\n\tkey k\n\tsecret x\n\tclaim permissions allow_everything\n}", "Caddyfile:3",
			[]string{"permissions must be one of"}},
		{"bad session", "provider_token hms_app {\n\tsecret x\n\tsession cookie\n}", "Caddyfile:5",
			[]string{`unknown session "cookie"`, "auth_user, anonymous, header <Name> or jwt { ... }"}},
		{"session jwt without keys", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tissuer https://id.example\n\t}\n}", "Caddyfile:5",
			[]string{"session jwt needs at least one key: secret, public_key or jwks"}},
		{"session jwt unknown subdirective", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecrets s\n\t}\n}", "Caddyfile:6",
			[]string{`unknown session jwt subdirective "secrets"`, "from, secret, public_key"}},
		{"session jwt alg none", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\talgorithms none\n\t}\n}", "Caddyfile:5",
			[]string{"algorithm none is never accepted"}},
		{"session jwt RS256 without a public key", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\talgorithms RS256\n\t}\n}", "Caddyfile:5",
			[]string{"algorithm RS256 needs a public_key or jwks"}},
		{"session jwt bad from", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\tfrom body token\n\t}\n}", "Caddyfile:5",
			[]string{`from "body": use cookie <name>`}},
		{"session jwt bad jwks", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tjwks file:///etc/keys\n\t}\n}", "Caddyfile:5",
			[]string{"is not an https URL"}},
		{"session jwt jwks over plain http", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tjwks http://idp.example/keys\n\t}\n}", "Caddyfile:5",
			[]string{"is plain http", "use https"}},
		{"session jwt from query", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\tfrom query session\n\t}\n}", "Caddyfile:5",
			[]string{"from query session", "access logs", "from header Authorization Bearer"}},
		{"session jwt from a custom header", "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\tfrom header X-Session\n\t}\n}", "Caddyfile:5",
			[]string{"from header X-Session", "redact only the Authorization", "from cookie"}},
		{"__Host- cookie with a domain", "provider_token mercure {\n\tsecret x\n\tcookie __Host-mercure domain example.com\n}", "Caddyfile:5",
			[]string{"__Host- cookie must not set a domain", "use __Secure-"}},
		{"__Host- cookie with a path", "provider_token mercure {\n\tsecret x\n\tcookie __Host-mercure path /.well-known/mercure\n}", "Caddyfile:5",
			[]string{"__Host- cookie must have path /"}},
		{"cookie path without a slash", "provider_token mercure {\n\tsecret x\n\tcookie m path hub\n}", "Caddyfile:5",
			[]string{"must start with /"}},
		{"secret from a relative file", "provider_token hms_app {\n\tkey k\n\tsecret {file.hms-secret}\n\tclaim role guest\n}", "Caddyfile:5",
			[]string{"{file.hms-secret} is not a file", "absolute path", "{file./run/secrets/hms-secret}"}},
		{"secret from an unset {$VAR}", "provider_token hms_app {\n\tkey k\n\tsecret {$TOKENMINT_SURELY_UNSET}\n\tclaim role guest\n}", "Caddyfile:5",
			[]string{"secret needs a value", "{$VAR}", "write {env.VAR}"}},
		{"session header without a name", "provider_token hms_app {\n\tsecret x\n\tsession header\n}", "Caddyfile:5",
			[]string{"session header takes the header's name"}},
		{"bad inject", "provider_token hms_app {\n\tsecret x\n\tinject Authorization\n}", "Caddyfile:5",
			[]string{"inject header <Name> [<scheme>]"}},
		{"HS512 on a preset that signs HS256", "provider_token hms_app {\n\tkey k\n\tsecret x\n\tclaim role host\n\talgorithm HS512\n}", "Caddyfile:3",
			[]string{"signed with HS256, not HS512"}},
		{"unknown type", "provider_token jwt {\n\tsecret x\n\tclaim n 1\n\ttype n float\n}", "Caddyfile:6",
			[]string{`unknown claim type "float"`}},
		{"claim given twice", "provider_token jwt {\n\tsecret x\n\tclaim n 1\n\tclaim n 2\n}", "Caddyfile:6",
			[]string{"claim n is given twice"}},
		{"generated claim", "provider_token jwt {\n\tsecret x\n\tclaim exp 1\n}", "Caddyfile:3",
			[]string{`claim "exp" is generated (set ttl to change exp)`}},
		{"max_body", "provider_token jwt {\n\tsecret x\n\tmax_body lots\n}", "Caddyfile:5",
			[]string{`max_body "lots"`}},
		{"request placeholder in secret", "provider_token jwt {\n\tsecret {query.s}\n}", "Caddyfile:4",
			[]string{"only {env.*} and {file.*}"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantAdaptError(t, site(c.block), c.line, c.want...) })
	}
}

func TestCaddyfileAdaptsToJSON(t *testing.T) {
	out, err := adapt(t, site(`route /token {
	provider_token hms_app {
		key     {env.HMS_KEY}
		secret  {env.HMS_SECRET}
		ttl     2h
		claim   role guest
		claim   room_id {query.room}
		allow   role guest host
		session anonymous
		max_body 1KiB
	}
}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"allow":{"role":["guest","host"]},"claims":{"role":["guest"],"room_id":["{http.request.uri.query.room}"]},"handler":"provider_token","key":"{env.HMS_KEY}","max_body":1024,"preset":"hms_app","secret":"{env.HMS_SECRET}","session":{"method":"anonymous"},"ttl":7200000000000}`
	if !strings.Contains(out, want) {
		t.Errorf("adapted JSON:\n%s\ndoes not hold the handler\n%s", out, want)
	}
}

func TestDirectiveOrder(t *testing.T) {
	// Written after respond and reverse_proxy, provider_token still runs
	// after basic_auth and before them.
	out, err := adapt(t, site(`reverse_proxy localhost:1
provider_token hms_app {
	key k
	secret {env.S}
	claim role guest
	claim room_id r
	inject header Authorization Bearer
}
basic_auth {
	alice `+aliceHash+`
}`))
	if err != nil {
		t.Fatal(err)
	}
	a, p, r := strings.Index(out, `"authentication"`), strings.Index(out, `"provider_token"`), strings.Index(out, `"reverse_proxy"`)
	if a < 0 || p < a || r < p {
		t.Fatalf("handler order authentication=%d provider_token=%d reverse_proxy=%d, want increasing: %s", a, p, r, out)
	}
}

func TestSessionJWTAdaptsToJSON(t *testing.T) {
	out, err := adapt(t, site(`provider_token hms_app {
	key k
	secret {env.S}
	claim role guest
	allow room_id {http.auth.user.rooms}
	session jwt {
		from cookie app_session
		from header Authorization Bearer
		secret {env.SESSION_SECRET}
		jwks https://id.example.com/.well-known/jwks.json
		algorithms RS256 HS256
		issuer https://id.example.com/
		audience tokenmint other
		leeway 10s
		user_claim uid
		require plan pro team
		strip
		realm app
		cache_size 500
	}
}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"method":"jwt","jwt":{"from":[{"source":"cookie","name":"app_session"},{"source":"header","name":"Authorization","scheme":"Bearer"}],"secrets":["{env.SESSION_SECRET}"],"jwks":"https://id.example.com/.well-known/jwks.json","algorithms":["RS256","HS256"],"issuers":["https://id.example.com/"],"audiences":["tokenmint","other"],"leeway":10000000000,"user_claim":"uid","require":{"plan":["pro","team"]},"strip":true,"realm":"app","cache_size":500}}`
	var cfg, wantSession any
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &wantSession); err != nil {
		t.Fatal(err)
	}
	h := findHandler(cfg, "provider_token")
	if h == nil {
		t.Fatalf("no provider_token handler in %s", out)
	}
	if got := h["session"]; !reflect.DeepEqual(got, wantSession) {
		gj, _ := json.Marshal(got)
		t.Errorf("session:\n got %s\nwant %s", gj, want)
	}
}

// findHandler finds the first object with "handler": name in adapted JSON.
func findHandler(v any, name string) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		if x["handler"] == name {
			return x
		}
		for _, e := range x {
			if h := findHandler(e, name); h != nil {
				return h
			}
		}
	case []any:
		for _, e := range x {
			if h := findHandler(e, name); h != nil {
				return h
			}
		}
	}
	return nil
}
