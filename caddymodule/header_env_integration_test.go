package caddymodule

import (
	"reflect"
	"strings"
	"testing"
)

// TestHeaderFromEnv: kid and header values from {env.*} are resolved when
// the config loads, as keys and secrets are; the token's header never
// carries the placeholder's text.
func TestHeaderFromEnv(t *testing.T) {
	const kid, region = "9f1b7c2e-5a4d-4e3f-8b2a-1c0d9e8f7a6b", "eu-west"
	t.Setenv("TM_KID", kid)
	t.Setenv("TM_REGION", region)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /token {
		provider_token jwt {
			kid {env.TM_KID}
			header x-region {env.TM_REGION}
			secret {env.TM_SECRET}
		}
	}
}
`)
	r := call(t, tester, "GET", "/token", "", alice...)
	wantStatus(t, r, 200)
	tok, _ := r.json(t)["token"].(string)
	h, _ := claims(t, tok, "HS256", testSecret)
	if want := map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid, "x-region": region}; !reflect.DeepEqual(h, want) {
		t.Errorf("header = %v, want %v", h, want)
	}

	t.Run("an unset variable is refused by name at load", func(t *testing.T) {
		h := &Handler{Preset: "jwt", Secret: testSecret, KID: "{env.TM_KID_UNSET}"}
		_, err := h.compile("", true)
		if err == nil || !strings.Contains(err.Error(), "header kid: {env.TM_KID_UNSET}: the environment variable TM_KID_UNSET is not set") {
			t.Fatalf("compile: %v, want the unset variable named", err)
		}
	})
}
