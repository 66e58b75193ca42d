package caddymodule

import (
	"encoding/json"
	"strings"
	"testing"
)

// The syntax, as written (comments included), with a route that
// signs with each ring.
const keyringsAsWritten = `{
	provider_token_keys {
		ring main {
			key /etc/tokenmint/2026-12.pem     # repeatable: the first signs, every key is published
			key /etc/tokenmint/2026-06.pem
		}
		ring managed {
			auto ES256 {                      # generated on first use, kept in Caddy storage
				rotate 30d                    # default 30d
			}
		}
	}
}

tokens.example.com {
	handle /.well-known/* {
		provider_token_jwks main managed {
			issuer https://tokens.example.com
		}
	}
	handle /token {
		provider_token jwt {
			keyring managed
			claim iss https://tokens.example.com
		}
	}
	handle /legacy {
		provider_token jwt {
			keyring main
			algorithm PS256
		}
	}
}
`

func TestKeyringCaddyfileAsWritten(t *testing.T) {
	out, err := adapt(t, keyringsAsWritten)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Apps struct {
			Tokenmint json.RawMessage `json:"tokenmint"`
		} `json:"apps"`
	}
	if err := json.Unmarshal([]byte(out), &cfg); err != nil {
		t.Fatal(err)
	}
	want := `{"key_rings":{"main":{"keys":[{"file":"/etc/tokenmint/2026-12.pem"},{"file":"/etc/tokenmint/2026-06.pem"}]},` +
		`"managed":{"auto":{"algorithm":"ES256","rotate":2592000000000000}}}}`
	if string(cfg.Apps.Tokenmint) != want {
		t.Errorf("tokenmint app:\n got %s\nwant %s", cfg.Apps.Tokenmint, want)
	}
	for _, h := range []string{
		`{"handler":"provider_token_jwks","issuer":"https://tokens.example.com","rings":["main","managed"]}`,
		`"handler":"provider_token","keyring":"managed","preset":"jwt"`,
		`"algorithm":"PS256"`,
	} {
		if !strings.Contains(out, h) {
			t.Errorf("adapted JSON lacks %s:\n%s", h, out)
		}
	}
	// Named kids, the ring's algorithm, and the default rotation.
	out, err = adapt(t, `{
	provider_token_keys {
		ring r {
			key /k1.pem 2026-12
			key /k2.pem
			algorithm PS256
		}
		ring a {
			auto EdDSA
		}
	}
}
`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"key_rings":{"a":{"auto":{"algorithm":"EdDSA"}},"r":{"keys":[{"file":"/k1.pem","kid":"2026-12"},{"file":"/k2.pem"}],"algorithm":"PS256"}}`; !strings.Contains(out, want) {
		t.Errorf("adapted JSON:\n%s\nlacks\n%s", out, want)
	}
}

func TestKeyringBadCaddyfiles(t *testing.T) {
	const globals = "{\n\tprovider_token_keys {\n\t\tring pem {\n\t\t\tkey /k.pem\n\t\t}\n\t\tring es {\n\t\t\tauto ES256\n\t\t}\n\t}\n}\n\n"
	// In a site after globals, a directive's first line is line 14.
	inSite := func(block string) string { return globals + "localhost\n\n" + block + "\n" }
	cases := []struct {
		name, caddyfile string
		line            string
		want            []string
	}{
		{"unknown algorithm", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t\tauto ES512\n\t\t}\n\t}\n}\n", "Caddyfile:4",
			[]string{"auto ES512", "ES256, ES384, EdDSA, RS256, PS256"}},
		{"short rotation", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t\tauto ES256 {\n\t\t\t\trotate 10s\n\t\t\t}\n\t\t}\n\t}\n}\n", "Caddyfile:5",
			[]string{`rotate "10s"`, "at least 1m0s"}},
		{"keys and auto", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t\tkey /k.pem\n\t\t\tauto ES256\n\t\t}\n\t}\n}\n", "Caddyfile:3",
			[]string{"give key lines or auto, not both"}},
		{"empty ring", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t}\n\t}\n}\n", "Caddyfile:3",
			[]string{"ring r has no keys"}},
		{"bad ring name", "{\n\tprovider_token_keys {\n\t\tring a/b {\n\t\t\tauto ES256\n\t\t}\n\t}\n}\n", "Caddyfile:3",
			[]string{`ring name "a/b"`}},
		{"ring twice", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t\tauto ES256\n\t\t}\n\t\tring r {\n\t\t\tauto ES256\n\t\t}\n\t}\n}\n", "Caddyfile:6",
			[]string{"ring r is defined twice"}},
		{"unknown ring subdirective", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t\tkeys /k.pem\n\t\t}\n\t}\n}\n", "Caddyfile:4",
			[]string{`unknown ring subdirective "keys"`}},
		{"HMAC algorithm", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t\tkey /k.pem\n\t\t\talgorithm HS256\n\t\t}\n\t}\n}\n", "Caddyfile:3",
			[]string{"a ring signs RS*, PS*, ES* or EdDSA"}},
		{"kid twice", "{\n\tprovider_token_keys {\n\t\tring r {\n\t\t\tkey /a.pem k\n\t\t\tkey /b.pem k\n\t\t}\n\t}\n}\n", "Caddyfile:3",
			[]string{`kid "k" names two keys`}},
		{"unknown keyring", inSite("provider_token jwt {\n\tkeyring nope\n}"), "Caddyfile:14",
			[]string{"keyring nope: no such ring", "provider_token_keys { ring nope"}},
		{"keyring without the global option", "localhost\n\nprovider_token jwt {\n\tkeyring nope\n}\n", "Caddyfile:3",
			[]string{"keyring nope: no such ring"}},
		{"keyring on an HMAC preset", inSite("provider_token livekit {\n\tkey k\n\tkeyring es\n}"), "Caddyfile:14",
			[]string{"livekit tokens are signed with HS256", "takes `secret`, not a key ring"}},
		{"keyring of the wrong algorithm", inSite("provider_token jaas {\n\tkeyring es\n\tclaim sub vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe\n}"), "Caddyfile:14",
			[]string{"keyring es signs ES256", "jaas tokens are signed with RS256", "auto RS256"}},
		{"keyring and secret", inSite("provider_token jwt {\n\tkeyring es\n\tsecret {env.S}\n}"), "Caddyfile:14",
			[]string{"give keyring or secret, not both"}},
		{"keyring and signing_key", inSite("provider_token jwt {\n\tkeyring es\n\tsigning_key /k.pem\n}"), "Caddyfile:14",
			[]string{"give keyring or signing_key, not both"}},
		{"keyring and kid", inSite("provider_token jwt {\n\tkeyring es\n\tkid mine\n}"), "Caddyfile:14",
			[]string{"kid comes from the key ring", "remove kid"}},
		{"keyring and header kid", inSite("provider_token jwt {\n\tkeyring es\n\theader kid mine\n}"), "Caddyfile:14",
			[]string{"kid comes from the key ring"}},
		{"keyring and another algorithm", inSite("provider_token jwt {\n\tkeyring es\n\talgorithm ES384\n}"), "Caddyfile:14",
			[]string{"keyring es signs ES256, not ES384", "remove `algorithm`"}},
		{"jwks without rings", inSite("provider_token_jwks"), "Caddyfile:14",
			[]string{"needs the rings to publish"}},
		{"jwks of an unknown ring", inSite("provider_token_jwks es nope"), "Caddyfile:14",
			[]string{"no ring nope", "provider_token_keys"}},
		{"jwks issuer over http", inSite("provider_token_jwks es {\n\tissuer http://tokens.example.com\n}"), "Caddyfile:15",
			[]string{"must be https"}},
		{"jwks issuer with a query", inSite("provider_token_jwks es {\n\tissuer https://tokens.example.com/?a=b\n}"), "Caddyfile:15",
			[]string{"no query or fragment"}},
		{"jwks unknown subdirective", inSite("provider_token_jwks es {\n\tissuers https://x\n}"), "Caddyfile:15",
			[]string{`unknown subdirective "issuers"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantAdaptError(t, c.caddyfile, c.line, c.want...) })
	}
}
