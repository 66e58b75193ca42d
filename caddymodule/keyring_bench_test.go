package caddymodule

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// BenchmarkServeHTTPKeyring is BenchmarkServeHTTP/inject signed by an auto
// ES256 key ring, with the minted-token cache (the default) and without,
// beside the same route signed with an HS256 secret.
func BenchmarkServeHTTPKeyring(b *testing.B) {
	b.Setenv("TM_SECRET", testSecret)
	cfg := &caddy.Config{
		StorageRaw: json.RawMessage(`{"module":"file_system","root":"` + b.TempDir() + `"}`),
		AppsRaw:    caddy.ModuleMap{"tokenmint": json.RawMessage(`{"key_rings":{"bench":{"auto":{"algorithm":"ES256"}}}}`)},
	}
	ctx, err := caddy.ProvisionContext(cfg)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api", nil)
	off := false
	for _, tc := range []struct {
		name string
		h    *Handler
	}{
		{"HS256", &Handler{Preset: "jwt", Secret: "{env.TM_SECRET}"}},
		{"keyring_ES256_cached", &Handler{Preset: "jwt", KeyRing: "bench"}},
		{"keyring_ES256_uncached", &Handler{Preset: "jwt", KeyRing: "bench", CacheTokens: &off}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := tc.h
			h.Claims = map[string][]string{"sub": {"bench"}}
			h.Session = &Session{Method: "anonymous"}
			h.Inject = &Inject{Header: "Authorization", Scheme: "Bearer"}
			if err := h.Provision(ctx); err != nil {
				b.Fatal(err)
			}
			h.logger = zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
			serveLoop(b, h, req, nop)
		})
	}
}
