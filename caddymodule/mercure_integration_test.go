package caddymodule

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// mercureCookie finds the named cookie among a response's Set-Cookie
// headers.
func mercureCookie(t *testing.T, r response, name string) *http.Cookie {
	t.Helper()
	for _, line := range r.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s cookie among %q", name, r.header.Values("Set-Cookie"))
	return nil
}

// TestMercureContract drives the mercure preset through a real Caddy: the
// 0.x token as {token} and as the mercureAuthorization cookie, URI
// template braces escaped in the Caddyfile and kept in the token, and the
// 1.0 profile's at+jwt access token in the __Secure-mercure_access_token
// cookie.
func TestMercureContract(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// Entries of the config's own, from a file, as the README's 1.0
	// example gives them.
	details := filepath.Join(t.TempDir(), "details.json")
	if err := os.WriteFile(details, []byte(`[{"type":"https://mercure.rocks/authorization-detail","actions":["subscribe"],`+
		`"topics":[{"match":"https://example.com/books/:id","match_type":"urlpattern"}]}]`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /mercure/token {
		provider_token mercure {
			secret {env.TM_SECRET}
			claim  mercure.publish   https://example.com/books/\{id\}
			claim  mercure.subscribe https://example.com/users/{http.auth.user.id}/\{resource\}
			claim  mercure.payload `+"`"+`\{"user": "https://example.com/users/{http.auth.user.id}"\}`+"`"+`
		}
	}
	handle /mercure/login {
		provider_token mercure {
			secret {env.TM_SECRET}
			ttl    2h
			claim  mercure.subscribe https://example.com/users/{http.auth.user.id}/\{resource\}
			cookie mercureAuthorization path /.well-known/mercure
		}
	}
	handle /mercure/v1 {
		provider_token mercure {
			signing_key `+writeSigningKey(t, ecKey, false)+`
			option profile 1.0
			typ    at+jwt
			claim  iss https://example.com
			claim  aud https://hub.example.com/.well-known/mercure
			claim  mercure.subscribe https://example.com/users/{http.auth.user.id}/notifications
			claim  authorization_details {file.`+details+`}
			cookie __Secure-mercure_access_token path /.well-known/mercure
		}
	}
}
`)
	start := time.Now()

	t.Run("0.x token, template braces kept", func(t *testing.T) {
		r := call(t, tester, "POST", "/mercure/token", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {token}", body)
		}
		h, c := claims(t, body["token"].(string), "HS256", testSecret)
		if len(h) != 2 || h["typ"] != "JWT" {
			t.Errorf("header = %v", h)
		}
		// A static template (publish) and one beside a placeholder
		// (subscribe) both keep their braces.
		want := map[string]any{
			"publish":   []any{"https://example.com/books/{id}"},
			"subscribe": []any{"https://example.com/users/alice/{resource}"},
			"payload":   map[string]any{"user": "https://example.com/users/alice"},
		}
		if !reflect.DeepEqual(c["mercure"], want) {
			t.Errorf("mercure = %v, want %v", c["mercure"], want)
		}
		lifetime(t, c, start, 3600)
	})

	t.Run("0.x cookie: 204 and mercureAuthorization", func(t *testing.T) {
		r := call(t, tester, "POST", "/mercure/login", "", alice...)
		wantStatus(t, r, 204)
		if r.body != "" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("body %q, Cache-Control %q; want none, no-store", r.body, r.header.Get("Cache-Control"))
		}
		ck := mercureCookie(t, r, "mercureAuthorization")
		if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.MaxAge != 7200 || ck.Path != "/.well-known/mercure" || ck.Domain != "" {
			t.Errorf("cookie attributes: HttpOnly %v Secure %v SameSite %v Max-Age %d Path %q Domain %q; "+
				"want HttpOnly, Secure, Strict, 7200, /.well-known/mercure, none", ck.HttpOnly, ck.Secure, ck.SameSite, ck.MaxAge, ck.Path, ck.Domain)
		}
		_, c := claims(t, ck.Value, "HS256", testSecret)
		if want := map[string]any{"subscribe": []any{"https://example.com/users/alice/{resource}"}}; !reflect.DeepEqual(c["mercure"], want) {
			t.Errorf("mercure = %v, want %v", c["mercure"], want)
		}
		if d := num(t, c["exp"]) - num(t, c["iat"]); d != 7200 {
			t.Errorf("exp - iat = %d, want the cookie's Max-Age 7200", d)
		}
	})

	t.Run("1.0 access token in the __Secure- cookie", func(t *testing.T) {
		r := call(t, tester, "GET", "/mercure/v1", "", alice...)
		wantStatus(t, r, 204)
		ck := mercureCookie(t, r, "__Secure-mercure_access_token")
		if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.MaxAge != 3600 || ck.Path != "/.well-known/mercure" {
			t.Errorf("cookie attributes: %+v", ck)
		}
		h, c := verifyWithKey(t, ck.Value, "ES256", ecKey.Public())
		if want := map[string]any{"alg": "ES256", "typ": "at+jwt"}; !reflect.DeepEqual(h, want) {
			t.Errorf("header = %v, want %v", h, want)
		}
		want := map[string]any{"iss": "https://example.com", "sub": "alice", "client_id": "https://example.com",
			"aud": []any{"https://hub.example.com/.well-known/mercure"},
			"authorization_details": []any{
				map[string]any{"type": "https://mercure.rocks/authorization-detail", "actions": []any{"subscribe"},
					"topics": []any{map[string]any{"match": "https://example.com/books/:id", "match_type": "urlpattern"}}},
				map[string]any{"type": "https://mercure.rocks/authorization-detail", "actions": []any{"subscribe"},
					"topics": []any{map[string]any{"match": "https://example.com/users/alice/notifications", "match_type": "exact"}}}}}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if _, ok := c["mercure"]; ok {
			t.Errorf("a 1.0 token carries the 0.x mercure claim: %v", c["mercure"])
		}
		if jti, _ := c["jti"].(string); len(jti) != 36 {
			t.Errorf("jti = %v, want a UUID", c["jti"])
		}
	})

	t.Run("1.0 without iss fails at adapt time", func(t *testing.T) {
		_, err := adapt(t, site("provider_token mercure {\n\tsecret x\n\toption profile 1.0\n\tclaim aud https://hub.example.com/.well-known/mercure\n}"))
		if err == nil || !strings.Contains(err.Error(), "profile 1.0 needs `claim iss <value>`") || !strings.Contains(err.Error(), "Caddyfile:3") {
			t.Fatalf("adapt: %v, want the missing iss named at Caddyfile:3", err)
		}
	})
}
