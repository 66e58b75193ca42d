package caddymodule

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMetabaseContract drives the metabase preset's three answers through a
// real Caddy: {token, url}, {url}, and a 302 to the embed URL that an
// iframe's src can point at.
//
// params comes from {env.*}: a literal JSON value in a claim is taken for
// a placeholder when Provision resolves {env.*} and {file.*}.
func TestMetabaseContract(t *testing.T) {
	t.Setenv("MB_PARAMS", `{"organization_id":17}`)
	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	handle /metabase/dashboard {
		provider_token metabase {
			secret {env.TM_SECRET}
			option site_url https://metabase.example.com
			claim  resource.dashboard 2
			claim  params {env.MB_PARAMS}
		}
	}
	handle /metabase/question {
		provider_token metabase {
			secret {env.TM_SECRET}
			ttl    1h
			option site_url https://metabase.example.com/
			option resource question
			option answer url
			option hash refresh=60
			claim  resource.question 7
		}
	}
	handle /metabase/embed {
		provider_token metabase {
			secret {env.TM_SECRET}
			option site_url https://metabase.example.com
			option answer redirect
			claim  resource.dashboard 2
		}
	}
}
`)
	start := time.Now()

	t.Run("json: token and url", func(t *testing.T) {
		r := call(t, tester, "GET", "/metabase/dashboard", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		tok, _ := body["token"].(string)
		if want := "https://metabase.example.com/embed/dashboard/" + tok + "#bordered=true&titled=true"; len(body) != 2 || body["url"] != want {
			t.Errorf("body = %v, want {token, url: %s}", body, want)
		}
		h, c := claims(t, tok, "HS256", testSecret)
		if len(h) != 2 || h["typ"] != "JWT" {
			t.Errorf("header = %v", h)
		}
		if !reflect.DeepEqual(c["resource"], map[string]any{"dashboard": float64(2)}) ||
			!reflect.DeepEqual(c["params"], map[string]any{"organization_id": float64(17)}) || len(c) != 4 {
			t.Errorf("claims = %v, want resource, params, iat, exp", c)
		}
		lifetime(t, c, start, 600)
	})

	t.Run("url: a question with its own fragment", func(t *testing.T) {
		r := call(t, tester, "GET", "/metabase/question", "", alice...)
		wantStatus(t, r, 200)
		body := r.json(t)
		u, _ := body["url"].(string)
		tok, ok := strings.CutPrefix(u, "https://metabase.example.com/embed/question/")
		tok, frag, _ := strings.Cut(tok, "#")
		if len(body) != 1 || !ok || frag != "refresh=60" {
			t.Fatalf("body = %v, want {url} for /embed/question/<token>#refresh=60", body)
		}
		_, c := claims(t, tok, "HS256", testSecret)
		if !reflect.DeepEqual(c["resource"], map[string]any{"question": float64(7)}) ||
			!reflect.DeepEqual(c["params"], map[string]any{}) || num(t, c["exp"])-num(t, c["iat"]) != 3600 {
			t.Errorf("claims = %v, want resource.question 7, params {}, a 1h life", c)
		}
	})

	t.Run("redirect: 302 to the embed URL", func(t *testing.T) {
		res, loc := getNoRedirect(t, base+"/metabase/embed")
		tok, ok := strings.CutPrefix(loc, "https://metabase.example.com/embed/dashboard/")
		tok, frag, _ := strings.Cut(tok, "#")
		if res.StatusCode != http.StatusFound || !ok || frag != "bordered=true&titled=true" {
			t.Fatalf("got %d Location %q, want 302 to /embed/dashboard/<token>#bordered=true&titled=true", res.StatusCode, loc)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", res.Header.Get("Cache-Control"))
		}
		_, c := claims(t, tok, "HS256", testSecret)
		if !reflect.DeepEqual(c["resource"], map[string]any{"dashboard": float64(2)}) {
			t.Errorf("claims = %v", c)
		}
	})

	t.Run("option resource and claim disagree: refused at adapt time", func(t *testing.T) {
		_, err := adapt(t, site("provider_token metabase {\n\tsecret x\n\toption site_url https://metabase.example.com\n\tclaim resource.question 7\n}"))
		if err == nil || !strings.Contains(err.Error(), "set option resource question") {
			t.Fatalf("adapt: %v, want the fix named", err)
		}
	})

	t.Run("no user", func(t *testing.T) {
		wantStatus(t, call(t, tester, "GET", "/metabase/dashboard", ""), 401)
	})
}
