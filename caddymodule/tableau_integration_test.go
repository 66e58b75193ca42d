package caddymodule

import (
	"reflect"
	"regexp"
	"testing"
	"time"
)

// TestTableauContract: a connected app JWT for the logged-in user, kid and
// iss in the header, scopes and user attributes from the config only.
func TestTableauContract(t *testing.T) {
	const client, kid = "2bd3d4b5-1c7e-4d7a-9f0e-0a1b2c3d4e5f", "9f1b7c2e-5a4d-4e3f-8b2a-1c0d9e8f7a6b"
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /tableau/token {
		provider_token tableau {
			key    `+client+`
			kid    `+kid+`
			secret {env.TM_SECRET}
			claim  scp tableau:views:embed tableau:insights:embed
			claim  Region East West
			type   Region array
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "POST", "/tableau/token", `{"scp":["tableau:content:read"],"sub":"admin","Region":["All"]}`, alice...)
	wantStatus(t, r, 200)
	tok, _ := r.json(t)["token"].(string)
	h, c := claims(t, tok, "HS256", testSecret)
	if !reflect.DeepEqual(h, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid, "iss": client}) {
		t.Errorf("header = %v", h)
	}
	want := map[string]any{"iss": client, "sub": "alice", "aud": "tableau",
		"scp": []any{"tableau:views:embed", "tableau:insights:embed"}, "Region": []any{"East", "West"}}
	for k, v := range want {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	if jti, _ := c["jti"].(string); !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(jti) {
		t.Errorf("jti = %v, want a UUID", c["jti"])
	}
	lifetime(t, c, start, 300)
	wantStatus(t, call(t, tester, "POST", "/tableau/token", `{}`), 401)

	t.Run("ttl above 10 minutes: refused at load", func(t *testing.T) {
		_, err := adapt(t, site("provider_token tableau {\n\tkey c\n\tkid k\n\tsecret x\n\tttl 15m\n}"))
		if err == nil || !regexp.MustCompile(`above tableau's maximum of 10m`).MatchString(err.Error()) {
			t.Fatalf("adapt: %v, want the 10m maximum named", err)
		}
	})
}
