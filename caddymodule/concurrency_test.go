package caddymodule

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const concurrentSite = `
http://localhost:9080 {
	handle /hms {
		provider_token hms_app {
			key    k
			secret {env.TM_SECRET}
			claim  role guest
			claim  room_id {http.auth.user.room}
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /zoom {
		provider_token zoom_video {
			key    z
			secret {env.TM_SECRET}
			session jwt {
				from   cookie app_session
				secret {env.TM_SESSION_SECRET}
			}
		}
	}
	handle /vsdk {
		provider_token videosdk {
			key    v
			secret {env.TM_SECRET}
			session anonymous
		}
	}
}
`

// TestConcurrentRequestsNoCrossTalk fires thousands of concurrent requests
// for different users across presets and checks every token is its own
// request's.
func TestConcurrentRequestsNoCrossTalk(t *testing.T) {
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	tester := serve(t, concurrentSite)
	const n, workers = 3000, 48
	cookies := make([]string, n)
	for i := range cookies {
		cookies[i] = "app_session=" + signHS(t, session(fmt.Sprintf("user-%d", i), "room", fmt.Sprintf("room-%d", i)), sessionSecret)
	}
	var failed, mismatched atomic.Int64
	var firstErr atomic.Value
	fail := func(format string, a ...any) {
		failed.Add(1)
		firstErr.CompareAndSwap(nil, fmt.Sprintf(format, a...))
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				user := fmt.Sprintf("user-%d", i)
				var req *http.Request
				var field string
				want := map[string]any{}
				switch i % 3 {
				case 0:
					req, _ = http.NewRequest("POST", base+"/hms", strings.NewReader(`{}`))
					req.Header.Set("Cookie", cookies[i])
					field, want["user_id"], want["room_id"] = "token", user, fmt.Sprintf("room-%d", i)
				case 1:
					req, _ = http.NewRequest("POST", base+"/zoom", strings.NewReader(fmt.Sprintf(`{"sessionName":"s-%d"}`, i)))
					req.Header.Set("Cookie", cookies[i])
					field, want["user_identity"], want["tpc"] = "signature", user, fmt.Sprintf("s-%d", i)
				case 2:
					req, _ = http.NewRequest("GET", fmt.Sprintf("%s/vsdk?roomId=r-%d&peerId=%s", base, i, user), nil)
					field, want["participantId"], want["roomId"] = "token", user, fmt.Sprintf("r-%d", i)
				}
				req.Header.Set("Content-Type", "application/json")
				res, err := tester.Client.Do(req)
				if err != nil {
					fail("request %d: %v", i, err)
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					fail("request %d: %d %s", i, res.StatusCode, body)
					continue
				}
				tok := extract(body, field)
				var c jwt.MapClaims
				if _, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return []byte(testSecret), nil },
					jwt.WithValidMethods([]string{"HS256"})); err != nil {
					fail("request %d: token does not verify: %v", i, err)
					continue
				}
				for k, v := range want {
					if c[k] != v {
						mismatched.Add(1)
						firstErr.CompareAndSwap(nil, fmt.Sprintf("request %d: %s = %v, want %v", i, k, c[k], v))
					}
				}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d requests from %d workers: %d failed, %d claims crossed", n, workers, failed.Load(), mismatched.Load())
	if failed.Load() != 0 || mismatched.Load() != 0 {
		t.Fatalf("first problem: %v", firstErr.Load())
	}
}

// extract pulls a string member out of a small JSON body.
func extract(body []byte, field string) string {
	key := []byte(`"` + field + `":"`)
	i := bytes.Index(body, key)
	if i < 0 {
		return ""
	}
	rest := body[i+len(key):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// TestNoGoroutineLeakAfterUnload loads a config with JWKS sessions, uses it,
// then unloads it, and checks the goroutines come back to what a plain
// config has.
func TestNoGoroutineLeakAfterUnload(t *testing.T) {
	shortJWKS(t)
	t.Setenv("TM_SESSION_SECRET", sessionSecret)
	plain := "\nhttp://localhost:9080 {\n\trespond ok\n}\n"
	tester := serve(t, plain)
	settle := func() int {
		tester.Client.CloseIdleConnections()
		http.DefaultClient.CloseIdleConnections()
		time.Sleep(200 * time.Millisecond)
		runtime.GC()
		return runtime.NumGoroutine()
	}
	baseline := settle()
	// Goroutines that run tokenmint code (the test itself aside).
	ours := func() []string {
		buf := make([]byte, 4<<20)
		var found []string
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if (strings.Contains(g, "tokenmint/caddy-tokenmint/caddymodule.") || strings.Contains(g, "tokenmint/caddy-tokenmint/identity.")) && !strings.Contains(g, "TestNoGoroutineLeakAfterUnload") && !strings.Contains(g, "caddymodule.TestMain") {
				found = append(found, g)
			}
		}
		return found
	}

	ks := newKeyServer(t)
	serve(t, jwksSite(ks.URL)+"\nhttp://127.0.0.1:9080 {\n"+strings.SplitN(concurrentSite, "{", 2)[1])
	tok := signKey(t, jwt.SigningMethodRS256, testJWKSKeys().RSA, "rsa", session("u"))
	for i := 0; i < 50; i++ {
		wantStatus(t, call(t, tester, "GET", "/", "", "Authorization", "Bearer "+tok), 200)
	}
	loaded := runtime.NumGoroutine()
	if n := len(ours()); n == 0 {
		t.Fatal("no goroutine runs tokenmint code while JWKS sessions are loaded: the check below would prove nothing")
	}

	serve(t, plain)
	var after int
	var left []string
	deadline := time.Now().Add(15 * time.Second)
	for {
		after = settle()
		if left = ours(); len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("goroutines: %d with a plain config, %d with JWKS sessions loaded, %d after unloading; %d running tokenmint code",
		baseline, loaded, after, len(left))
	if len(left) > 0 {
		t.Fatalf("tokenmint goroutines left after unload:\n%s", strings.Join(left, "\n\n"))
	}
	if keySets.References(ks.URL) > 0 {
		t.Error("the JWKS cache is still in the pool after unload")
	}
}

// TestReloadUnderLoad changes the signing secret while requests run: no
// request is dropped, and every token verifies with the secret that was
// current when it was minted. Then a bad config is refused and the good
// one keeps serving.
func TestReloadUnderLoad(t *testing.T) {
	const secretA, secretB = "reload-secret-A-0123456789abcdef", "reload-secret-B-0123456789abcdef"
	t.Setenv("SECRET_A", secretA)
	t.Setenv("SECRET_B", secretB)
	opts := strings.Replace(globalOptions, "grace_period 1ns", "grace_period 10s", 1)
	site := func(env string) string {
		return opts + `
http://localhost:9080 {
	provider_token jwt {
		secret  {env.` + env + `}
		claim   sub load
		session anonymous
	}
}
`
	}
	tester := serveRaw(t, site("SECRET_A"))
	client := tester.Client

	type result struct {
		start, end time.Time
		tok        string
		err        string
		retried    string // the transport error a retry overcame
	}
	var mu sync.Mutex
	var results []result
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := result{start: time.Now()}
				res, err := client.Get(base + "/")
				if err != nil {
					// A connection the old server closes as it hands over
					// can meet a request on the wire; HTTP lets a client
					// retry an idempotent GET (RFC 9110, 9.2.2), as
					// browsers do. Counted, and the retry must succeed.
					r.retried = err.Error()
					res, err = client.Get(base + "/")
				}
				if err != nil {
					r.err = err.Error()
				} else {
					body, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						r.err = fmt.Sprintf("%d %s", res.StatusCode, body)
					}
					r.tok = extract(body, "token")
				}
				r.end = time.Now()
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	reloadStart := time.Now()
	tester.InitServer(withPorts(site("SECRET_B")), "caddyfile")
	reloadEnd := time.Now()
	time.Sleep(300 * time.Millisecond)

	// A bad config is refused; the good one keeps serving.
	bad := site("SECRET_B") + "\nhttp://localhost:9080 {\n\tprovider_token no_such_preset\n}\n"
	res, err := tester.Client.Post(withPorts("http://localhost:2999/load"), "text/caddyfile", strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode < 400 || !strings.Contains(string(msg), "unknown preset") {
		t.Errorf("bad config: %d %s, want a refusal naming the preset", res.StatusCode, msg)
	}
	settled := time.Now()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()

	verifies := func(tok, secret string) bool {
		_, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return []byte(secret), nil }, jwt.WithValidMethods([]string{"HS256"}))
		return err == nil
	}
	var withA, withB, failed, wrong, retried, handover int
	for _, r := range results {
		if r.retried != "" {
			retried++
			t.Logf("retried once (began %s into the reload, which took %s): %s", r.start.Sub(reloadStart), reloadEnd.Sub(reloadStart), r.retried)
		}
		switch {
		case r.err != "":
			failed++
			t.Errorf("request dropped (started %s after the reload began, ended %s after it): %s",
				r.start.Sub(reloadStart), r.end.Sub(reloadStart), r.err)
		case verifies(r.tok, secretA):
			withA++
			// Caddy shuts the old server down in the background once the
			// reload returns (caddyhttp App.stop), so a request sent on a
			// kept-alive connection in that moment may still be answered
			// by the old config. Counted; after the bad config's round
			// trip and 300 ms more, none may be.
			switch {
			case r.start.After(settled):
				wrong++
				t.Errorf("a request started well after the reload (after the bad config was refused) got a token under the old secret")
			case r.start.After(reloadEnd):
				handover++
			}
		case verifies(r.tok, secretB):
			withB++
			if r.end.Before(reloadStart) {
				wrong++
				t.Errorf("a request that ended before the reload got a token under the new secret")
			}
		default:
			wrong++
			t.Errorf("a token verifies with neither secret")
		}
	}
	t.Logf("reload under load: %d sent, %d answered, %d failed (%d needed one retry); %d under the old secret (%d of them sent as the old server was shutting down), %d under the new; reload took %s",
		len(results), len(results)-failed, failed, retried, withA, handover, withB, reloadEnd.Sub(reloadStart))
	if withA == 0 || withB == 0 {
		t.Errorf("want tokens under both secrets, got %d and %d", withA, withB)
	}
}

// TestInjectUpstreamFailure: a dead upstream gives Caddy's own 502, and no
// token reaches the log.
func TestInjectUpstreamFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	logFile := filepath.Join(t.TempDir(), "caddy.log")
	config := strings.Replace(globalOptions, "{\n", "{\n\tlog {\n\t\toutput file "+logFile+"\n\t\tlevel DEBUG\n\t}\n", 1) + `
http://localhost:9080 {
	log
	provider_token jwt {
		secret  {env.TM_SECRET}
		claim   sub u
		session anonymous
		inject  header Authorization Bearer
	}
	reverse_proxy ` + dead + `
}
`
	tester := serveRaw(t, config)
	for i := 0; i < 3; i++ {
		r := call(t, tester, "GET", "/", "")
		if r.status != 502 {
			t.Fatalf("dead upstream: %d %s, want 502", r.status, r.body)
		}
		noToken(t, r.body)
	}
	logs, _ := os.ReadFile(logFile)
	if !strings.Contains(string(logs), "minted token") {
		t.Fatalf("the debug log did not capture the handler (%d bytes)", len(logs))
	}
	if strings.Contains(string(logs), "eyJ") {
		i := strings.Index(string(logs), "eyJ")
		t.Fatalf("a token is in the log: …%s…", logs[max(0, i-200):min(len(logs), i+60)])
	}
}
