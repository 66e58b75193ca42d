package caddymodule

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddytest"
)

// hostileSite mints through placeholders, the request contract and bodies.
// extraGlobal and extraSite are spliced into the global options and the
// site (logging for the leak test).
func hostileSite(extraGlobal, extraSite string) string {
	return strings.Replace(globalOptions, "{\n", "{\n"+extraGlobal, 1) + `
http://localhost:9080 {
	` + extraSite + `
	basic_auth {
		alice ` + aliceHash + `
	}
	handle /hms {
		provider_token hms_app {
			key    hms-access-key
			secret {env.TM_SECRET}
			claim  role guest
		}
	}
	handle /zoom {
		provider_token zoom_video {
			key    zoom-key
			secret {env.TM_SECRET}
			allow  role_type 0 1
		}
	}
	handle /free {
		provider_token jwt {
			secret {env.TM_SECRET}
			claim  sub {http.auth.user.id}
			claim  note {query.note}
			claim  hdr {header.X-Note}
			claim  b {body.b}
		}
	}
}
`
}

// serveRaw starts Caddy with a full config text (global options included).
func serveRaw(t *testing.T, config string) *caddytest.Tester {
	t.Helper()
	t.Setenv("TM_SECRET", testSecret)
	return startFresh(t, withPorts(config), "caddyfile")
}

func TestHostileInput(t *testing.T) {
	tester := serveRaw(t, hostileSite("", ""))
	deep := strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)
	q := func(s string) string { return url.QueryEscape(s) }
	cases := []struct {
		name, method, path, ctype, body string
		hdr                             []string
		want                            int // 0: any 4xx
	}{
		{"body over the cap", "POST", "/hms", "application/json", `{"room_id":"` + strings.Repeat("r", 70<<10) + `"}`, nil, 413},
		{"wrong content type", "POST", "/hms", "text/xml", `<room_id>r</room_id>`, nil, 415},
		{"multipart", "POST", "/hms", "multipart/form-data; boundary=x", "--x\r\n\r\nr\r\n--x--", nil, 415},
		{"invalid UTF-8 body", "POST", "/hms", "application/json", "{\"room_id\":\"r\xff\"}", nil, 400},
		{"duplicate keys", "POST", "/hms", "application/json", `{"room_id":"a","room_id":"b"}`, nil, 400},
		{"huge number", "POST", "/zoom", "application/json", `{"sessionName":"s","role":1e999}`, nil, 400},
		{"huge integer", "POST", "/zoom", "application/json", `{"sessionName":"s","expirationSeconds":99999999999999999999999}`, nil, 400},
		{"deeply nested JSON", "POST", "/hms", "application/json", `{"room_id":` + deep + `}`, nil, 400},
		{"deep nesting at the top", "POST", "/hms", "application/json", deep, nil, 400},
		{"JSON null room", "POST", "/hms", "application/json", `{"room_id":null}`, nil, 400},
		{"very long room name", "POST", "/hms", "application/json", `{"room_id":"` + strings.Repeat("r", 129) + `"}`, nil, 400},
		{"very long session name", "POST", "/zoom", "application/json", `{"sessionName":"` + strings.Repeat("s", 5000) + `"}`, nil, 400},
		{"control character in a claim", "POST", "/hms", "application/json", `{"room_id":"a\u0001b"}`, nil, 400},
		{"newline in the query", "GET", "/free?note=" + q("a\nb"), "", "", nil, 400},
		{"NUL in the query", "GET", "/free?note=" + q("a\x00b"), "", "", nil, 400},
		{"quotes in a header", "GET", "/free", "", "", []string{"X-Note", `say "hi" \ and ' too`}, 200},
		{"quotes in the query", "GET", "/free?note=" + q(`"}],"admin":true,"x":["`), "", "", nil, 200},
		{"placeholder text in the query", "GET", "/free?note=" + q("{env.TM_SECRET}"), "", "", nil, 200},
		{"placeholder text in a header", "GET", "/free", "", "", []string{"X-Note", "{env.TM_SECRET}{file./etc/passwd}"}, 200},
		{"placeholder text in the body", "POST", "/free", "application/json", `{"b":"{env.TM_SECRET}"}`, nil, 200},
		{"placeholder in a room id", "POST", "/hms", "application/json", `{"room_id":"{env.TM_SECRET}"}`, nil, 400},
		{"invalid UTF-8 in the query", "GET", "/free?note=%FF%FE", "", "", nil, 400},
		{"form body with a bad escape", "POST", "/hms", "application/x-www-form-urlencoded", "room_id=%zz", nil, 400},
		{"array where a string goes", "POST", "/free", "application/json", `{"b":["a","b"]}`, nil, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := append([]string{}, alice...)
			if c.ctype != "" {
				hdr = append(hdr, "Content-Type", c.ctype)
			}
			hdr = append(hdr, c.hdr...)
			r := call(t, tester, c.method, c.path, c.body, hdr...)
			if r.status >= 500 {
				t.Fatalf("got %d %s: never a 5xx", r.status, r.body)
			}
			if c.want != 0 && r.status != c.want {
				t.Fatalf("got %d %s, want %d", r.status, r.body, c.want)
			}
			if strings.Contains(r.body, testSecret) {
				t.Fatal("the secret is in the body")
			}
			if r.status >= 400 {
				noToken(t, r.body)
				var e map[string]any
				if json.Unmarshal([]byte(r.body), &e) != nil && r.status != 413 {
					// zoom's envelope and the default one are both JSON.
					t.Fatalf("refusal body is not JSON: %q", r.body)
				}
				return
			}
			tok, _ := r.json(t)["token"].(string)
			_, claims := claims(t, tok, "HS256", testSecret)
			for _, v := range claims {
				if s, ok := v.(string); ok && strings.Contains(s, testSecret) {
					t.Fatalf("a placeholder in client input was expanded: claim %q", s)
				}
			}
			// What the client sent arrives as text, exactly.
			switch c.name {
			case "placeholder text in the query":
				if claims["note"] != "{env.TM_SECRET}" {
					t.Errorf("note = %v, want the literal text", claims["note"])
				}
			case "quotes in the query":
				if claims["note"] != `"}],"admin":true,"x":["` || claims["admin"] != nil {
					t.Errorf("claims = %v: the quotes escaped their string", claims)
				}
			case "array where a string goes":
				if claims["b"] != `["a","b"]` {
					t.Errorf("b = %v, want the array as JSON text", claims["b"])
				}
			}
		})
	}

	t.Run("slow body", func(t *testing.T) {
		body := `{"room_id":"slow-room"}`
		resp := rawRequest(t, "POST /hms HTTP/1.1\r\nHost: localhost:"+httpPort+"\r\nAuthorization: "+basicAuth()+
			"\r\nContent-Type: application/json\r\nContent-Length: "+fmt.Sprint(len(body))+"\r\n\r\n", body, 50*time.Millisecond, false)
		if !strings.HasPrefix(resp, "HTTP/1.1 200") {
			t.Fatalf("a slow but complete body: %q", firstLine(resp))
		}
	})
	t.Run("truncated body", func(t *testing.T) {
		resp := rawRequest(t, "POST /hms HTTP/1.1\r\nHost: localhost:"+httpPort+"\r\nAuthorization: "+basicAuth()+
			"\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n", `{"room_id":"r"`, 0, true)
		if !strings.HasPrefix(resp, "HTTP/1.1 400") {
			t.Fatalf("a body cut short: %q, want 400", firstLine(resp))
		}
	})
	// After all that, the server answers normally.
	wantStatus(t, call(t, tester, "POST", "/hms", `{"room_id":"r"}`, alice...), 200)
}

func basicAuth() string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth("alice", testPassword)
	return req.Header.Get("Authorization")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// rawRequest writes head, then body a byte at a time with pause between
// bytes, optionally closes the writing side, and returns the response.
func rawRequest(t *testing.T, head, body string, pause time.Duration, closeWrite bool) string {
	t.Helper()
	conn, err := net.Dial("tcp", "127.0.0.1:"+httpPort)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, head)
	for i := 0; i < len(body); i++ {
		conn.Write([]byte{body[i]})
		if pause > 0 && i%4 == 0 {
			time.Sleep(pause)
		}
	}
	if closeWrite {
		conn.(*net.TCPConn).CloseWrite()
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("HTTP/1.1 %s\r\n\r\n%s", resp.Status, b)
}
