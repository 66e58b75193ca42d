package caddymodule

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type seen struct {
	auth   []string
	exp    string
	room   string
	body   string
	called int
}

func TestInjectBeforeReverseProxy(t *testing.T) {
	var mu sync.Mutex
	var last seen
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		last = seen{auth: r.Header.Values("Authorization"), exp: r.Header.Get("X-Token-Expires"),
			room: r.Header.Get("X-Room"), body: string(b), called: last.called + 1}
		mu.Unlock()
		w.Write([]byte("upstream ok"))
	}))
	defer upstream.Close()

	tester := serve(t, `
http://localhost:9080 {
	basic_auth {
		alice `+aliceHash+`
	}
	provider_token hms_app {
		key    hms-access-key
		secret {env.TM_SECRET}
		claim  role guest
		claim  room_id {body.room.id}
		inject header Authorization Bearer
	}
	reverse_proxy `+upstream.Listener.Addr().String()+` {
		header_up X-Token-Expires {http.provider_token.expires}
		header_up X-Room {body.room.id}
	}
}
`)
	body := `{"room":{"id":"633fcdd8"},"note":"for the app"}`
	r := call(t, tester, "POST", "/api/join", body, append([]string{"Authorization", "Bearer forged-by-client"}, alice...)...)
	wantStatus(t, r, 200)
	if r.body != "upstream ok" {
		t.Fatalf("body = %q, want the upstream's", r.body)
	}
	mu.Lock()
	got := last
	mu.Unlock()
	if got.called != 1 || len(got.auth) != 1 || !strings.HasPrefix(got.auth[0], "Bearer ") {
		t.Fatalf("upstream saw Authorization %q (%d calls), want one Bearer token", got.auth, got.called)
	}
	tok := strings.TrimPrefix(got.auth[0], "Bearer ")
	_, c := claims(t, tok, "HS256", testSecret)
	if c["user_id"] != "alice" || c["room_id"] != "633fcdd8" || c["role"] != "guest" {
		t.Errorf("claims = %v", c)
	}
	if got.exp == "" || got.exp != itoaFloat(c["exp"]) {
		t.Errorf("{http.provider_token.expires} = %q, want exp %v", got.exp, c["exp"])
	}
	within(t, num(t, c["iat"]), time.Now())
	if got.body != body {
		t.Errorf("upstream body = %q, want the client's body intact: %q", got.body, body)
	}
	if got.room != "633fcdd8" {
		t.Errorf("{body.room.id} in header_up = %q", got.room)
	}

	// A refusal in inject mode never reaches the upstream and is plain JSON.
	r = call(t, tester, "POST", "/api/join", `{"room":{"id":"has space"}}`, alice...)
	mu.Lock()
	calls := last.called
	mu.Unlock()
	if r.status != 400 || !strings.Contains(r.body, `"error":"invalid_request"`) || calls != 1 {
		t.Fatalf("got %d %s (upstream calls %d), want a 400 JSON refusal and no upstream call", r.status, r.body, calls)
	}
}

func itoaFloat(v any) string {
	f, _ := v.(float64)
	return itoa(int64(f))
}
