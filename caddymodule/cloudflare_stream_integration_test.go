package caddymodule

import (
	"reflect"
	"testing"
	"time"
)

// TestCloudflareStreamContract: the Worker sample's token (no typ, kid in
// header and payload), the signed URLs with option customer_code, the
// video UID from the request only within allow.
func TestCloudflareStreamContract(t *testing.T) {
	const kid, video, second = "f6bce2bad0a24b4b92a0c1a0f0c6f8de", "ea95132c15732412d22c1476fa83f27a", "0123456789abcdef0123456789abcdef"
	key := mustRSA(t)
	path := writeSigningKey(t, key, false)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /stream/signed {
		provider_token cloudflare_stream {
			key         `+kid+`
			signing_key `+path+`
			option customer_code f33zs165nr7gyfy4
			claim sub   `+video+`
			allow sub   `+video+` `+second+`
			claim accessRules [{"type":"ip.geoip.country","action":"allow","country":["GB"]},{"type":"any","action":"block"}]
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/stream/signed?uid="+second, "", alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	tok, _ := body["token"].(string)
	u := "https://customer-f33zs165nr7gyfy4.cloudflarestream.com/" + tok
	if body["iframe_url"] != u+"/iframe" || body["hls_url"] != u+"/manifest/video.m3u8" || len(body) != 3 {
		t.Errorf("body = %v, want {token, iframe_url, hls_url}", body)
	}
	h, c := verifyWithKey(t, tok, "RS256", key.Public())
	if !reflect.DeepEqual(h, map[string]any{"alg": "RS256", "kid": kid}) {
		t.Errorf("header = %v, want alg and kid only", h)
	}
	rules := []any{map[string]any{"type": "ip.geoip.country", "action": "allow", "country": []any{"GB"}}, map[string]any{"type": "any", "action": "block"}}
	if c["sub"] != second || c["kid"] != kid || !reflect.DeepEqual(c["accessRules"], rules) || len(c) != 4 {
		t.Errorf("claims = %v", c)
	}
	if exp := num(t, c["exp"]); exp < start.Unix()+3595 || exp > start.Unix()+3605 {
		t.Errorf("exp = %d, want an hour from now", exp)
	}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"a video outside allow", `{"uid":"ffffffffffffffffffffffffffffffff"}`, 403},
		{"a UID with a slash", `{"uid":"../keys"}`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "POST", "/stream/signed", tc.body, alice...)
			wantStatus(t, r, tc.status)
			if b := r.json(t); b["field"] != "uid" {
				t.Errorf("body %s, want field uid", r.body)
			}
			noToken(t, r.body)
		})
	}
	// downloadable from the request is not read.
	r = call(t, tester, "POST", "/stream/signed", `{"downloadable":true}`, alice...)
	wantStatus(t, r, 200)
	if _, c := verifyWithKey(t, r.json(t)["token"].(string), "RS256", key.Public()); c["downloadable"] != nil {
		t.Errorf("downloadable = %v, want none", c["downloadable"])
	}
}
