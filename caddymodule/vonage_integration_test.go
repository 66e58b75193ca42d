package caddymodule

import (
	"reflect"
	"regexp"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

const itVonageApp = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"

// TestVonageContract: a Client SDK user's JWT, {token}, with the ACL from the
// config and the user as sub.
func TestVonageContract(t *testing.T) {
	key := mustRSA(t)
	path := writeSigningKey(t, key, true)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /vonage/jwt {
		provider_token vonage {
			key         `+itVonageApp+`
			signing_key `+path+`
			claim acl {"paths":{"/*/users/**":{},"/*/conversations/**":{},"/*/sessions/**":{}}}
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "POST", "/vonage/jwt", `{"sub":"bob","acl":{"paths":{"/**":{}}}}`, alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	if len(body) != 1 {
		t.Errorf("body = %v, want only {token}", body)
	}
	h, c := verifyWithKey(t, body["token"].(string), "RS256", key.Public())
	if !reflect.DeepEqual(h, map[string]any{"alg": "RS256", "typ": "JWT"}) {
		t.Errorf("header = %v", h)
	}
	acl := map[string]any{"paths": map[string]any{"/*/users/**": map[string]any{}, "/*/conversations/**": map[string]any{}, "/*/sessions/**": map[string]any{}}}
	jti, _ := c["jti"].(string)
	if c["sub"] != "alice" || !reflect.DeepEqual(c["acl"], acl) || c["application_id"] != itVonageApp || !uuidV4.MatchString(jti) || len(c) != 6 {
		t.Errorf("claims = %v, want sub alice, the config's acl, application_id, a UUID jti, iat, exp", c)
	}
	lifetime(t, c, start, 900)
	r = call(t, tester, "POST", "/vonage/jwt", `{}`)
	wantStatus(t, r, 401)
	noToken(t, r.body)
}
