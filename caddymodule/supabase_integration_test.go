package caddymodule

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// mustP256 is a new P-256 key for ES256 routes.
func mustP256(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// refusedField checks a refusal in the default JSON envelope: the status,
// the field it names, and no token in the body.
func refusedField(t *testing.T, r response, status int, field string) {
	t.Helper()
	wantStatus(t, r, status)
	noToken(t, r.body)
	if got := r.json(t)["field"]; got != field {
		t.Errorf("refusal names field %v, want %s; body %s", got, field, r.body)
	}
}

// wantClaims compares the claims with want, beside iat and exp (and nbf
// when extra names it), and fails on any other claim.
func wantClaims(t *testing.T, c jwt.MapClaims, want map[string]any, extra ...string) {
	t.Helper()
	for k, v := range want {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("claim %s = %#v, want %#v", k, c[k], v)
		}
	}
	for k := range c {
		if _, ok := want[k]; !ok && k != "iat" && k != "exp" && !slices.Contains(extra, k) {
			t.Errorf("claim %s = %v is not expected", k, c[k])
		}
	}
}

// TestSupabaseContract: a Data API token for the logged-in user with
// Auth's required claims, in Auth's token-response shape; an imported
// ES256 key named by kid; a role a request may choose only within allow.
func TestSupabaseContract(t *testing.T) {
	key := mustP256(t)
	path := writeSigningKey(t, key, false)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /supabase/token {
		provider_token supabase {
			secret {env.TM_SECRET}
			claim  iss https://abcdefghijklmnopqrst.supabase.co/auth/v1
			claim  email {http.auth.user.id}@example.com
			claim  app_metadata `+"`"+`\{"provider":"email","providers":["email"]\}`+"`"+`
		}
	}
	handle /supabase/imported-key {
		provider_token supabase {
			signing_key `+path+`
			kid         imported-2026
			ttl         15m
		}
	}
	handle /supabase/role {
		provider_token supabase {
			secret {env.TM_SECRET}
			claim  role {query.role}
			allow  role authenticated anon
		}
	}
}
`)
	start := time.Now()
	required := map[string]any{"sub": "alice", "aud": "authenticated", "phone": "", "role": "authenticated", "aal": "aal1",
		"session_id": "00000000-0000-0000-0000-000000000000", "is_anonymous": false}

	t.Run("HS256: Auth's claims, Auth's answer", func(t *testing.T) {
		// Request fields set nothing: a client cannot raise its role.
		r := call(t, tester, "POST", "/supabase/token", `{"role":"service_role","sub":"admin","is_anonymous":true}`, alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		tok, _ := body["access_token"].(string)
		if len(body) != 4 || body["token_type"] != "bearer" || body["expires_in"] != float64(3600) {
			t.Errorf("body = %v, want {access_token, token_type bearer, expires_in 3600, expires_at}", body)
		}
		h, c := claims(t, tok, "HS256", testSecret)
		if !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT"}) {
			t.Errorf("header = %v", h)
		}
		want := map[string]any{"iss": "https://abcdefghijklmnopqrst.supabase.co/auth/v1", "email": "alice@example.com",
			"app_metadata": map[string]any{"provider": "email", "providers": []any{"email"}}}
		for k, v := range required {
			want[k] = v
		}
		wantClaims(t, c, want)
		iat := lifetime(t, c, start, 3600)
		if body["expires_at"] != float64(iat+3600) {
			t.Errorf("expires_at = %v, want exp %d", body["expires_at"], iat+3600)
		}
	})

	t.Run("an imported ES256 key, named by kid", func(t *testing.T) {
		r := call(t, tester, "GET", "/supabase/imported-key", "", alice...)
		wantStatus(t, r, 200)
		h, c := verifyWithKey(t, r.json(t)["access_token"].(string), "ES256", key.Public())
		if !reflect.DeepEqual(h, map[string]any{"alg": "ES256", "typ": "JWT", "kid": "imported-2026"}) {
			t.Errorf("header = %v", h)
		}
		want := map[string]any{"email": ""}
		for k, v := range required {
			want[k] = v
		}
		wantClaims(t, c, want)
		lifetime(t, c, start, 900)
	})

	t.Run("a role within allow", func(t *testing.T) {
		r := call(t, tester, "GET", "/supabase/role?role=anon", "", alice...)
		wantStatus(t, r, 200)
		_, c := claims(t, r.json(t)["access_token"].(string), "HS256", testSecret)
		if c["role"] != "anon" {
			t.Errorf("role = %v, want anon", c["role"])
		}
	})
	t.Run("service_role from the request: 403 in the envelope", func(t *testing.T) {
		refusedField(t, call(t, tester, "GET", "/supabase/role?role=service_role", "", alice...), 403, "role")
	})
	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/supabase/token", ""), 401)
	})

	for _, tc := range []struct{ name, block, want string }{
		{"a role from the query without allow", "provider_token supabase {\n\tsecret x\n\tclaim role {query.role}\n}", "claim role grants rights"},
		{"an asymmetric key without kid", "provider_token supabase {\n\tsigning_key " + path + "\n}", "kid"},
		{"ttl above a week", "provider_token supabase {\n\tsecret x\n\tttl 8d\n}", "maximum"},
	} {
		t.Run("refused at load: "+tc.name, func(t *testing.T) {
			_, err := adapt(t, site(tc.block))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("adapt: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
