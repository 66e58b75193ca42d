package tokens

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var uuidInJSON = regexp.MustCompile(`"jti":"[0-9a-f-]{36}"`)

// noPlaceholders is a Config.Dynamic for static claims that hold braces:
// JSON, and URI templates such as {resource}.
func noPlaceholders(string) bool { return false }

func TestMercureGolden(t *testing.T) {
	t.Run("0.x subscriber, the spec's example", func(t *testing.T) {
		tmpl := compile(t, "mercure", Config{Dynamic: noPlaceholders, Claims: map[string][]string{
			"mercure.subscribe": {"https://example.com/users/42/{resource}"},
			"mercure.payload":   {`{"user": "https://example.com/users/42"}`},
		}})
		const want = `{"sub":"42","mercure":{"subscribe":["https://example.com/users/42/{resource}"],"payload":{"user":"https://example.com/users/42"}},"iat":1764000000,"exp":1764003600,"jti":"JTI"}`
		m := golden(t, tmpl, Input{User: "42"}, hs256Header, want)
		if !uuidRE.MatchString(m.JTI()) {
			t.Errorf("jti %q is not a UUIDv4", m.JTI())
		}
		wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
	})
	t.Run("0.x publisher, ES256", func(t *testing.T) {
		tmpl := compile(t, "mercure", Config{Signer: mustAsym(t, "ES256", testP256Key()), Anonymous: true, TTL: 5 * time.Minute,
			Claims: map[string][]string{"mercure.publish": {"*"}}})
		goldenKey(t, tmpl, Input{}, testP256Key().Public(), `{"alg":"ES256","typ":"JWT"}`,
			`{"mercure":{"publish":["*"]},"iat":1764000000,"exp":1764000300,"jti":"JTI"}`)
	})
}

// mercure10 is the 1.0 docs' example: a publisher of every topic that
// subscribes to its notifications and, by a urlpattern entry written in
// the config, to every book.
func mercure10(t *testing.T, claims map[string][]string) *Template {
	c := map[string][]string{
		"iss":               {"https://example.com"},
		"aud":               {"https://hub.example.com/.well-known/mercure"},
		"mercure.publish":   {"*"},
		"mercure.subscribe": {"https://example.com/users/42/notifications"},
		"mercure.payload":   {`{"user": "https://example.com/users/42"}`},
		"authorization_details": {`[{"type": "https://mercure.rocks/authorization-detail", "actions": ["subscribe"],
			"topics": [{"match": "https://example.com/books/:id", "match_type": "urlpattern"}]}]`},
	}
	for k, v := range claims {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return compile(t, "mercure", Config{Dynamic: noPlaceholders, Options: map[string]string{"profile": "1.0"},
		Header: map[string]string{"typ": "at+jwt"}, Claims: c})
}

const mercure10Header = `{"alg":"HS256","typ":"at+jwt"}`

func TestMercure10Golden(t *testing.T) {
	const detail = `{"type":"https://mercure.rocks/authorization-detail",`
	for _, tc := range []struct {
		name   string
		claims map[string][]string
		want   string // the payload, byte for byte but the jti
	}{
		{"the docs' example", nil,
			`{"iss":"https://example.com","sub":"https://example.com/users/42","client_id":"https://example.com","aud":["https://hub.example.com/.well-known/mercure"],` +
				`"authorization_details":[` + detail + `"actions":["subscribe"],"topics":[{"match":"https://example.com/books/:id","match_type":"urlpattern"}]},` +
				detail + `"actions":["publish"],"topics":[{"match":"*","match_type":"exact"}]},` +
				detail + `"actions":["subscribe"],"topics":[{"match":"https://example.com/users/42/notifications","match_type":"exact"}],"payload":{"user":"https://example.com/users/42"}}],` +
				`"iat":1764000000,"exp":1764003600,"jti":"JTI"}`},
		{"own client_id, topics only", map[string][]string{"client_id": {"app"}, "authorization_details": nil, "mercure.payload": nil,
			"mercure.subscribe": {"https://example.com/a", "https://example.com/b"}},
			`{"iss":"https://example.com","sub":"https://example.com/users/42","client_id":"app","aud":["https://hub.example.com/.well-known/mercure"],` +
				`"authorization_details":[` + detail + `"actions":["publish"],"topics":[{"match":"*","match_type":"exact"}]},` +
				detail + `"actions":["subscribe"],"topics":[{"match":"https://example.com/a","match_type":"exact"},{"match":"https://example.com/b","match_type":"exact"}]}],` +
				`"iat":1764000000,"exp":1764003600,"jti":"JTI"}`},
		{"no grant at all", map[string][]string{"authorization_details": nil, "mercure.publish": nil, "mercure.subscribe": nil,
			"aud": {"https://hub-a.example.com/.well-known/mercure", "https://hub-b.example.com/.well-known/mercure"}},
			`{"iss":"https://example.com","sub":"https://example.com/users/42","client_id":"https://example.com",` +
				`"aud":["https://hub-a.example.com/.well-known/mercure","https://hub-b.example.com/.well-known/mercure"],` +
				`"iat":1764000000,"exp":1764003600,"jti":"JTI"}`},
		{"an empty list of own entries", map[string][]string{"authorization_details": {"[]"}, "mercure.subscribe": nil},
			`{"iss":"https://example.com","sub":"https://example.com/users/42","client_id":"https://example.com","aud":["https://hub.example.com/.well-known/mercure"],` +
				`"authorization_details":[` + detail + `"actions":["publish"],"topics":[{"match":"*","match_type":"exact"}]}],` +
				`"iat":1764000000,"exp":1764003600,"jti":"JTI"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := mercure10(t, tc.claims)
			// Twice: Finish's Set and Unset must not leak into the next mint.
			for range 2 {
				m := golden(t, tmpl, Input{User: "https://example.com/users/42"}, mercure10Header, tc.want)
				raw := rawPayload(t, m.Token)
				if got := uuidInJSON.ReplaceAllString(raw, `"jti":"JTI"`); got != tc.want {
					t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
				}
			}
		})
	}
}

func TestMercure10Refusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		claim string
	}{{"no iss", "iss"}, {"no aud", "aud"}} {
		t.Run(tc.name, func(t *testing.T) {
			// A config error, at load, naming the claim to set.
			c := map[string][]string{"mercure.subscribe": {"https://example.com/a"}, "iss": {"https://example.com"}, "aud": {"https://hub.example.com"}}
			delete(c, tc.claim)
			p, _ := Lookup("mercure")
			_, err := Compile(p, Config{Signer: mustHMAC(t, "HS256", testSecret), Options: map[string]string{"profile": "1.0"}, Claims: c})
			if err == nil || !strings.Contains(err.Error(), "`claim "+tc.claim+" <value>`") {
				t.Fatalf("Compile without %s: %v, want an error naming `claim %s <value>`", tc.claim, err, tc.claim)
			}
		})
	}
	// The same config under 0.x needs neither.
	tmpl := compile(t, "mercure", Config{Claims: map[string][]string{"mercure.subscribe": {"https://example.com/a"}}})
	if _, err := tmpl.Mint(now, Input{User: "42"}); err != nil {
		t.Errorf("0.x without iss and aud: %v", err)
	}
}

func TestMercureConfigErrors(t *testing.T) {
	p, err := Lookup("mercure")
	if err != nil {
		t.Fatal(err)
	}
	hs := mustHMAC(t, "HS256", testSecret)
	claims := func(kv ...string) Config {
		c := Config{Signer: hs, Dynamic: noPlaceholders, Claims: map[string][]string{}}
		for i := 0; i < len(kv); i += 2 {
			c.Claims[kv[i]] = []string{kv[i+1]}
		}
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"authorization_details an object", claims("authorization_details", `{"type":"x"}`)},
		{"authorization_details null", claims("authorization_details", `null`)},
		{"authorization_details of numbers", claims("authorization_details", `[1]`)},
		{"authorization_details of null", claims("authorization_details", `[null]`)},
		{"payload not JSON", claims("mercure.payload", `{user}`)},
		{"mercure as a claim", claims("mercure", `{}`)},
		{"jti", claims("jti", "x")},
		{"unknown profile", Config{Signer: hs, Options: map[string]string{"profile": "2.0"}}},
		{"unknown option", Config{Signer: hs, Options: map[string]string{"version": "1.0"}}},
		{"ttl above 30 days", Config{Signer: hs, TTL: 31 * 24 * time.Hour}},
		{"PS256", Config{Signer: mustAsym(t, "PS256", testRSAKey())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			} else {
				t.Logf("%v", err)
			}
		})
	}
}
