package caddymodule

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// jwtBlock is a provider_token whose session jwt block holds lines; the
// session line is Caddyfile:5 and the first line of the block :6.
func jwtBlock(lines ...string) string {
	return "provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\t" + strings.Join(lines, "\n\t\t") + "\n\t}\n}"
}

// TestBadIdentityCaddyfiles: the oidc syntax, repeatable jwks and the
// session_jwt directive fail at adapt time with the line and the fix.
func TestBadIdentityCaddyfiles(t *testing.T) {
	cases := []struct {
		name, block string
		line        string
		want        []string
	}{
		{"oidc without a URL", jwtBlock("oidc"), "Caddyfile:6",
			[]string{"oidc takes the issuer's URL", "oidc https://login.example.com/realms/staff"}},
		{"oidc with two URLs", jwtBlock("oidc https://a.example https://b.example"), "Caddyfile:6",
			[]string{"oidc takes the issuer's URL"}},
		{"oidc over plain http", jwtBlock("oidc http://login.example.com"), "Caddyfile:6",
			[]string{"is plain http", "use https"}},
		{"oidc with a query", jwtBlock("oidc https://login.example.com/?tenant=x"), "Caddyfile:6",
			[]string{"query or fragment", "as its tokens' iss names it"}},
		{"oidc twice", jwtBlock("oidc https://a.example", "oidc https://a.example"), "Caddyfile:7",
			[]string{"oidc https://a.example is given twice", "one block"}},
		{"unknown oidc subdirective", jwtBlock("oidc https://a.example {", "\taudiance x", "}"), "Caddyfile:7",
			[]string{`unknown oidc subdirective "audiance"`, "audience, user_claim, require, algorithms"}},
		{"oidc leeway is the session's", jwtBlock("oidc https://a.example {", "\tleeway 1m", "}"), "Caddyfile:7",
			[]string{`unknown oidc subdirective "leeway"`, "the session's other settings apply to every issuer"}},
		{"oidc user_claim without a value", jwtBlock("oidc https://a.example {", "\tuser_claim", "}"), "Caddyfile:7",
			[]string{"user_claim takes one value"}},
		{"oidc HS256", jwtBlock("oidc https://a.example {", "\talgorithms HS256", "}"), "Caddyfile:5",
			[]string{"HS256 is HMAC", "RS256"}},
		{"oidc with HMAC-only session algorithms", jwtBlock("secret s", "algorithms HS256", "oidc https://a.example"), "Caddyfile:5",
			[]string{"all HMAC", "algorithms RS256"}},
		{"jwks twice", jwtBlock("jwks https://k.example/jwks.json", "jwks https://k.example/jwks.json"), "Caddyfile:7",
			[]string{"jwks https://k.example/jwks.json is given twice"}},
		{"issuer that is an oidc issuer", jwtBlock("secret s", "issuer https://a.example", "oidc https://a.example"), "Caddyfile:5",
			[]string{"issuer https://a.example is also an oidc issuer", "remove it from issuer"}},
		{"issuer with only oidc keys", jwtBlock("issuer https://x.example", "oidc https://a.example"), "Caddyfile:5",
			[]string{"each oidc line is its own issuer", "remove issuer"}},
		{"session_jwt without a key", "session_jwt {\n\tfrom cookie s\n}", "Caddyfile:3",
			[]string{"session_jwt needs at least one key", "oidc"}},
		{"session_jwt with an argument", "session_jwt staff {\n\toidc https://a.example\n}", "Caddyfile:3",
			[]string{`session_jwt takes a block, not "staff"`}},
		{"session_jwt unknown subdirective", "session_jwt {\n\toidc https://a.example\n\tissuers x\n}", "Caddyfile:5",
			[]string{`unknown session_jwt subdirective "issuers"`, "from, secret, public_key, jwks, oidc"}},
		{"session_jwt from query", "session_jwt {\n\toidc https://a.example\n\tfrom query t\n}", "Caddyfile:3",
			[]string{"from query t", "access logs"}},
		{"session_jwt HS256 without a secret", "session_jwt {\n\toidc https://a.example\n\talgorithms HS256\n}", "Caddyfile:3",
			[]string{"algorithm HS256 needs a secret"}},
		{"session_jwt oidc over plain http", "session_jwt {\n\toidc http://a.example\n}", "Caddyfile:4",
			[]string{"is plain http"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantAdaptError(t, site(c.block), c.line, c.want...) })
	}
}

// TestIdentityAdaptsToJSON: the syntax, in provider_token's session
// jwt and as session_jwt, adapts to the JSON README documents.
func TestIdentityAdaptsToJSON(t *testing.T) {
	block := `
	oidc https://login.example.com/realms/staff
	oidc https://YOUR_TENANT.auth0.com/ {
		audience https://api.example.com
		user_claim email
	}
	jwks https://keys.example.net/jwks.json   # now repeatable too
	jwks https://keys.example.net/old.json
	from cookie app_session`
	wantJWT := `{"from":[{"source":"cookie","name":"app_session"}],"oidc":[{"issuer":"https://login.example.com/realms/staff"},{"issuer":"https://YOUR_TENANT.auth0.com/","audiences":["https://api.example.com"],"user_claim":"email"}],"jwks":["https://keys.example.net/jwks.json","https://keys.example.net/old.json"]}`
	var want any
	if err := json.Unmarshal([]byte(wantJWT), &want); err != nil {
		t.Fatal(err)
	}

	out, err := adapt(t, site("provider_token hms_app {\n\tkey k\n\tsecret {env.S}\n\tclaim role guest\n\tsession jwt {"+block+"\n\t}\n}"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg any
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatal(err)
	}
	h := findHandler(cfg, "provider_token")
	if got := h["session"].(map[string]any)["jwt"]; !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		t.Errorf("session jwt:\n got %s\nwant %s", gj, wantJWT)
	}

	out, err = adapt(t, site("session_jwt {"+block+"\n}\nrespond {http.auth.user.id}"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatal(err)
	}
	h = findHandler(cfg, "authentication")
	if h == nil {
		t.Fatalf("no authentication handler in %s", out)
	}
	if got := h["providers"].(map[string]any)["session_jwt"]; !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		t.Errorf("session_jwt provider:\n got %s\nwant %s", gj, wantJWT)
	}
}

// TestSessionJWTDirectiveOrder: written last, session_jwt runs where
// basic_auth does: before provider_token, respond and reverse_proxy.
func TestSessionJWTDirectiveOrder(t *testing.T) {
	out, err := adapt(t, site(`reverse_proxy localhost:1
respond /x 200
provider_token hms_app {
	key k
	secret {env.S}
	claim role guest
	claim room_id r
	inject header Authorization Bearer
}
session_jwt {
	oidc https://login.example.com/realms/staff
}`))
	if err != nil {
		t.Fatal(err)
	}
	a, p, s, r := strings.Index(out, `"authentication"`), strings.Index(out, `"provider_token"`), strings.Index(out, `"static_response"`), strings.Index(out, `"reverse_proxy"`)
	if a < 0 || p < a || s < a || r < p {
		t.Fatalf("handler order authentication=%d provider_token=%d static_response=%d reverse_proxy=%d, want authentication first: %s", a, p, s, r, out)
	}
}

// TestREADMEIdentityProviders: README has a subsection per common
// identity provider under "Identity providers: `oidc`", each with a
// session_jwt block whose oidc line adapts, and the session_jwt composition
// adapts. (.ci/doc-blocks adapts every block with the built Caddy too.)
func TestREADMEIdentityProviders(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "\n### Identity providers: `oidc`")
	end := strings.Index(readme, "\n### `session_jwt`: the user for the whole site")
	if start < 0 || end < start {
		t.Fatal("README has no Identity providers section followed by the session_jwt section")
	}
	section := readme[start:end]
	composition := readme[end:]
	if next := strings.Index(composition[1:], "\n## "); next > 0 {
		composition = composition[:next+1]
	}
	var providers []string
	for _, part := range strings.Split(section, "\n#### ")[1:] {
		name, body, _ := strings.Cut(part, "\n")
		i := strings.Index(body, "```caddyfile\n")
		if i < 0 {
			continue
		}
		block := body[i+len("```caddyfile\n"):]
		block = block[:strings.Index(block, "```")]
		providers = append(providers, name)
		t.Run(name, func(t *testing.T) {
			if !strings.HasPrefix(block, "session_jwt {\n\toidc https://") {
				t.Fatalf("the block is not a session_jwt block with an oidc line: %q", block)
			}
			if _, err := adapt(t, site(block+"respond {http.auth.user.id}")); err != nil {
				t.Fatalf("%v\n%s", err, block)
			}
		})
	}
	want := []string{"Auth0", "Keycloak", "Microsoft Entra ID", "Amazon Cognito", "Google", "Okta", "Zitadel", "Authentik", "Supabase", "Firebase Authentication", "Clerk"}
	if !reflect.DeepEqual(providers, want) {
		t.Errorf("README covers %q, want %q", providers, want)
	}
	i := strings.Index(composition, "```caddyfile\napp.example.com {")
	if i < 0 {
		t.Fatal("no session_jwt composition in its section")
	}
	comp := composition[i+len("```caddyfile\n"):]
	comp = comp[:strings.Index(comp, "```")]
	if _, err := adapt(t, comp); err != nil {
		t.Errorf("the session_jwt composition: %v", err)
	}
}
