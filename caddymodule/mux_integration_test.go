package caddymodule

import (
	"reflect"
	"testing"
	"time"
)

// TestMuxContract: a playback token and a thumbnail token for the same
// asset, each under the SDK's multi-token member; the playback id from the
// request only within allow.
func TestMuxContract(t *testing.T) {
	const kid, playback, second = "sb9R00iH5Q5KagedjCsj02a0202Ri02WI7eUPaXearRBLuok", "Tkgk5LC6an93zK1sDdaPkebJAdx0001E2A00kY1hXzDQ4g", "Second0123"
	key := mustRSA(t)
	path := writeSigningKey(t, key, true)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /mux/playback {
		provider_token mux {
			key         `+kid+`
			signing_key `+path+`
			claim sub   `+playback+`
			allow sub   `+playback+` `+second+`
		}
	}
	handle /mux/thumbnail {
		provider_token mux {
			key         `+kid+`
			signing_key `+path+`
			option type thumbnail
			claim sub   `+playback+`
			ttl 10m
		}
	}
}
`)
	start := time.Now()
	r := call(t, tester, "GET", "/mux/playback?playback_id="+second, "", alice...)
	wantStatus(t, r, 200)
	body := r.json(t)
	tok, _ := body["playback-token"].(string)
	if len(body) != 1 || tok == "" {
		t.Fatalf("body = %v, want {playback-token}", body)
	}
	h, c := verifyWithKey(t, tok, "RS256", key.Public())
	if !reflect.DeepEqual(h, map[string]any{"alg": "RS256", "typ": "JWT"}) {
		t.Errorf("header = %v", h)
	}
	if c["kid"] != kid || c["sub"] != second || c["aud"] != "v" || len(c) != 4 {
		t.Errorf("claims = %v, want kid, sub %s, aud v, exp and no iat", c, second)
	}
	if exp := num(t, c["exp"]); exp < start.Unix()+3595 || exp > start.Unix()+3605 {
		t.Errorf("exp = %d, want an hour from now", exp)
	}

	r = call(t, tester, "POST", "/mux/thumbnail", `{"time":14,"width":320}`, alice...)
	wantStatus(t, r, 200)
	_, c = verifyWithKey(t, r.json(t)["thumbnail-token"].(string), "RS256", key.Public())
	if c["aud"] != "t" || c["time"] != float64(14) || c["width"] != float64(320) || c["sub"] != playback {
		t.Errorf("thumbnail claims = %v", c)
	}

	for _, tc := range []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"a playback id outside allow", "/mux/playback", `{"playback_id":"Other999"}`, 403, "playback_id"},
		{"a playback id on a pinned route", "/mux/thumbnail", `{"playback_id":"` + second + `"}`, 403, "playback_id"},
		{"width not a number", "/mux/thumbnail", `{"width":"wide"}`, 400, "width"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, tester, "POST", tc.path, tc.body, alice...)
			wantStatus(t, r, tc.status)
			if b := r.json(t); b["field"] != tc.field {
				t.Errorf("body %s, want field %q", r.body, tc.field)
			}
			noToken(t, r.body)
		})
	}
}
