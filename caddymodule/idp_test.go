package caddymodule

import (
	"crypto"
	"testing"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

// The identity provider fakes live in internal/idptest, shared with package
// identity's tests; these are the names the tests here use.

var testJWKSKeys = idptest.Keys

func newKeyServer(t testing.TB) *idptest.KeyServer { return idptest.NewKeyServer(t) }

func jwksJSON(keys map[string]crypto.PublicKey) []byte { return idptest.JWKS(keys) }

func jwksEventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	idptest.Eventually(t, what, cond)
}

// jwksLoops counts the goroutines running a key set's refresh loop.
func jwksLoops() int { return idptest.Loops() }
