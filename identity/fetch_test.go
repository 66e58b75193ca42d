package identity

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

func TestJWKSLoopbackHTTPAccepted(t *testing.T) {
	for _, u := range []string{"http://localhost:1/k", "http://127.0.0.1:1/k", "http://[::1]:1/k", "http://keys.localhost/k", "https://idp.example/k"} {
		if err := CheckKeyURL(u); err != nil {
			t.Errorf("CheckKeyURL(%q) = %v, want it accepted", u, err)
		}
	}
}

// TestJWKSRedirects: a redirect from https to http is not followed (the
// fetch fails and no key is taken from the http server); https to https is.
func TestJWKSRedirects(t *testing.T) {
	plain := idptest.NewKeyServer(t)
	tlsKeys := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(idptest.JWKS(idptest.Keys().Public())))
	}))
	defer tlsKeys.Close()
	redirect := func(to string) *httptest.Server {
		s := httptest.NewTLSServer(http.RedirectHandler(to, http.StatusFound))
		t.Cleanup(s.Close)
		return s
	}
	client := tlsKeys.Client() // trusts every httptest TLS server

	down := redirect(plain.URL)
	c := acquireTestJWKS(t, down.URL, FetchOptions{FirstFetchDelay: time.Hour, Client: client})
	if _, err := c.Keys(testCtx(t)); err == nil || !strings.Contains(err.Error(), "refused a redirect") {
		t.Fatalf("https → http redirect: Keys = %v, want a refused redirect", err)
	}
	if n := plain.Requests(); n != 0 {
		t.Fatalf("the http server was asked %d times after an https → http redirect, want 0", n)
	}

	up := redirect(tlsKeys.URL)
	c = acquireTestJWKS(t, up.URL, FetchOptions{FirstFetchDelay: time.Hour, Client: client})
	if keys, err := c.Keys(testCtx(t)); err != nil || len(keys) == 0 {
		t.Fatalf("https → https redirect: Keys = %d keys, %v; want the set", len(keys), err)
	}
}

func TestJWKSAcquireRefuses(t *testing.T) {
	tests := []struct {
		name, url string
		opts      FetchOptions
		err       string
	}{
		{"empty URL", "", FetchOptions{}, "not an https URL"},
		{"no scheme", "/keys.json", FetchOptions{}, "not an https URL"},
		{"ftp", "ftp://idp.example/keys", FetchOptions{}, "not an https URL"},
		{"no host", "https://", FetchOptions{}, "not an https URL"},
		{"plain http", "http://idp.example/keys", FetchOptions{}, "is plain http"},
		{"plain http to a public address", "http://192.0.2.1/keys", FetchOptions{}, "is plain http"},
		{"plain http to a look-alike", "http://localhost.idp.example/keys", FetchOptions{}, "is plain http"},
		{"negative timeout", "https://idp.example/keys", FetchOptions{Timeout: -1}, "timeout must not be negative"},
		{"negative size", "https://idp.example/keys", FetchOptions{MaxBytes: -1}, "size limit"},
		{"min above max", "https://idp.example/keys", FetchOptions{MinRefresh: time.Hour, MaxRefresh: time.Minute}, "above max refresh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := testRegistry.JWKS(tt.url, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("JWKS(%q, %+v) = %v, %v; want an error containing %q", tt.url, tt.opts, c, err, tt.err)
			}
			if testRegistry.References(tt.url) != 0 {
				t.Errorf("the pool holds %q after a refused acquire", tt.url)
			}
		})
	}
}

func TestJWKSOptionsDefaults(t *testing.T) {
	tests := []struct {
		name     string
		in       FetchOptions
		min, max time.Duration
	}{
		{"zero", FetchOptions{}, time.Minute, time.Hour},
		{"only a low max", FetchOptions{MaxRefresh: 30 * time.Second}, 30 * time.Second, 30 * time.Second},
		{"only a high min", FetchOptions{MinRefresh: 2 * time.Hour}, 2 * time.Hour, 2 * time.Hour},
		{"both", FetchOptions{MinRefresh: time.Second, MaxRefresh: time.Minute}, time.Second, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.in.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			if o.MinRefresh != tt.min || o.MaxRefresh != tt.max {
				t.Errorf("refresh [%v, %v], want [%v, %v]", o.MinRefresh, o.MaxRefresh, tt.min, tt.max)
			}
			if o.Timeout != 5*time.Second || o.MaxBytes != 1<<20 || o.RefetchEvery != 10*time.Second ||
				o.FirstFetchDelay != 250*time.Millisecond || o.Client == nil || o.Client.Timeout != o.Timeout || o.Logger == nil {
				t.Errorf("defaults not filled in: %+v", o)
			}
		})
	}
}

func TestJWKSRefreshInterval(t *testing.T) {
	const lo, hi = time.Minute, time.Hour
	tests := []struct {
		name string
		hdr  http.Header
		want time.Duration
	}{
		{"no Cache-Control", http.Header{}, 15 * time.Minute},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=300"}}, 5 * time.Minute},
		{"max-age quoted", http.Header{"Cache-Control": {`max-age="600"`}}, 10 * time.Minute},
		{"max-age upper case", http.Header{"Cache-Control": {"MAX-AGE=600"}}, 10 * time.Minute},
		{"max-age less Age", http.Header{"Cache-Control": {"max-age=900"}, "Age": {"300"}}, 10 * time.Minute},
		{"max-age=0 clamps to min", http.Header{"Cache-Control": {"max-age=0"}}, lo},
		{"Age past max-age clamps to min", http.Header{"Cache-Control": {"max-age=100"}, "Age": {"200"}}, lo},
		{"huge max-age clamps to max", http.Header{"Cache-Control": {"max-age=99999999999999"}}, hi},
		{"no-store", http.Header{"Cache-Control": {"no-store"}}, lo},
		{"no-cache beats max-age", http.Header{"Cache-Control": {"max-age=3000, no-cache"}}, lo},
		{"malformed max-age", http.Header{"Cache-Control": {"max-age=soon"}}, 15 * time.Minute},
		{"negative max-age", http.Header{"Cache-Control": {"max-age=-5"}}, 15 * time.Minute},
		{"two header lines", http.Header{"Cache-Control": {"public", "max-age=120"}}, 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refreshInterval(tt.hdr, lo, hi); got != tt.want {
				t.Errorf("refreshInterval(%v) = %v, want %v", tt.hdr, got, tt.want)
			}
		})
	}
	if got := refreshInterval(http.Header{}, time.Minute, 5*time.Minute); got != 5*time.Minute {
		t.Errorf("no max-age with max refresh 5m = %v, want 5m", got)
	}
}
