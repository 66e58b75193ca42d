package caddymodule

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRefusals(t *testing.T) {
	tester := serve(t, allPresets()+`
http://127.0.0.1:9080 {
	handle /no-auth {
		provider_token hms_app {
			key    k
			secret {env.TM_SECRET}
			claim  role guest
		}
	}
	handle /small {
		provider_token hms_app {
			key      k
			secret   {env.TM_SECRET}
			claim    role guest
			session  anonymous
			max_body 64B
		}
	}
}
`)
	long := strings.Repeat("a", 201)
	cases := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		want                     string // a substring of the body
	}{
		{"no user without an auth handler", "POST", "/no-auth", `{"room_id":"r"}`, nil, 401, `"error":"unauthenticated"`},
		{"privileged claim outside allow", "POST", "/hms", `{"room_id":"r","role":"host"}`, alice, 403, `"field":"role"`},
		{"user claim chosen by the request", "POST", "/hms", `{"room_id":"r","user_id":"mallory"}`, alice, 403, `"field":"user_id"`},
		{"required claim missing", "POST", "/hms", `{}`, alice, 400, `"field":"room_id"`},
		{"required claim empty", "POST", "/hms", `{"room_id":""}`, alice, 400, `room_id: is required`},
		{"claim over its charset", "POST", "/hms", `{"room_id":"a b"}`, alice, 400, `"field":"room_id"`},
		{"claim of the wrong type", "POST", "/hms", `{"room_id":["a","b"]}`, alice, 400, `must be a string`},
		{"body not JSON", "POST", "/hms", `{"room_id":`, alice, 400, `not valid JSON`},
		{"body an array", "POST", "/hms", `[1]`, append([]string{"Content-Type", "application/json"}, alice...), 400, `JSON object`},
		{"duplicate member", "POST", "/hms", `{"room_id":"a","room_id":"b"}`, alice, 400, `twice`},
		{"wrong content type", "POST", "/hms", `room_id=a`, append([]string{"Content-Type", "text/plain"}, alice...), 415, `application/json`},
		{"JSON sent as text/plain", "POST", "/hms", `{"room_id":""}`, append([]string{"Content-Type", "text/plain;charset=UTF-8"}, alice...), 400, `room_id: is required`},
		{"method", "PUT", "/hms", `{"room_id":"a"}`, alice, 405, `method_not_allowed`},
		{"body over max_body", "POST", "/small", `{"room_id":"` + strings.Repeat("r", 100) + `","user_id":"u"}`, nil, 413, `body_too_large`},
		{"zoom sessionName missing", "POST", "/zoom", `{"role":0}`, alice, 400, `{"errors":[{"property":"sessionName","reason":"is required"}]}`},
		{"zoom sessionName too long", "POST", "/zoom", `{"sessionName":"` + long + `"}`, alice, 400, `"property":"sessionName"`},
		{"zoom role outside allow", "POST", "/zoom", `{"sessionName":"s","role":2}`, alice, 400, `"property":"role"`},
		{"zoom expirationSeconds below 1800", "POST", "/zoom", `{"sessionName":"s","expirationSeconds":60}`, alice, 400, `"property":"expirationSeconds"`},
		{"zoom expirationSeconds above ttl", "POST", "/zoom", `{"sessionName":"s","expirationSeconds":172800}`, alice, 403, `"property":"expirationSeconds"`},
		{"zoom bad geo region", "POST", "/zoom", `{"sessionName":"s","geoRegions":"US,XX"}`, alice, 400, `"property":"geoRegions"`},
		{"videosdk peer other than the user", "GET", "/videosdk?peerId=mallory", "", alice, 403, `"field":"peerId"`},
		{"databridges wrong app key", "POST", "/databridges", `{"ch":"pvt:x","sid":"s","dbappkey":"other"}`, alice, 200, `{"statuscode":1,"error_message":"dbappkey: does not match this endpoint's app key","accesskey":""}`},
		{"databridges bad channel", "POST", "/databridges", `{"ch":"lobby","sid":"s","dbappkey":"db-app-key"}`, alice, 200, `"statuscode":1`},
		{"databridges no sid", "POST", "/databridges", `{"ch":"pvt:x","dbappkey":"db-app-key"}`, alice, 200, `"error_message":"sid: is required"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := c.hdr
			if c.path == "/no-auth" || c.path == "/small" {
				hdr = append([]string{"Host", "127.0.0.1:" + httpPort}, hdr...)
			}
			r := call(t, tester, c.method, c.path, c.body, hdr...)
			if r.status != c.status || !strings.Contains(r.body, c.want) {
				t.Fatalf("got %d %s, want %d with %s", r.status, r.body, c.status, c.want)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
			}
			noToken(t, r.body)
			if strings.Contains(r.body, testSecret) {
				t.Fatal("the secret is in the body")
			}
		})
	}
	// The server still answers normally afterwards.
	wantStatus(t, call(t, tester, "POST", "/hms", `{"room_id":"r"}`, alice...), 200)
}

// TestHandleErrorsOverridesRefusals: a route that opts in (refusals
// handle_errors) hands its refusals to its site's handle_errors; one that
// does not keeps the provider's envelope even where its own site has
// handle_errors.
func TestHandleErrorsOverridesRefusals(t *testing.T) {
	tester := serve(t, `
http://localhost:9080 {
	handle /hms {
		provider_token hms_app {
			key      k
			secret   {env.TM_SECRET}
			claim    role guest
			session  anonymous
			refusals handle_errors
		}
	}
	handle /hms-envelope {
		provider_token hms_app {
			key     k
			secret  {env.TM_SECRET}
			claim   role guest
			session anonymous
		}
	}
	handle /db {
		provider_token databridges {
			key      k
			secret   {env.TM_SECRET}
			session  anonymous
			refusals handle_errors
		}
	}
	handle_errors {
		respond "custom {err.status_code}: {err.message}"
	}
}
`)
	r := call(t, tester, "POST", "/hms", `{"user_id":"u"}`)
	if r.status != 400 || r.body != "custom 400: room_id: is required" {
		t.Fatalf("got %d %q, want handle_errors' answer", r.status, r.body)
	}
	r = call(t, tester, "POST", "/hms-envelope", `{"user_id":"u"}`)
	if r.status != 400 || !strings.Contains(r.body, `"success":false`) {
		t.Fatalf("got %d %q, want 100ms' envelope (no opt-in)", r.status, r.body)
	}
	// dataBridges' client needs its in-band shape whatever the site does.
	r = call(t, tester, "POST", "/db", `{"ch":"pvt:x","sid":"s","dbappkey":"wrong"}`)
	if r.status != 200 || !strings.Contains(r.body, `"statuscode":1`) {
		t.Fatalf("got %d %q, want the in-band refusal", r.status, r.body)
	}
}

// TestHandleErrorsOfAnotherSite: a handle_errors block in another site on
// the same listener never turns this route's refusals (token or session)
// into Caddy's empty error answer.
func TestHandleErrorsOfAnotherSite(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	tester := serve(t, `
http://localhost:9080 {
	handle /hms {
		provider_token hms_app {
			key     k
			secret  {env.TM_SECRET}
			claim   role guest
			session anonymous
		}
	}
	handle /zoom {
		provider_token zoom_video {
			key     k
			secret  {env.TM_SECRET}
			session jwt {
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
}
http://127.0.0.1:9080 {
	handle_errors {
		respond "other site {err.status_code}"
	}
	respond "other"
}
`)
	r := call(t, tester, "POST", "/hms", `{"user_id":"u"}`)
	if r.status != 400 || !strings.Contains(r.body, `"msg":"room_id: is required","success":false`) {
		t.Fatalf("token refusal: %d %q, want 100ms' envelope", r.status, r.body)
	}
	r = call(t, tester, "POST", "/zoom", `{"sessionName":"s"}`)
	if r.status != 401 || !strings.Contains(r.body, `"error":"unauthenticated"`) || r.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("session refusal: %d %q %v, want the 401 JSON with a challenge", r.status, r.body, r.header)
	}
	// The other site's handle_errors still serves its own errors.
	if r := call(t, tester, "GET", "/x", "", "Host", "127.0.0.1:"+httpPort); r.body != "other" {
		t.Fatalf("other site: %d %q", r.status, r.body)
	}
}

func TestSecretsFromEnvAndFileStayOutOfTheConfig(t *testing.T) {
	dir := t.TempDir()
	fileSecret := "file-secret-9f8e7d6c5b4a"
	path := filepath.Join(dir, "secret")
	if err := os.WriteFile(path, []byte(fileSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tester := serve(t, `
http://localhost:9080 {
	handle /env {
		provider_token viasocket {
			secret  {env.TM_SECRET}
			claim   org_id o
			claim   project_id p
			session anonymous
			claim   user_id u
		}
	}
	handle /file {
		provider_token viasocket {
			secret  {file.`+path+`}
			claim   org_id o
			claim   project_id p
			session anonymous
			claim   user_id u
		}
	}
}
`)
	_, c := claims(t, call(t, tester, "GET", "/env", "").json(t)["token"].(string), "HS256", testSecret)
	if c["user_id"] != "u" {
		t.Errorf("claims = %v", c)
	}
	// {file.*} drops the file's trailing newline.
	claims(t, call(t, tester, "GET", "/file", "").json(t)["token"].(string), "HS256", fileSecret)

	res, err := tester.Client.Get(withPorts("http://localhost:2999/config/"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	cfg := sb.String()
	if !strings.Contains(cfg, "{env.TM_SECRET}") || !strings.Contains(cfg, `"preset":"viasocket"`) {
		t.Fatalf("admin config does not hold the handler as expected: %s", cfg)
	}
	if strings.Contains(cfg, testSecret) || strings.Contains(cfg, fileSecret) {
		t.Fatal("a resolved secret is in the admin API's config")
	}
}
