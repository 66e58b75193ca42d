package caddymodule

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// writeSigningKey writes a private key as a PEM file in a temporary
// directory and returns its path: PKCS#1 for RSA when pkcs1 is set, else
// PKCS#8 (the form of a Google service account's private_key).
func writeSigningKey(t *testing.T, key crypto.Signer, pkcs1 bool) string {
	t.Helper()
	block := &pem.Block{Type: "PRIVATE KEY"}
	if rk, ok := key.(*rsa.PrivateKey); ok && pkcs1 {
		block = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}
	} else {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		block.Bytes = der
	}
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const (
	itJaaSAppID = "vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe"
	itJaaSKID   = itJaaSAppID + "/4f4910"
)

// TestJaaSContract drives the jaas preset through a real Caddy with an RSA
// key from a PEM file: the room, display name and (within allow) moderator
// flag from the request, identity and features from the config, {token}
// in answer; repeats are served from the minted-token cache.
func TestJaaSContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, true)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /jaas {
		provider_token jaas {
			signing_key `+path+`
			kid         `+itJaaSKID+`
			claim sub   `+itJaaSAppID+`
			claim context.user.email {http.auth.user.id}@example.com
			claim context.features.recording true
			claim context.features.livestreaming false
			allow context.user.moderator true false
		}
	}
	handle /jaas-guest {
		provider_token jaas {
			signing_key `+path+`
			kid         `+itJaaSKID+`
			claim sub   `+itJaaSAppID+`
			claim room  standup
			ttl   30m
		}
	}
}
`)
	start := time.Now()

	t.Run("POST room, name and moderator", func(t *testing.T) {
		r := call(t, tester, "POST", "/jaas", `{"room":"lobby","name":"Alice A.","moderator":true}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {token}", body)
		}
		tok := body["token"].(string)
		h, c := verifyWithKey(t, tok, "RS256", key.Public())
		if want := map[string]any{"alg": "RS256", "kid": itJaaSKID, "typ": "JWT"}; !reflect.DeepEqual(h, want) {
			t.Errorf("header = %v, want %v", h, want)
		}
		want := map[string]any{"aud": "jitsi", "iss": "chat", "sub": itJaaSAppID, "room": "lobby",
			"context": map[string]any{
				"user": map[string]any{"id": "alice", "name": "Alice A.", "email": "alice@example.com", "moderator": "true"},
				// Strings, not booleans, as JaaS reads them.
				"features": map[string]any{"recording": "true", "livestreaming": "false"},
			}}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		iat, nbf, exp := num(t, c["iat"]), num(t, c["nbf"]), num(t, c["exp"])
		within(t, iat+10, start)
		if nbf != iat || exp-iat != 7200 {
			t.Errorf("iat %d nbf %d exp %d: want nbf = iat = now - 10 s, exp = iat + 2h", iat, nbf, exp)
		}

		// The same request again: the cached token, not a new signature.
		again := call(t, tester, "POST", "/jaas", `{"room":"lobby","name":"Alice A.","moderator":true}`, alice...)
		wantStatus(t, again, 200)
		if again.json(t)["token"] != tok {
			t.Errorf("a repeat request got a new token; want the cached one")
		}
		// Another room: another token.
		other := call(t, tester, "POST", "/jaas", `{"room":"sales","name":"Alice A.","moderator":true}`, alice...)
		wantStatus(t, other, 200)
		if other.json(t)["token"] == tok {
			t.Errorf("a request for another room got the lobby token")
		}
	})

	t.Run("defaults: every room, not a moderator", func(t *testing.T) {
		r := call(t, tester, "GET", "/jaas", "", alice...)
		wantStatus(t, r, 200)
		_, c := verifyWithKey(t, r.json(t)["token"].(string), "RS256", key.Public())
		user := c["context"].(map[string]any)["user"].(map[string]any)
		if c["room"] != "*" || user["moderator"] != "false" || user["name"] != nil {
			t.Errorf("room %v, user %v; want *, moderator \"false\", no name", c["room"], user)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, path, body string
			status           int
			field            string
		}{
			{"moderator not a flag", "/jaas", `{"moderator":"yes"}`, 400, "moderator"},
			{"moderator without allow", "/jaas-guest", `{"moderator":"true"}`, 403, "moderator"},
			{"room pinned", "/jaas-guest", `{"room":"*"}`, 403, "room"},
			{"room with a control character", "/jaas", `{"room":"a\u0000b"}`, 400, "room"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := call(t, tester, "POST", tc.path, tc.body, alice...)
				wantStatus(t, r, tc.status)
				if r.json(t)["field"] != tc.field {
					t.Errorf("body %s, want field %q", r.body, tc.field)
				}
				noToken(t, r.body)
			})
		}
		r := call(t, tester, "POST", "/jaas", `{}`)
		if r.status != 401 {
			t.Errorf("without a user: %d, want basic_auth's 401", r.status)
		}
	})

	t.Run("a pinned room and a shorter ttl", func(t *testing.T) {
		r := call(t, tester, "POST", "/jaas-guest", `{"room":"standup"}`, alice...)
		wantStatus(t, r, 200)
		_, c := verifyWithKey(t, r.json(t)["token"].(string), "RS256", key.Public())
		if c["room"] != "standup" || num(t, c["exp"])-num(t, c["iat"]) != 1800 {
			t.Errorf("room %v, exp - iat %d; want standup, 1800", c["room"], num(t, c["exp"])-num(t, c["iat"]))
		}
	})
}

// TestJaaSCaddyfileErrors: mistakes a jaas config can make fail at adapt
// time, with the fix named.
func TestJaaSCaddyfileErrors(t *testing.T) {
	path := writeSigningKey(t, mustRSA(t), false)
	for _, tc := range []struct {
		name, block, want string
	}{
		{"a secret", "provider_token jaas {\n\tsecret {env.TM_SECRET}\n\tclaim sub " + itJaaSAppID + "\n}", "give `signing_key <pem file>`, not a secret"},
		{"no key", "provider_token jaas {\n\tclaim sub " + itJaaSAppID + "\n}", "needs `signing_key <pem file>`"},
		{"no sub", "provider_token jaas {\n\tsigning_key " + path + "\n\tkid " + itJaaSKID + "\n}", "needs `claim sub <value>`"},
		{"no kid", "provider_token jaas {\n\tsigning_key " + path + "\n\tclaim sub " + itJaaSAppID + "\n}", "jaas needs the header's kid: set it with `kid <value>`"},
		{"a bad AppID", "provider_token jaas {\n\tsigning_key " + path + "\n\tkid " + itJaaSKID + "\n\tclaim sub my-app\n}", "vpaas-magic-cookie-<hex digits>"},
		{"an algorithm JaaS does not take", "provider_token jaas {\n\tsigning_key " + path + "\n\talgorithm RS512\n\tclaim sub " + itJaaSAppID + "\n}", "signed with RS256, not RS512"},
		{"moderator a boolean", "provider_token jaas {\n\tsigning_key " + path + "\n\tkid " + itJaaSKID + "\n\tclaim sub " + itJaaSAppID + "\n\tclaim context.user.moderator yes\n}", `must be one of "true", "false"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
