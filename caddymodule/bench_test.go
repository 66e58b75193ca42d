package caddymodule

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/golang-jwt/jwt/v5"
)

// discard is a ResponseWriter that keeps nothing, so the benchmarks measure
// the handler, not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func provisioned(b *testing.B, h *Handler) *Handler {
	b.Helper()
	b.Setenv("TM_SECRET", testSecret)
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	b.Cleanup(cancel)
	if err := h.Provision(ctx); err != nil {
		b.Fatal(err)
	}
	// Caddy's default log level is INFO: debug lines are checked, not written.
	h.logger = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
	b.Cleanup(func() { h.Cleanup() })
	return h
}

// serveLoop runs ServeHTTP as Caddy would: a fresh replacer per request.
func serveLoop(b *testing.B, h *Handler, req *http.Request, next caddyhttp.Handler) {
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		r := req.Clone(req.Context())
		caddyhttp.NewTestReplacer(r)
		clear(w.h)
		if err := h.ServeHTTP(w, r, next); err != nil {
			b.Fatal(err)
		}
	}
}

var nop = caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil })

// BenchmarkServeHTTP is the whole handler: hms_app answering, and a jwt
// injected before a no-op next handler (reverse_proxy's place). The
// baseline is the same request through a handler that does nothing but
// set a header, so the difference is tokenmint's cost.
func BenchmarkServeHTTP(b *testing.B) {
	req := httptest.NewRequest("GET", "/auth-token", nil)
	b.Run("baseline", func(b *testing.B) {
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			r := req.Clone(req.Context())
			caddyhttp.NewTestReplacer(r)
			clear(w.h)
			w.h.Set("Content-Type", "application/json")
			w.WriteHeader(200)
		}
	})
	b.Run("respond", func(b *testing.B) {
		h := provisioned(b, &Handler{Preset: "hms_app", Key: "6365abcdef0123456789abcd", Secret: "{env.TM_SECRET}",
			Claims:  map[string][]string{"role": {"guest"}, "room_id": {"633fcdd84208780bf665346a"}, "user_id": {"bench-user"}},
			Session: &Session{Method: "anonymous"}})
		serveLoop(b, h, req, nop)
	})
	b.Run("respond_body", func(b *testing.B) {
		h := provisioned(b, &Handler{Preset: "hms_app", Key: "6365abcdef0123456789abcd", Secret: "{env.TM_SECRET}",
			Claims: map[string][]string{"role": {"guest"}}, Session: &Session{Method: "anonymous"}})
		body := `{"room_id":"633fcdd84208780bf665346a","user_id":"bench-user"}`
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest("POST", "/auth-token", stringsReader(body))
			r.Header.Set("Content-Type", "application/json")
			caddyhttp.NewTestReplacer(r)
			clear(w.h)
			if err := h.ServeHTTP(w, r, nop); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inject", func(b *testing.B) {
		h := provisioned(b, &Handler{Preset: "jwt", Secret: "{env.TM_SECRET}", Claims: map[string][]string{"sub": {"bench"}},
			Session: &Session{Method: "anonymous"}, Inject: &Inject{Header: "Authorization", Scheme: "Bearer"}})
		serveLoop(b, h, req, nop)
	})
}

// BenchmarkSession verifies a session token per request: cold (cache off,
// every request pays the signature) and cached (the verified-session cache
// answers repeats).
func BenchmarkSession(b *testing.B) {
	b.Setenv("TM_SESSION_SECRET", sessionSecret)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaPEM := writePEMB(b, &rk.PublicKey)
	ecPEM := writePEMB(b, &ek.PublicKey)
	claims := jwt.MapClaims{"sub": "bench-user", "exp": 4102444800, "iat": 1764000000, "rooms": []string{"a", "b"}}
	sign := func(m jwt.SigningMethod, key any) string {
		s, err := jwt.NewWithClaims(m, claims).SignedString(key)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	for _, alg := range []struct {
		name string
		tok  string
		cfg  JWTSession
	}{
		{"HS256", sign(jwt.SigningMethodHS256, []byte(sessionSecret)), JWTSession{Secrets: []string{"{env.TM_SESSION_SECRET}"}}},
		{"RS256", sign(jwt.SigningMethodRS256, rk), JWTSession{PublicKeys: []string{rsaPEM}}},
		{"ES256", sign(jwt.SigningMethodES256, ek), JWTSession{PublicKeys: []string{ecPEM}}},
	} {
		for _, mode := range []struct {
			name string
			size int
		}{{"cold", -1}, {"cached", 0}} {
			b.Run(alg.name+"/"+mode.name, func(b *testing.B) {
				cfg := alg.cfg
				cfg.CacheSize = mode.size
				v, err := newJWTVerifier(&cfg, nopLogger())
				if err != nil {
					b.Fatal(err)
				}
				defer v.Close()
				req := httptest.NewRequest("GET", "/", nil)
				req.Header.Set("Authorization", "Bearer "+alg.tok)
				b.ReportAllocs()
				for b.Loop() {
					if _, _, serr := v.Authenticate(req); serr != nil {
						b.Fatal(serr)
					}
				}
			})
		}
	}
}

// BenchmarkLatencyHistogram is what a mint-latency histogram would add to
// every request (two clock reads and an Observe), to weigh against
// BenchmarkServeHTTP/respond: tokenmint keeps no histogram unless this
// costs under 2% of the hot path.
func BenchmarkLatencyHistogram(b *testing.B) {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "x", Buckets: prometheus.DefBuckets})
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		h.Observe(time.Since(t0).Seconds())
	}
}
