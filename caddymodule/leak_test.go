package caddymodule

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverLeak runs every preset, sessions and error paths with
// Caddy logging everything at DEBUG (and access logs on), then greps the
// logs, the response bodies and the admin API's config for every secret
// and every minted token's signature.
func TestSecretsNeverLeak(t *testing.T) {
	dir := t.TempDir()
	logFile, accessFile := filepath.Join(dir, "caddy.log"), filepath.Join(dir, "access.log")
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	fileSecret := "file-secret-abcdef-0123456789"
	secretPath := filepath.Join(dir, "db-secret")
	os.WriteFile(secretPath, []byte(fileSecret), 0o600)
	injected := make(chan string, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		injected <- strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}))
	defer upstream.Close()

	config := strings.Replace(globalOptions, "{\n", "{\n\tlog {\n\t\toutput file "+logFile+"\n\t\tlevel DEBUG\n\t\tformat json\n\t}\n", 1) + `
http://localhost:9080 {
	log {
		output file ` + accessFile + `
		format json
	}
	route {
		basic_auth /basic/* {
			alice ` + aliceHash + `
		}
		handle /basic/hms {
			provider_token hms_app {
				key    hms-access-key
				secret {env.TM_SECRET}
				claim  role guest
			}
		}
		handle /basic/hmsm {
			provider_token hms_management {
				key    hms-access-key
				secret {env.TM_SECRET}
			}
		}
		handle /basic/zoom {
			provider_token zoom_video {
				key    zoom-key
				secret {env.TM_SECRET}
			}
		}
		handle /basic/via {
			provider_token viasocket {
				secret {env.TM_SECRET}
				claim  org_id o
				claim  project_id p
			}
		}
		handle /basic/vsdk {
			provider_token videosdk {
				key    vsdk-key
				secret {env.TM_SECRET}
			}
		}
		handle /basic/db {
			provider_token databridges {
				key    db-key
				secret {file.` + secretPath + `}
			}
		}
		handle /session/* {
			provider_token jwt {
				secret {env.TM_SECRET}
				claim  sub {http.auth.user.id}
				session jwt {
					from   cookie app_session
					secret {env.TM_SESSION_SECRET}
				}
			}
		}
		handle /inject/* {
			provider_token jwt {
				secret {env.TM_SECRET}
				claim  sub anon
				session anonymous
				inject header Authorization Bearer
			}
			reverse_proxy ` + upstream.Listener.Addr().String() + `
		}
	}
}
`
	tester := serveRaw(t, config)
	sessionTok := signHS(t, session("user-9"), sessionSecret)
	var bodies []string
	var tokens []string
	do := func(method, path, body string, hdr ...string) {
		r := call(t, tester, method, path, body, hdr...)
		bodies = append(bodies, r.body)
		if r.status >= 500 {
			t.Errorf("%s %s: %d", method, path, r.status)
		}
		if r.status == 200 && strings.HasPrefix(r.body, "{") {
			for _, f := range []string{"token", "signature", "accesskey"} {
				if tok, ok := r.json(t)[f].(string); ok && tok != "" {
					tokens = append(tokens, tok)
				}
			}
		}
	}
	// Every preset, minted.
	do("POST", "/basic/hms", `{"room_id":"r"}`, alice...)
	do("POST", "/basic/hmsm", ``, alice...)
	do("POST", "/basic/zoom", `{"sessionName":"s"}`, alice...)
	do("GET", "/basic/via", ``, alice...)
	do("GET", "/basic/vsdk?roomId=x", ``, alice...)
	do("POST", "/basic/db", `{"ch":"prs:x","sid":"s","dbappkey":"db-key"}`, alice...)
	do("GET", "/session/x", ``, "Cookie", "app_session="+sessionTok)
	do("GET", "/inject/x", ``)
	// Every error path.
	do("POST", "/basic/hms", `{"room_id":"r"}`, "user", "wrong-password")
	do("POST", "/basic/hms", `{"room_id":"r","role":"host"}`, alice...)
	do("POST", "/basic/hms", `{"room_id":""}`, alice...)
	do("POST", "/basic/hms", `{bad json`, alice...)
	do("POST", "/basic/zoom", `{"sessionName":"s","role":1}`, alice...)
	do("POST", "/basic/db", `{"ch":"prs:x","sid":"s","dbappkey":"wrong"}`, alice...)
	do("PUT", "/basic/hms", `{}`, alice...)
	do("GET", "/session/x", ``, "Cookie", "app_session="+signHS(t, session("u"), "forged-secret"))
	do("GET", "/session/x", ``, "Cookie", "app_session="+signHS(t, session("u", "exp", 1), sessionSecret))
	do("GET", "/session/x", ``)
	tokens = append(tokens, <-injected)
	if len(tokens) != 8 {
		t.Fatalf("minted %d tokens, want 8", len(tokens))
	}

	res, err := tester.Client.Get(withPorts("http://localhost:2999/config/"))
	if err != nil {
		t.Fatal(err)
	}
	adminCfg, _ := io.ReadAll(res.Body)
	res.Body.Close()

	logs, _ := os.ReadFile(logFile)
	access, _ := os.ReadFile(accessFile)
	if !strings.Contains(string(logs), `"msg":"minted token"`) || !strings.Contains(string(logs), `"msg":"refused token"`) {
		t.Fatalf("the debug log lacks the handler's lines; is it capturing? %d bytes", len(logs))
	}
	if len(access) == 0 {
		t.Fatal("no access log")
	}
	secrets := map[string]string{"provider secret": testSecret, "file secret": fileSecret, "session secret": sessionSecret, "basic auth password": testPassword}
	for i, tok := range tokens {
		secrets["signature of token "+string(rune('0'+i))] = tok[strings.LastIndexByte(tok, '.')+1:]
	}
	secrets["session token signature"] = sessionTok[strings.LastIndexByte(sessionTok, '.')+1:]
	places := map[string]string{"debug log": string(logs), "access log": string(access), "admin config": string(adminCfg), "responses": strings.Join(bodies, "\n")}
	for what, secret := range secrets {
		for where, text := range places {
			if where == "responses" && strings.HasPrefix(what, "signature") {
				continue // a minted token is in its own response, by design
			}
			if strings.Contains(text, secret) {
				t.Errorf("%s found in the %s", what, where)
			}
		}
	}
	t.Logf("searched %d bytes of debug log, %d of access log, %d of admin config, %d responses for %d secrets and signatures",
		len(logs), len(access), len(adminCfg), len(bodies), len(secrets))
}
