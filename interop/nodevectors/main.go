// Command nodevectors mints tokens with tokenmint's presets at a pinned
// time and writes them, with the keys that signed them, as JSON for the
// Node checks in ../node: there each provider's own Node SDK rebuilds the
// same token from the same inputs (or verifies it), and the two are
// compared. interop/run runs it; the keys are new on every run.
//
//	go run ./nodevectors -out vectors.json
//
// A preset's vectors are made by a function registered in an init of its
// own file (catalogue_a.go, ...), so that each catalogue adds a file.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// now is the mint time of every vector: the Node checks pin their clock to it.
var now = time.Unix(1764000000, 0)

// hmacSecret signs the HS256 vectors.
const hmacSecret = "node-interop-secret-0123456789abcdef"

// Vector is one minted token and what an SDK needs to make it again.
type Vector struct {
	Preset string `json:"preset"`
	Name   string `json:"name"`
	Now    int64  `json:"now"`   // the mint time, Unix seconds
	Token  string `json:"token"` // the token as minted
	// Answer is the HTTP body the preset's envelope gives for the token.
	Answer string `json:"answer"`
	// Input holds the values the SDK is given (user, ids, options, ...).
	Input map[string]any `json:"input"`
	JTI   string         `json:"jti,omitempty"` // the generated jti, if any
}

// Keys are the signing keys of this run, as PEM text.
type Keys struct {
	RSAPrivate string `json:"rsa_private_pem"` // PKCS#8
	RSAPublic  string `json:"rsa_public_pem"`  // SPKI
	ECPrivate  string `json:"ec_private_pem"`  // PKCS#8, P-256
	ECPublic   string `json:"ec_public_pem"`   // SPKI
	HMAC       string `json:"hmac_secret"`
}

// env is what a vector maker gets: the signers of this run.
type env struct {
	rsa, ec tokens.Signer
}

// makers make the vectors of one catalogue each.
var makers []func(e *env) ([]Vector, error)

// body is a request contract as a decoded JSON body gives it.
type body map[string]tokens.Value

func (b body) Param(name string) (tokens.Value, bool, *tokens.Error) {
	v, ok := b[name]
	return v, ok, nil
}

func (b body) Expand(s string) string { return s }

// mint compiles preset with cfg (HS256 over hmacSecret unless cfg has a
// signer) and mints one token at now for user with request body b.
func mint(preset, name string, cfg tokens.Config, user string, b body, input map[string]any) (Vector, error) {
	p, err := tokens.Lookup(preset)
	if err != nil {
		return Vector{}, err
	}
	if cfg.Signer == nil {
		if cfg.Signer, err = tokens.NewHMAC("HS256", []byte(hmacSecret)); err != nil {
			return Vector{}, err
		}
	}
	tmpl, err := tokens.Compile(p, cfg)
	if err != nil {
		return Vector{}, fmt.Errorf("%s: %v", name, err)
	}
	if b == nil {
		b = body{}
	}
	m, merr := tmpl.Mint(now, tokens.Input{User: user, Request: b, Contract: true})
	if merr != nil {
		return Vector{}, fmt.Errorf("%s: %v", name, merr)
	}
	answer, _, _ := p.Answer(nil, &m)
	return Vector{Preset: preset, Name: name, Now: now.Unix(), Token: m.Token, Answer: string(answer), Input: input, JTI: m.JTI()}, nil
}

func pemBlock(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func keyPEMs(k crypto.Signer) (private, public string, err error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return "", "", err
	}
	return pemBlock("PRIVATE KEY", der), pemBlock("PUBLIC KEY", pub), nil
}

func run(out string) error {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	keys := Keys{HMAC: hmacSecret}
	if keys.RSAPrivate, keys.RSAPublic, err = keyPEMs(rk); err != nil {
		return err
	}
	if keys.ECPrivate, keys.ECPublic, err = keyPEMs(ek); err != nil {
		return err
	}
	var e env
	if e.rsa, err = tokens.NewAsymmetric("RS256", rk); err != nil {
		return err
	}
	if e.ec, err = tokens.NewAsymmetric("ES256", ek); err != nil {
		return err
	}
	doc := struct {
		Keys    Keys     `json:"keys"`
		Vectors []Vector `json:"vectors"`
	}{Keys: keys}
	for _, make := range makers {
		vs, err := make(&e)
		if err != nil {
			return err
		}
		doc.Vectors = append(doc.Vectors, vs...)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o600)
}

func main() {
	out := flag.String("out", "", "the JSON file to write")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: nodevectors -out FILE")
		os.Exit(2)
	}
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "nodevectors:", err)
		os.Exit(1)
	}
}

// rawJSON is JSON text that goes into Input as it is.
func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }
