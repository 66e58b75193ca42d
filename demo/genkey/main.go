// Command genkey writes the demo's private keys (an RSA 2048 key as
// rsa.pem and a P-256 key as ec.pem, both PKCS#8) for the Caddyfile.example
// routes of asymmetric presets (RS256: jaas, firebase, ...; ES256: mapkit,
// weatherkit). It keeps a key that is already there. Demo only: real keys
// come from the provider's console.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "", "directory for rsa.pem and ec.pem")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: genkey -out DIR")
		os.Exit(2)
	}
	for name, gen := range map[string]func() (crypto.Signer, error){
		"rsa.pem": func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, 2048) },
		"ec.pem":  func() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) },
	} {
		if err := write(filepath.Join(*out, name), gen); err != nil {
			fmt.Fprintln(os.Stderr, "genkey:", err)
			os.Exit(1)
		}
	}
}

func write(path string, gen func() (crypto.Signer, error)) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	key, err := gen()
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
