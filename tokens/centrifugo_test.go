package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCentrifugoGolden(t *testing.T) {
	t.Run("connection, the docs' example", func(t *testing.T) {
		tmpl := compile(t, "centrifugo", Config{Claims: map[string][]string{"info": {`{"name": "Alexander Emelin"}`}}})
		const want = `{"sub":"42","info":{"name":"Alexander Emelin"},"iat":1764000000,"exp":1764000600}`
		m := golden(t, tmpl, Input{User: "42"}, hs256Header, want)
		if got := rawPayload(t, m.Token); got != want {
			t.Errorf("raw payload:\n got %s\nwant %s", got, want)
		}
		wantAnswer(t, tmpl, &m, 200, "", `{"token":"`+m.Token+`"}`)
	})
	t.Run("connection with server-side channels, RS256", func(t *testing.T) {
		tmpl := compile(t, "centrifugo", Config{Signer: mustAsym(t, "RS256", testRSAKey()), TTL: time.Hour,
			Claims: map[string][]string{"channels": {"news", "personal:#42"}, "aud": {"centrifugo"}, "iss": {"https://app.example.com"}}})
		const want = `{"sub":"42","aud":"centrifugo","iss":"https://app.example.com","channels":["news","personal:#42"],"iat":1764000000,"exp":1764003600}`
		m := goldenKey(t, tmpl, Input{User: "42"}, testRSAKey().Public(), `{"alg":"RS256","typ":"JWT"}`, want)
		if got := rawPayload(t, m.Token); got != want {
			t.Errorf("raw payload:\n got %s\nwant %s", got, want)
		}
	})
	t.Run("anonymous connection", func(t *testing.T) {
		tmpl := compile(t, "centrifugo", Config{Anonymous: true})
		golden(t, tmpl, Input{}, hs256Header, `{"iat":1764000000,"exp":1764000600}`)
	})
	t.Run("subscription, channel from the request", func(t *testing.T) {
		tmpl := compile(t, "centrifugo_subscription", Config{Signer: mustAsym(t, "ES256", testP256Key()),
			Allow: map[string][]string{"channel": {"news", "chat:lobby"}}})
		const want = `{"sub":"42","channel":"chat:lobby","iat":1764000000,"exp":1764000600}`
		m := goldenKey(t, tmpl, bodyInput("42", map[string]Value{"channel": S("chat:lobby")}), testP256Key().Public(), `{"alg":"ES256","typ":"JWT"}`, want)
		if got := rawPayload(t, m.Token); got != want {
			t.Errorf("raw payload:\n got %s\nwant %s", got, want)
		}
	})
	t.Run("subscription, configured channel and info", func(t *testing.T) {
		tmpl := compile(t, "centrifugo_subscription", Config{
			Claims: map[string][]string{"channel": {"personal:#{user}"}, "info": {`{"role":"owner"}`}},
			// {user} is a placeholder; JSON text is not.
			Dynamic: func(s string) bool { return strings.Contains(s, "{user}") }})
		req := &fakeRequest{params: map[string]Value{"channel": S("personal:#42")}, vars: map[string]string{"user": "42"}}
		golden(t, tmpl, Input{User: "42", Request: req, Contract: true}, hs256Header,
			`{"sub":"42","channel":"personal:#42","info":{"role":"owner"},"iat":1764000000,"exp":1764000600}`)
	})
}

// Every algorithm Centrifugo verifies, with the key type that signs it;
// the default is the first the key fits.
func TestCentrifugoAlgorithms(t *testing.T) {
	testP521Key, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		alg string
		key crypto.Signer // nil: HMAC
	}{
		{"HS256", nil}, {"HS384", nil}, {"HS512", nil},
		{"RS256", testRSAKey()}, {"RS384", testRSAKey()}, {"RS512", testRSAKey()},
		{"ES256", testP256Key()}, {"ES384", testP384Key()}, {"ES512", testP521Key},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			var s Signer
			if tc.key == nil {
				s = mustHMAC(t, tc.alg, testSecret)
			} else {
				s = mustAsym(t, tc.alg, tc.key)
			}
			for _, preset := range []string{"centrifugo", "centrifugo_subscription"} {
				cfg := Config{Signer: s}
				if preset == "centrifugo_subscription" {
					cfg.Claims = map[string][]string{"channel": {"news"}}
				}
				tmpl := compile(t, preset, cfg)
				m, err := tmpl.Mint(now, Input{User: "42"})
				if err != nil {
					t.Fatal(err)
				}
				header := `{"alg":"` + tc.alg + `","typ":"JWT"}`
				if tc.key == nil {
					h, _ := decode(t, m.Token, tc.alg, testSecret)
					if !equalJSON(t, h, header) {
						t.Errorf("%s header = %v, want %s", preset, h, header)
					}
					continue
				}
				h, _ := verifyKey(t, m.Token, tc.alg, tc.key.Public())
				if !equalJSON(t, h, header) {
					t.Errorf("%s header = %v, want %s", preset, h, header)
				}
			}
		})
	}
}

func equalJSON(t *testing.T, got map[string]any, want string) bool {
	t.Helper()
	w := mustJSON(t, want)
	if len(w) != len(got) {
		return false
	}
	for k, v := range w {
		if got[k] != v {
			return false
		}
	}
	return true
}

func TestCentrifugoRefusals(t *testing.T) {
	allowed := compile(t, "centrifugo_subscription", Config{Allow: map[string][]string{"channel": {"news", "chat:lobby"}}})
	bare := compile(t, "centrifugo_subscription", Config{})
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", allowed, bodyInput("", map[string]Value{"channel": S("news")}), http.StatusUnauthorized, ""},
		{"no channel", allowed, bodyInput("42", nil), http.StatusBadRequest, "channel"},
		// An empty channel is not among the allowed ones.
		{"empty channel", allowed, bodyInput("42", map[string]Value{"channel": S("")}), http.StatusForbidden, "channel"},
		{"channel not allowed", allowed, bodyInput("42", map[string]Value{"channel": S("admin")}), http.StatusForbidden, "channel"},
		{"channel with a newline", allowed, bodyInput("42", map[string]Value{"channel": S("news\n")}), http.StatusBadRequest, "channel"},
		{"channel too long", allowed, bodyInput("42", map[string]Value{"channel": S(strings.Repeat("c", 256))}), http.StatusBadRequest, "channel"},
		{"channel a list", allowed, bodyInput("42", map[string]Value{"channel": L("news", "chat:lobby")}), http.StatusBadRequest, "channel"},
		// Without claim or allow, no request can choose a channel.
		{"channel chosen without allow", bare, bodyInput("42", map[string]Value{"channel": S("news")}), http.StatusForbidden, "channel"},
		// Inject mode reads no request fields: the claim is what is missing.
		{"inject mode without a channel", allowed, Input{User: "42"}, http.StatusBadRequest, "channel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
			if tc.name == "inject mode without a channel" && e.Param != "" {
				t.Errorf("inject mode: Param = %q, want none", e.Param)
			}
		})
	}
}

func TestCentrifugoConfigErrors(t *testing.T) {
	hs := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name, preset string
		cfg          Config
	}{
		{"channel on a connection token", "centrifugo", Config{Signer: hs, Claims: map[string][]string{"channel": {"news"}}}},
		{"channels on a subscription token", "centrifugo_subscription", Config{Signer: hs, Claims: map[string][]string{"channels": {"news"}}}},
		{"info not an object", "centrifugo", Config{Signer: hs, Claims: map[string][]string{"info": {`["a"]`}}}},
		{"exp", "centrifugo", Config{Signer: hs, Claims: map[string][]string{"exp": {"1"}}}},
		{"ttl above 30 days", "centrifugo", Config{Signer: hs, TTL: 31 * 24 * time.Hour}},
		{"ttl below 10s", "centrifugo_subscription", Config{Signer: hs, TTL: time.Second}},
		{"PS256", "centrifugo", Config{Signer: mustAsym(t, "PS256", testRSAKey())}},
		{"EdDSA", "centrifugo_subscription", Config{Signer: mustAsym(t, "EdDSA", testEd25519Key())}},
		{"allow for an unknown claim", "centrifugo_subscription", Config{Signer: hs, Allow: map[string][]string{"channels": {"a"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Lookup(tc.preset)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			} else {
				t.Logf("%v", err)
			}
		})
	}
}
