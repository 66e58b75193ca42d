package caddymodule

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestJWKSVerifiedPresets: the presets whose providers fetch a JWKS
// (convex, powersync, hasura's jwk_url, grafana's jwk_set_url, cube's
// CUBEJS_JWK_URL, supabase's imported keys) sign with a key ring unchanged:
// the kid is the ring key's, and every token verifies against the JWKS
// provider_token_jwks serves, as the provider would.
func TestJWKSVerifiedPresets(t *testing.T) {
	dir := t.TempDir()
	tester := serveWith(t, `	storage file_system `+dir+`
	provider_token_keys {
		ring issuer {
			auto ES256
		}
	}
`, `
http://localhost:9080 {
	handle /.well-known/* {
		provider_token_jwks issuer
	}
	handle /convex {
		provider_token convex {
			keyring issuer
			session anonymous
			claim sub u1
			claim iss http://localhost:9080
			claim aud my-app
		}
	}
	handle /powersync {
		provider_token powersync {
			keyring issuer
			session anonymous
			claim sub u1
			option endpoint https://abc.powersync.journeyapps.com
		}
	}
	handle /hasura {
		provider_token hasura {
			keyring issuer
			session anonymous
			claim sub u1
			claim claims.x-hasura-default-role user
			claim claims.x-hasura-allowed-roles user
		}
	}
	handle /grafana {
		provider_token grafana {
			keyring issuer
			session anonymous
			claim sub u1
			claim login u1
		}
	}
	handle /cube {
		provider_token cube {
			keyring issuer
			session anonymous
			claim sub u1
			claim tenant_id acme
		}
	}
	handle /supabase {
		provider_token supabase {
			keyring issuer
			session anonymous
			claim sub u1
		}
	}
}
`)
	toks := map[string]string{}
	for _, route := range []string{"convex", "powersync", "hasura", "grafana", "cube", "supabase"} {
		r := call(t, tester, "GET", "/"+route, "")
		wantStatus(t, r, 200)
		body := r.json(t)
		tok, _ := body["token"].(string)
		if route == "supabase" {
			tok, _ = body["access_token"].(string)
		}
		toks[route] = tok
	}
	set, _ := fetchJWKS(t, tester, "/.well-known/jwks.json")
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys, want the ring's one", len(set.Keys))
	}
	for route, tok := range toks {
		h, c := verifyByJWKS(t, set, tok)
		if h["kid"] != set.Keys[0].KeyID || h["alg"] != "ES256" {
			t.Errorf("%s: header %v, want the ring key's kid and ES256", route, h)
		}
		if c["sub"] != "u1" {
			t.Errorf("%s: sub %v", route, c["sub"])
		}
	}

	// jose, as the providers' Node backends verify: the remote JWKS by URL,
	// the issuer and audience where the provider checks them.
	node := joseRunner(t)
	checks := map[string]map[string]any{}
	for route, tok := range toks {
		checks[route] = map[string]any{"token": tok, "algorithms": []string{"ES256"}}
	}
	checks["convex"]["issuer"], checks["convex"]["audience"] = withPorts("http://localhost:9080"), "my-app"
	checks["powersync"]["audience"] = "https://abc.powersync.journeyapps.com"
	// A token the JWKS does not know must fail, or the check proves nothing.
	checks["tampered"] = map[string]any{"token": toks["convex"][:len(toks["convex"])-4] + "AAAA", "algorithms": []string{"ES256"}}
	in, _ := json.Marshal(checks)
	cmd := node("published_jwks.mjs", base+"/.well-known/jwks.json")
	cmd.Stdin = strings.NewReader(string(in))
	out, _ := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, l := range lines {
		t.Log("jose: " + l)
	}
	for route := range checks {
		want := "ok   " + route + ":"
		if route == "tampered" {
			want = "FAIL tampered:"
		}
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Errorf("jose did not report %q; output:\n%s", want, out)
		}
	}
}

// joseRunner returns a command maker for the scripts in interop/node, whose
// node_modules interop/run installs (npm ci). Without them the test skips,
// unless TOKENMINT_REQUIRE_JOSE is set (.ci/issuer-test sets it).
func joseRunner(t *testing.T) func(script string, args ...string) *exec.Cmd {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "interop", "node"))
	_, err := os.Stat(filepath.Join(dir, "node_modules", "jose"))
	node, lookErr := exec.LookPath("node")
	if err != nil || lookErr != nil {
		if os.Getenv("TOKENMINT_REQUIRE_JOSE") != "" {
			t.Fatalf("node or interop/node/node_modules/jose is missing (run interop/run first): %v %v", err, lookErr)
		}
		t.Skip("interop/node has no node_modules (interop/run installs them); .ci/issuer-test runs this with jose")
	}
	return func(script string, args ...string) *exec.Cmd {
		cmd := exec.Command(node, append([]string{filepath.Join(dir, script)}, args...)...)
		cmd.Dir = dir
		return cmd
	}
}
