package caddymodule

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestOneSignalContract: an ES256 identity verification token for the
// logged-in user, answered {jwt} as the docs' sample server does; the
// subscriptions from trusted values only, an empty one dropped.
func TestOneSignalContract(t *testing.T) {
	key := mustP256(t)
	path := writeSigningKey(t, key, false)
	const app = "8250eaf6-1a58-489e-b136-7c74a864b434"
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /generate-jwt {
		provider_token onesignal {
			key         `+app+`
			signing_key `+path+`
			claim       subscriptions `+"`"+`[\{"type":"Email","token":"{http.auth.user.id}@example.com"\},\{"type":"SMS","token":"{http.auth.user.phone}"\}]`+"`"+`
		}
	}
}
`)
	start := time.Now()

	t.Run("{jwt} for OneSignal.login", func(t *testing.T) {
		// The sample's :externalId is no request field: the user is the session's.
		r := call(t, tester, "POST", "/generate-jwt", `{"externalId":"mallory","subscriptions":[{"type":"Email","token":"mallory@example.com"}]}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		if len(body) != 1 {
			t.Errorf("body = %v, want {jwt}", body)
		}
		h, c := verifyWithKey(t, body["jwt"].(string), "ES256", key.Public())
		if !reflect.DeepEqual(h, map[string]any{"alg": "ES256", "typ": "JWT"}) {
			t.Errorf("header = %v", h)
		}
		wantClaims(t, c, map[string]any{"iss": app, "identity": map[string]any{"external_id": "alice"},
			"subscriptions": []any{map[string]any{"type": "Email", "token": "alice@example.com"}}})
		lifetime(t, c, start, 3600)
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/generate-jwt", ""), 401)
	})

	head := "provider_token onesignal {\n\tkey " + app + "\n\tsigning_key " + path + "\n"
	for _, tc := range []struct{ name, block, want string }{
		{"an address from a request header", head + "\tclaim subscriptions `[\\{\"type\":\"Email\",\"token\":\"{http.request.header.X-Email}\"\\}]`\n}",
			"claim subscriptions grants rights"},
		{"an alias from the query", head + "\tclaim identity.crm_id {query.crm}\n}", "grants rights"},
		{"no App ID", "provider_token onesignal {\n\tsigning_key " + path + "\n}", "needs `key <value>`"},
		{"a secret", "provider_token onesignal {\n\tkey " + app + "\n\tsecret x\n}", "signing_key"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
