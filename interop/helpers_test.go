package interop

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// body is a request contract as a decoded JSON body gives it to tokens.
type body map[string]tokens.Value

func (b body) Param(name string) (tokens.Value, bool, *tokens.Error) {
	v, ok := b[name]
	return v, ok, nil
}

func (b body) Expand(s string) string { return s }

// raw is a JSON object or array member of a body.
func raw(s string) tokens.Value { return tokens.Value{Kind: tokens.Raw, Str: s} }

// mint compiles preset with cfg (HS256 over secret unless cfg has a
// signer) and mints one token at now for user with the request body b.
func mint(t *testing.T, preset, secret string, cfg tokens.Config, now time.Time, user string, b body) tokens.Minted {
	t.Helper()
	p, err := tokens.Lookup(preset)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Signer == nil {
		if cfg.Signer, err = tokens.NewHMAC("HS256", []byte(secret)); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := tokens.Compile(p, cfg)
	if err != nil {
		t.Fatalf("Compile(%s): %v", preset, err)
	}
	if b == nil {
		b = body{}
	}
	m, merr := tmpl.Mint(now, tokens.Input{User: user, Request: b, Contract: true})
	if merr != nil {
		t.Fatalf("Mint(%s): %v", preset, merr)
	}
	return m
}

// segments decodes a JWT's header and payload without verifying it.
func segments(t *testing.T, tok string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWT", tok)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	return header, payload
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
