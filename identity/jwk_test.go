package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/tokenmint/caddy-tokenmint/internal/idptest"
)

func TestJWKSParsesKeys(t *testing.T) {
	keys := idptest.Keys()
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	short := func() *ecdsa.PrivateKey { // an x with a leading zero byte, which some issuers drop
		for {
			k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if len(k.X.Bytes()) < 32 {
				return k
			}
		}
	}()
	pubs := keys.Public()
	with := func(kid string, pub crypto.PublicKey, set map[string]any, del ...string) map[string]any {
		m := idptest.JWK(kid, pub)
		for k, v := range set {
			m[k] = v
		}
		for _, k := range del {
			delete(m, k)
		}
		return m
	}
	good := func() []map[string]any {
		return []map[string]any{idptest.JWK("rsa", pubs["rsa"]), idptest.JWK("ec", pubs["ec"]), idptest.JWK("ed", pubs["ed"])}
	}
	offCurve := with("off", pubs["ec"], nil)
	offCurve["y"] = offCurve["x"]
	b64 := base64.RawURLEncoding.EncodeToString

	type want struct{ alg string }
	tests := []struct {
		name    string
		body    []byte
		want    map[string]want // kid → alg; the key must Equal its source
		skipped int
		err     string
	}{
		{name: "RSA, EC P-256 and Ed25519", body: idptest.Document(good()...),
			want: map[string]want{"rsa": {"RS256"}, "ec": {"ES256"}, "ed": {"EdDSA"}}},
		{name: "EC P-384 and P-521", body: idptest.Document(idptest.JWK("p384", &p384.PublicKey), idptest.JWK("p521", &p521.PublicKey)),
			want: map[string]want{"p384": {"ES384"}, "p521": {"ES512"}}},
		{name: "no alg and no use", body: idptest.Document(with("rsa", pubs["rsa"], nil, "alg", "use")),
			want: map[string]want{"rsa": {""}}},
		{name: "alg Ed25519 is given as EdDSA", body: idptest.Document(with("ed", pubs["ed"], map[string]any{"alg": "Ed25519"})),
			want: map[string]want{"ed": {"EdDSA"}}},
		{name: "padded base64 and a short EC coordinate", body: idptest.Document(
			with("rsa", pubs["rsa"], map[string]any{"n": base64.URLEncoding.EncodeToString(keys.RSA.N.Bytes())}),
			with("short", &short.PublicKey, map[string]any{"x": b64(short.X.Bytes()) + "=="})),
			want: map[string]want{"rsa": {"RS256"}, "short": {"ES256"}}},
		{name: "private member d is ignored", body: idptest.Document(with("rsa", pubs["rsa"], map[string]any{"d": b64(keys.RSA.D.Bytes())})),
			want: map[string]want{"rsa": {"RS256"}}},
		{name: "use enc is skipped", body: idptest.Document(append(good(), with("enc", pubs["rsa"], map[string]any{"use": "enc", "alg": "RSA-OAEP"}))...),
			want: map[string]want{"rsa": {"RS256"}, "ec": {"ES256"}, "ed": {"EdDSA"}}, skipped: 1},
		{name: "bad keys are skipped, the others load", body: idptest.Document(append(good(),
			with("bad-n", pubs["rsa"], map[string]any{"n": "!!not base64!!"}),
			with("small-n", pubs["rsa"], map[string]any{"n": b64([]byte{0xc5, 0x01})}),
			with("even-e", pubs["rsa"], map[string]any{"e": b64([]byte{2})}),
			with("e-number", pubs["rsa"], map[string]any{"e": 65537}),
			offCurve,
			with("p-192", pubs["ec"], map[string]any{"crv": "P-192"}, "alg"),
			with("x25519", pubs["ed"], map[string]any{"crv": "X25519"}, "alg"),
			with("ed-short", pubs["ed"], map[string]any{"x": b64([]byte{1, 2, 3})}),
			with("oct", pubs["ed"], map[string]any{"kty": "oct", "k": "c2VjcmV0"}),
			with("no-kty", pubs["ed"], nil, "kty"),
			with("alg-mismatch", pubs["ec"], map[string]any{"alg": "RS256"}),
			with("alg-unknown", pubs["rsa"], map[string]any{"alg": "RS1"}),
			with("key-ops", pubs["rsa"], map[string]any{"key_ops": []string{"encrypt"}}),
			with("rsa", pubs["ec"], nil), // a duplicate kid: the first stays
		)...),
			want:    map[string]want{"rsa": {"RS256"}, "ec": {"ES256"}, "ed": {"EdDSA"}},
			skipped: 14},
		{name: "garbage", body: []byte("<html>not json</html>"), err: "invalid JSON"},
		{name: "no keys member", body: []byte(`{"issuer":"x"}`), err: `no "keys" array`},
		{name: "empty set", body: []byte(`{"keys":[]}`), err: "has no keys"},
		{name: "keys not an array", body: []byte(`{"keys":{}}`), err: "invalid JSON"},
		{name: "no usable key", body: idptest.Document(with("enc", pubs["rsa"], map[string]any{"use": "enc"})), err: "no usable signature key"},
	}
	sources := map[string]crypto.PublicKey{"p384": &p384.PublicKey, "p521": &p521.PublicKey, "short": &short.PublicKey}
	for k, v := range pubs {
		sources[k] = v
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseJWKSet(tt.body)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseJWKSet: %v", err)
			}
			if len(got.skipped) != tt.skipped {
				t.Errorf("skipped %d keys, want %d: %q", len(got.skipped), tt.skipped, got.skipped)
			}
			byKID := kidsOf(got.set.list)
			if len(byKID) != len(tt.want) {
				t.Errorf("got kids %v, want %v", byKID, tt.want)
			}
			for kid, w := range tt.want {
				k, ok := got.set.byKID[kid]
				if !ok {
					t.Errorf("kid %q missing", kid)
					continue
				}
				if k.Alg != w.alg {
					t.Errorf("kid %q: alg %q, want %q", kid, k.Alg, w.alg)
				}
				eq, ok := k.Key.(interface{ Equal(crypto.PublicKey) bool })
				if !ok || !eq.Equal(sources[kid]) {
					t.Errorf("kid %q: key %T does not equal its source", kid, k.Key)
				}
			}
		})
	}

	t.Run("reasons name the kid, never key material", func(t *testing.T) {
		n := b64(keys.RSA.N.Bytes())
		got, _ := parseJWKSet(idptest.Document(with("bad", pubs["rsa"], map[string]any{"e": b64([]byte{2})}), idptest.JWK("ok", pubs["ed"])))
		if len(got.skipped) != 1 || !strings.Contains(got.skipped[0], `"bad"`) || strings.Contains(got.skipped[0], n[:16]) {
			t.Errorf("skipped = %q, want one reason naming kid \"bad\" without the modulus", got.skipped)
		}
	})
}

// TestJWKCertificateChain: x5c comes with go-jose. A key whose x5c leaf
// holds that key loads; one whose leaf holds another key is skipped.
func TestJWKCertificateChain(t *testing.T) {
	keys := idptest.Keys()
	cert := func(k *ecdsa.PrivateKey) string {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(der)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := idptest.JWK("good", &keys.EC.PublicKey)
	good["x5c"] = []string{cert(keys.EC)}
	bad := idptest.JWK("bad", &keys.EC.PublicKey)
	bad["x5c"] = []string{cert(other)}
	got, err := parseJWKSet(idptest.Document(good, bad))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.set.byKID["good"]; !ok || len(got.set.list) != 1 {
		t.Errorf("keys %v, want only kid good", kidsOf(got.set.list))
	}
	if len(got.skipped) != 1 || !strings.Contains(got.skipped[0], `"bad"`) || !strings.Contains(got.skipped[0], "x5c") {
		t.Errorf("skipped %q, want kid bad for its x5c", got.skipped)
	}
}
