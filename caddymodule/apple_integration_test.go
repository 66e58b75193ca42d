package caddymodule

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMapKitContract: MapKit JS's authorizationCallback reads the bare
// token as text; an anonymous route (public map pages), the origin from
// the config, never from the request.
func TestMapKitContract(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	path := writeSigningKey(t, key, false)
	tester := serve(t, `
http://localhost:9080 {
	handle /services/jwt {
		provider_token mapkit {
			key         ABCDE12345
			kid         KEY1234567
			signing_key `+path+`
			session     anonymous
			claim origin https://maps.example.com
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/services/jwt?origin=https://evil.example", "", "Origin", "https://evil.example")
	wantStatus(t, r, 200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("Content-Type = %q, want text/plain", r.header.Get("Content-Type"))
	}
	h, c := verifyWithKey(t, r.body, "ES256", key.Public())
	if !reflect.DeepEqual(h, map[string]any{"alg": "ES256", "kid": "KEY1234567", "typ": "JWT"}) {
		t.Errorf("header = %v", h)
	}
	if c["iss"] != "ABCDE12345" || c["origin"] != "https://maps.example.com" || len(c) != 4 {
		t.Errorf("claims = %v, want iss, iat, exp, the config's origin", c)
	}
	lifetime(t, c, start, 1800)

	// A refusal in the same text envelope.
	r = call(t, tester, "DELETE", "/services/jwt", "")
	wantStatus(t, r, 405)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || !strings.HasPrefix(r.body, "method_not_allowed: ") {
		t.Errorf("refusal %q (%s), want text method_not_allowed: ...", r.body, r.header.Get("Content-Type"))
	}
}

// TestWeatherKitInject: the token goes to the upstream as
// "Authorization: Bearer", as WeatherKit's REST API takes it.
func TestWeatherKitInject(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	path := writeSigningKey(t, key, false)
	upstream := newUpstream(t)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /weather/* {
		provider_token weatherkit {
			key         ABCDE12345.com.example.weatherkit-client
			kid         KEY1234567
			signing_key `+path+`
			inject header Authorization Bearer
		}
		reverse_proxy `+upstream.Listener.Addr().String()+`
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/weather/api/v1/weather/en/51.5/-0.1", "", append([]string{"Authorization", "Bearer forged"}, alice...)...)
	wantStatus(t, r, 200)
	got := upstream.one(t, "Authorization")
	if len(got) != 1 || !strings.HasPrefix(got[0], "Bearer ") {
		t.Fatalf("upstream Authorization = %q, want one Bearer token", got)
	}
	h, c := verifyWithKey(t, strings.TrimPrefix(got[0], "Bearer "), "ES256", key.Public())
	if !reflect.DeepEqual(h, map[string]any{"alg": "ES256", "kid": "KEY1234567", "id": "ABCDE12345.com.example.weatherkit-client"}) {
		t.Errorf("header = %v, want alg, kid and id only", h)
	}
	if c["iss"] != "ABCDE12345" || c["sub"] != "com.example.weatherkit-client" || len(c) != 4 {
		t.Errorf("claims = %v", c)
	}
	lifetime(t, c, start, 1800)

	t.Run("a key from {env.*}: checked when it is resolved, not at adapt time", func(t *testing.T) {
		if _, err := adapt(t, site("provider_token weatherkit {\n\tkey {env.WEATHERKIT_ID}\n\tkid K\n\tsigning_key "+path+"\n}")); err != nil {
			t.Fatalf("adapt: %v, want success (the key is resolved at provision)", err)
		}
	})
	t.Run("a key without the Services ID: refused at load", func(t *testing.T) {
		_, err := adapt(t, site("provider_token weatherkit {\n\tkey ABCDE12345\n\tkid K\n\tsigning_key "+path+"\n}"))
		if err == nil || !strings.Contains(err.Error(), "<Team ID>.<Services ID>") {
			t.Fatalf("adapt: %v, want the key's form named", err)
		}
	})
}
