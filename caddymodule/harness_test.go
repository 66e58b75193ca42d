package caddymodule

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/caddyserver/caddy/v2/caddytest"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

// Real-Caddy tests live in this package only: caddytest binds fixed ports
// (admin 2999, http 9080, https 9443), so two packages would run into each
// other. TOKENMINT_TEST_PORTS=http,admin,https moves them, so that two
// checkouts can run their tests at once; configs and URLs in tests are
// written with the default ports and rewritten by withPorts.

var (
	httpPort, adminPort, httpsPort = testPorts()
	base                           = "http://localhost:" + httpPort
	portRewriter                   = strings.NewReplacer(":9080", ":"+httpPort, ":2999", ":"+adminPort, ":9443", ":"+httpsPort)
)

func testPorts() (string, string, string) {
	p := strings.Split(os.Getenv("TOKENMINT_TEST_PORTS"), ",")
	if len(p) != 3 {
		return "9080", "2999", "9443"
	}
	return p[0], p[1], p[2]
}

// withPorts rewrites the default test ports in config text or a URL.
func withPorts(s string) string { return portRewriter.Replace(s) }

func TestMain(m *testing.M) {
	n, err := strconv.Atoi(adminPort)
	if err != nil {
		panic("TOKENMINT_TEST_PORTS: " + err.Error())
	}
	caddytest.Default.AdminPort = n
	// caddytest loads configs with clients on the default transport.
	http.DefaultTransport = adminRetry{http.DefaultTransport}
	os.Exit(m.Run())
}

// adminRetry resends a request to the admin endpoint that a closing socket
// reset before any server read it. Every config load starts a new admin
// server on the same port (SO_REUSEPORT) and closes the old one's socket in
// the background (caddy replaceLocalAdminServer); a connection the kernel
// had queued on the old socket is reset when it closes. Nothing read it,
// so sending it again is safe, as for any unanswered request. Requests to
// the sites under test are never retried.
type adminRetry struct{ next http.RoundTripper }

func (a adminRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Port() != adminPort {
		return a.next.RoundTrip(req)
	}
	for attempt := 1; ; attempt++ {
		try := req
		if attempt > 1 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, errors.New("adminRetry: a body that cannot be sent again")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			try = req.Clone(req.Context())
			try.Body = body
		}
		res, err := a.next.RoundTrip(try)
		if err == nil || attempt == 5 || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)) {
			return res, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const (
	testPassword = "wonderland"
	testSecret   = "integration-secret-0123456789abcdef"
)

// aliceHash is a bcrypt hash of testPassword for basic_auth.
var aliceHash = func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}()

const globalOptions = `{
	admin localhost:2999
	http_port 9080
	https_port 9443
	grace_period 1ns
	skip_install_trust
}
`

// serve starts a real Caddy with the global test options and the given
// site blocks. The test's TM_SECRET is testSecret, for {env.TM_SECRET}.
func serve(t *testing.T, sites string) *caddytest.Tester {
	t.Helper()
	t.Setenv("TM_SECRET", testSecret)
	return startFresh(t, withPorts(globalOptions+sites), "caddyfile")
}

// startFresh loads a config into a Caddy that serves nothing else: it
// first unloads the previous test's servers and waits until their ports
// refuse connections. Caddy shuts the old servers of a reload down in the
// background and says they may still accept a connection just after the
// reload returns (caddyhttp App.stop); such a connection would reach the
// previous test's config, or be closed unanswered (EOF), under load. Tests
// that reload on purpose call InitServer themselves.
func startFresh(t *testing.T, config, adapter string) *caddytest.Tester {
	t.Helper()
	unloadAll(t)
	tester := caddytest.NewTester(t)
	tester.Client.Transport = adminRetry{tester.Client.Transport}
	tester.InitServer(config, adapter)
	if t.Failed() {
		t.FailNow()
	}
	return tester
}

// unloadAll loads a config of only the admin endpoint, then waits until
// nothing accepts on the test's HTTP and HTTPS ports. Before the first
// test, Caddy is not running yet and there is nothing to unload.
func unloadAll(t *testing.T) {
	t.Helper()
	admin := "http://localhost:" + adminPort
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(admin + "/config/")
	if err != nil {
		return
	}
	res.Body.Close()
	empty := `{"admin":{"listen":"localhost:` + adminPort + `"}}`
	res, err = client.Post(admin+"/load", "application/json", strings.NewReader(empty))
	if err != nil {
		t.Fatalf("unloading the previous config: %v", err)
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("unloading the previous config: %d %s", res.StatusCode, msg)
	}
	for _, port := range []string{httpPort, httpsPort} {
		eventually(t, "port "+port+" to close after the unload", func() bool {
			c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
			if err != nil {
				return true
			}
			c.Close()
			return false
		})
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

// json decodes the body as a JSON object.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, r.body)
	}
	return m
}

// call sends a request. hdr is name, value pairs; "user" as a name sends
// alice's basic auth with that password, "Host" sets the Host.
func call(t *testing.T, tester *caddytest.Tester, method, path, body string, hdr ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" && strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		switch hdr[i] {
		case "user":
			req.SetBasicAuth("alice", hdr[i+1])
			continue
		case "Host":
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := tester.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

// getNoRedirect GETs url as alice without following a redirect, and
// returns the answer (its body read and closed) and its Location.
func getNoRedirect(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("alice", testPassword)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res, res.Header.Get("Location")
}

// alice is basic auth as alice.
var alice = []string{"user", testPassword}

// claims verifies tok with golang-jwt under alg only, with an HMAC secret,
// and returns its header and claims.
func claims(t *testing.T, tok, alg, secret string) (map[string]any, jwt.MapClaims) {
	t.Helper()
	return verifyToken(t, tok, alg, []byte(secret))
}

// verifyWithKey is claims for a public key, and requires exp.
func verifyWithKey(t *testing.T, tok, alg string, pub crypto.PublicKey) (map[string]any, jwt.MapClaims) {
	t.Helper()
	return verifyToken(t, tok, alg, pub, jwt.WithExpirationRequired())
}

func verifyToken(t *testing.T, tok, alg string, key any, opts ...jwt.ParserOption) (map[string]any, jwt.MapClaims) {
	t.Helper()
	var mc jwt.MapClaims
	opts = append(opts, jwt.WithValidMethods([]string{alg}), jwt.WithIssuedAt())
	parsed, err := jwt.ParseWithClaims(tok, &mc, func(*jwt.Token) (any, error) { return key, nil }, opts...)
	if err != nil {
		t.Fatalf("token does not verify under %s: %v", alg, err)
	}
	return parsed.Header, mc
}

// lifetime checks that iat is about start and exp - iat is want seconds,
// and returns iat.
func lifetime(t *testing.T, c jwt.MapClaims, start time.Time, want int64) int64 {
	t.Helper()
	iat := num(t, c["iat"])
	within(t, iat, start)
	if d := num(t, c["exp"]) - iat; d != want {
		t.Errorf("exp - iat = %d, want %d", d, want)
	}
	return iat
}

// wantStatus fails unless r has the status.
func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
}

// noToken fails if body holds anything shaped like a JWT.
func noToken(t *testing.T, body string) {
	t.Helper()
	if strings.Contains(body, "eyJ") {
		t.Fatalf("refusal body carries a token: %s", body)
	}
}

func segment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v is %T, want a JSON number", v, v)
	}
	return int64(f)
}

func within(t *testing.T, unix int64, want time.Time) {
	t.Helper()
	if d := time.Unix(unix, 0).Sub(want); d < -5*time.Second || d > 5*time.Second {
		t.Fatalf("time %d is %s from %s", unix, d, want)
	}
}

func mustRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func nopLogger() *zap.Logger { return zap.NewNop() }

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

// writePEMB is writePEM for benchmarks.
func writePEMB(b *testing.B, pub any) string {
	b.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// upstreamRecorder is an app behind reverse_proxy that records the
// headers of the requests it gets.
type upstreamRecorder struct {
	*httptest.Server
	mu  sync.Mutex
	got []http.Header
}

func newUpstream(t *testing.T) *upstreamRecorder {
	u := &upstreamRecorder{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.got = append(u.got, r.Header.Clone())
		u.mu.Unlock()
		_, _ = w.Write([]byte("app"))
	}))
	t.Cleanup(u.Close)
	return u
}

// take returns the requests recorded since the last take.
func (u *upstreamRecorder) take() []http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	got := u.got
	u.got = nil
	return got
}

// one returns the values of header name in the one request recorded
// since the last take, and fails the test unless exactly one arrived.
func (u *upstreamRecorder) one(t *testing.T, name string) []string {
	t.Helper()
	got := u.take()
	if len(got) != 1 {
		t.Fatalf("the upstream got %d requests, want 1", len(got))
	}
	return got[0].Values(name)
}
