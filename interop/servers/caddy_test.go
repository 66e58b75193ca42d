//go:build linux

package servers

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

// The front end's users, known to tokenmint's Caddy through basic_auth.
var passwords = map[string]string{"alice": "alice-password", "bob": "bob-password"}

// basicAuth is a basic_auth directive for the users in passwords, for the
// paths matched by matcher ("" for all).
func basicAuth(t *testing.T, matcher string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("basic_auth " + matcher + " {\n")
	for _, user := range []string{"alice", "bob"} {
		hash, err := bcrypt.GenerateFromPassword([]byte(passwords[user]), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("\t\t" + user + " " + string(hash) + "\n")
	}
	b.WriteString("\t}")
	return b.String()
}

// tokenmint is a running Caddy built with tokenmint (and the Mercure hub).
type tokenmint struct {
	base   string // http://127.0.0.1:port or https://127.0.0.1:port
	client *http.Client
}

// startTokenmint writes a Caddyfile with global options that keep Caddy
// on loopback and inside dir (admin off, free ports, storage in dir, no
// trust store changes) followed by sites, and runs it with env. sites may
// use {HTTP_PORT} and {HTTPS_PORT}; with tlsSite the client trusts Caddy's
// internal CA and base is the HTTPS address.
func startTokenmint(t *testing.T, dir string, env []string, tlsSite bool, sites string) *tokenmint {
	t.Helper()
	bin := tokenmintCaddy(t)
	httpPort, httpsPort := itoa(freePort(t)), itoa(freePort(t))
	storage := filepath.Join(dir, "caddy-storage")
	config := `{
	admin off
	persist_config off
	http_port ` + httpPort + `
	https_port ` + httpsPort + `
	default_bind 127.0.0.1
	skip_install_trust
	storage file_system ` + storage + `
	grace_period 1s
	auto_https disable_redirects
}
` + strings.NewReplacer("{HTTP_PORT}", httpPort, "{HTTPS_PORT}", httpsPort).Replace(sites)
	caddyfile := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(caddyfile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, "caddy", dir, bin, env, "run", "--config", caddyfile, "--adapter", "caddyfile")

	tm := &tokenmint{base: "http://127.0.0.1:" + httpPort, client: &http.Client{Timeout: 30 * time.Second}}
	if tlsSite {
		tm.base = "https://127.0.0.1:" + httpsPort
		root := filepath.Join(storage, "pki", "authorities", "local", "root.crt")
		var pool *x509.CertPool
		p.waitReady(t, func() bool {
			if pool == nil {
				b, err := os.ReadFile(root)
				if err != nil {
					return false
				}
				pool = x509.NewCertPool()
				pool.AppendCertsFromPEM(b)
				tm.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
			}
			return httpReady(tm.client, tm.base+"/", 0)()
		})
		return tm
	}
	p.waitReady(t, httpReady(tm.client, tm.base+"/", 0))
	return tm
}

// withJar is a client of the same Caddy with a cookie jar of its own, as
// a browser tab has.
func (tm *tokenmint) withJar(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: tm.client.Transport, Timeout: tm.client.Timeout, Jar: jar}
}

// call sends method path with a JSON body (none when body is "") as user,
// through client (tm.client when nil), and returns the status and body.
func (tm *tokenmint) call(t *testing.T, client *http.Client, user, method, path, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, tm.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.SetBasicAuth(user, passwords[user])
	}
	if client == nil {
		client = tm.client
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// token POSTs body to path as user and returns the answer's member field,
// which must come with status want.
func (tm *tokenmint) token(t *testing.T, user, path, body string, want int, field string) string {
	t.Helper()
	status, b := tm.call(t, nil, user, "POST", path, body)
	if status != want {
		t.Fatalf("POST %s as %s: status %d, want %d: %s", path, user, status, want, b)
	}
	var answer map[string]any
	if err := json.Unmarshal(b, &answer); err != nil {
		t.Fatalf("POST %s: %v in %s", path, err, b)
	}
	tok, _ := answer[field].(string)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("POST %s: no JWT in %q: %s", path, field, b)
	}
	return tok
}

// randomSecret is a 32-byte secret in hex.
func randomSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// keyFiles is a private key as tokenmint's signing_key file and its
// public key as PEM text, for the servers' configs.
type keyFiles struct {
	key     crypto.Signer
	private string // path of the PKCS #8 PEM file
	public  string // PKIX PEM text
}

func newKey(t *testing.T, dir, name string) keyFiles {
	t.Helper()
	var key crypto.Signer
	var err error
	if name == "rsa" || strings.HasPrefix(name, "rsa-") {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return keyFiles{key: key, private: path, public: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))}
}

// writeFile writes text to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// claimsOf decodes a JWT's header and payload without verifying it.
func claimsOf(t *testing.T, tok string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", tok)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload
}

// expired is tok with its times moved back so that exp is an hour past
// (iat and nbf move by as much), everything else unchanged, signed again
// with the same algorithm and key: the token tokenmint minted, as a server
// sees it once its lifetime is over.
func expired(t *testing.T, tok string, key any) string {
	t.Helper()
	header, claims := claimsOf(t, tok)
	exp, ok := claims["exp"].(json.Number)
	if !ok {
		t.Fatalf("token has no exp: %v", claims)
	}
	e, err := exp.Int64()
	if err != nil {
		t.Fatal(err)
	}
	shift := e - (time.Now().Unix() - 3600)
	for _, name := range []string{"exp", "iat", "nbf"} {
		if n, ok := claims[name].(json.Number); ok {
			v, err := n.Int64()
			if err != nil {
				t.Fatal(err)
			}
			claims[name] = v - shift
		}
	}
	alg, _ := header["alg"].(string)
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		t.Fatalf("unknown alg %q", alg)
	}
	out := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	for k, v := range header {
		out.Header[k] = v
	}
	if s, ok := key.(string); ok {
		key = []byte(s)
	}
	signed, err := out.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}
