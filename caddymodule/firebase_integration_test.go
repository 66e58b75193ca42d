package caddymodule

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const itFirebaseEmail = "firebase-adminsdk-abc12@my-project.iam.gserviceaccount.com"

// TestFirebaseContract drives the firebase preset through a real Caddy
// with the key and client_email taken from a service account JSON as the
// docs say (jq -r .private_key sa.json > key.pem): {token} in answer, a
// custom token for the authenticated user that signInWithCustomToken
// accepts.
func TestFirebaseContract(t *testing.T) {
	key := mustRSA(t)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// A service account JSON, and what `jq -r` takes out of it.
	dir := t.TempDir()
	sa, _ := json.Marshal(map[string]string{"type": "service_account", "project_id": "my-project",
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "client_email": itFirebaseEmail})
	var fields struct {
		PrivateKey  string `json:"private_key"`
		ClientEmail string `json:"client_email"`
	}
	if err := json.Unmarshal(sa, &fields); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyPath, []byte(fields.PrivateKey), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FIREBASE_CLIENT_EMAIL", fields.ClientEmail)

	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /firebase-token {
		provider_token firebase {
			key         {env.FIREBASE_CLIENT_EMAIL}
			signing_key `+keyPath+`
			claim claims `+"`"+`\{"premium": true, "login": "{http.auth.user.id}"\}`+"`"+`
		}
	}
	handle /firebase-reserved {
		provider_token firebase {
			key         {env.FIREBASE_CLIENT_EMAIL}
			signing_key `+keyPath+`
			claim claims `+"`"+`\{"sub": "{http.auth.user.id}"\}`+"`"+`
		}
	}
	handle /firebase-tenant {
		provider_token firebase {
			key         {env.FIREBASE_CLIENT_EMAIL}
			signing_key `+keyPath+`
			claim tenant_id tenant-a1b2
			ttl   30m
		}
	}
}
`)
	start := time.Now()

	t.Run("custom token with developer claims", func(t *testing.T) {
		r := call(t, tester, "POST", "/firebase-token", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want only {token}", body)
		}
		h, c := verifyWithKey(t, body["token"].(string), "RS256", key.Public())
		if want := map[string]any{"alg": "RS256", "typ": "JWT"}; !reflect.DeepEqual(h, want) {
			t.Errorf("header = %v, want %v", h, want)
		}
		want := map[string]any{"iss": itFirebaseEmail, "sub": itFirebaseEmail,
			"aud": "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit",
			"uid": "alice", "claims": map[string]any{"premium": true, "login": "alice"}}
		for k, v := range want {
			if !reflect.DeepEqual(c[k], v) {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if len(c) != len(want)+2 {
			t.Errorf("claims %v: want only %d", c, len(want)+2)
		}
		lifetime(t, c, start, 3600)
	})

	t.Run("developer claims rendered with a reserved name", func(t *testing.T) {
		r := call(t, tester, "POST", "/firebase-reserved", "", alice...)
		wantStatus(t, r, 400)
		if r.json(t)["field"] != "claims" {
			t.Errorf("body %s, want field claims", r.body)
		}
		noToken(t, r.body)
	})

	t.Run("a tenant and a shorter ttl", func(t *testing.T) {
		// A request's uid is no request field: it cannot change the user.
		r := call(t, tester, "POST", "/firebase-tenant", `{"uid":"mallory"}`, alice...)
		wantStatus(t, r, 200)
		_, c := verifyWithKey(t, r.json(t)["token"].(string), "RS256", key.Public())
		if c["uid"] != "alice" || c["tenant_id"] != "tenant-a1b2" || num(t, c["exp"])-num(t, c["iat"]) != 1800 {
			t.Errorf("claims %v: want uid alice, tenant_id tenant-a1b2, exp - iat 1800", c)
		}
	})
}

// TestFirebaseCaddyfileErrors: mistakes a firebase config can make fail at
// adapt time, with the fix named.
func TestFirebaseCaddyfileErrors(t *testing.T) {
	path := writeSigningKey(t, mustRSA(t), false)
	for _, tc := range []struct {
		name, block, want string
	}{
		{"no client email", "provider_token firebase {\n\tsigning_key " + path + "\n}", "needs `key <value>`: the service account's client_email"},
		{"ttl above an hour", "provider_token firebase {\n\tkey " + itFirebaseEmail + "\n\tsigning_key " + path + "\n\tttl 2h\n}", "above firebase's maximum of 1h"},
		{"iss set", "provider_token firebase {\n\tkey " + itFirebaseEmail + "\n\tsigning_key " + path + "\n\tclaim iss x@example.com\n}", "carries the key"},
		{"anonymous without uid", "provider_token firebase {\n\tkey " + itFirebaseEmail + "\n\tsigning_key " + path + "\n\tsession anonymous\n}", "set `claim uid <value>`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
