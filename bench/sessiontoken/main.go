// Command sessiontoken writes the app session JWTs that bench/run's session
// rows send, and the key set that verifies the RS256 one:
//
//	hs256.jwt  an HS256 JWT signed with the secret in $BENCH_SESSION_SECRET (row b2's cookie)
//	rs256.jwt  an RS256 JWT with a kid, signed with a fresh RSA key (row b3's Bearer token)
//	jwks.json  that key's public half: {"keys":[{"kty":"RSA","kid","alg":"RS256","use":"sig","n","e"}]}
//
// Both tokens carry sub (the user), iat and exp. The RSA private key exists
// only in memory: every run makes a new key, kid and pair of tokens.
//
//	go run ./bench/sessiontoken -out bench/out/session
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	out := flag.String("out", "", "directory to write hs256.jwt, rs256.jwt and jwks.json into (created if missing)")
	secretEnv := flag.String("secret-env", "BENCH_SESSION_SECRET", "environment variable that holds the HS256 secret")
	sub := flag.String("sub", "bench-user", "the tokens' sub claim: the user")
	ttl := flag.Duration("ttl", 24*time.Hour, "exp = iat + ttl")
	bits := flag.Int("bits", 2048, "RSA key size in bits")
	flag.Parse()
	if err := run(*out, *secretEnv, *sub, *ttl, *bits); err != nil {
		fmt.Fprintln(os.Stderr, "sessiontoken:", err)
		os.Exit(1)
	}
}

func run(out, secretEnv, sub string, ttl time.Duration, bits int) error {
	switch {
	case flag.NArg() > 0:
		return fmt.Errorf("unexpected argument %q (flags only; see -h)", flag.Arg(0))
	case out == "":
		return errors.New("-out is required: the directory to write the tokens and the JWKS into")
	case sub == "":
		return errors.New("-sub must not be empty")
	case ttl <= 0:
		return errors.New("-ttl must be positive")
	case bits < 2048:
		return errors.New("-bits must be at least 2048")
	}
	secret := os.Getenv(secretEnv)
	if secret == "" {
		return fmt.Errorf("$%s is empty or unset: it holds the HS256 secret", secretEnv)
	}

	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return fmt.Errorf("generating the RSA key: %w", err)
	}
	n := b64(key.N.Bytes())
	e := b64(big.NewInt(int64(key.E)).Bytes())
	kid := thumbprint(n, e)

	now := time.Now()
	claims := jwt.RegisteredClaims{
		Subject:   sub,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}
	hs, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		return fmt.Errorf("signing the HS256 token: %w", err)
	}
	rsTok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	rsTok.Header["kid"] = kid
	rs, err := rsTok.SignedString(key)
	if err != nil {
		return fmt.Errorf("signing the RS256 token: %w", err)
	}
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": n, "e": e,
	}}})
	if err != nil {
		return err
	}

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data string
		mode os.FileMode
	}{
		{"hs256.jwt", hs, 0o600},
		{"rs256.jwt", rs, 0o600},
		{"jwks.json", string(jwks), 0o644},
	} {
		if err := writeFile(filepath.Join(out, f.name), f.data+"\n", f.mode); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "sessiontoken: wrote hs256.jwt, rs256.jwt (kid %s) and jwks.json to %s; sub %q, exp %s\n",
		kid, out, sub, now.Add(ttl).UTC().Format(time.RFC3339))
	return nil
}

// writeFile replaces path in one step, so a reader never sees half a file.
func writeFile(path, data string, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.WriteString(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// thumbprint is the key's RFC 7638 JWK thumbprint (SHA-256), used as kid.
// n and e are base64url, so they need no JSON escaping.
func thumbprint(n, e string) string {
	sum := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return b64(sum[:])
}
