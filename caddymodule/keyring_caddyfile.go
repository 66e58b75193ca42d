package caddymodule

import (
	"fmt"
	"slices"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"

	"github.com/tokenmint/caddy-tokenmint/internal/keys"
)

// keysOption is the global option that defines key rings.
const keysOption = "provider_token_keys"

func init() {
	httpcaddyfile.RegisterGlobalOption(keysOption, parseKeysOption)
}

// parseKeysOption sets up the tokenmint app's key rings. Syntax:
//
//	provider_token_keys {
//		ring <name> {
//			key <pem file> [<kid>]   # repeatable: the first signs, every key is published
//			algorithm <alg>          # an RSA ring's: RS256 (default), RS384, RS512, PS256, PS384, PS512
//		}
//		ring <name> {
//			auto ES256|ES384|EdDSA|RS256|PS256 {  # generated on first use, kept in Caddy's storage
//				rotate <duration>        # default 30d, at least 1m
//			}
//		}
//	}
func parseKeysOption(d *caddyfile.Dispenser, existing any) (any, error) {
	if existing != nil {
		return nil, d.Errf("%s is given twice; put every ring in one block", keysOption)
	}
	app := &App{KeyRings: map[string]*KeyRing{}}
	d.Next() // the option's name
	if d.NextArg() {
		return nil, d.Errf("%s takes a block of rings: %s { ring <name> { ... } }", keysOption, keysOption)
	}
	for d.NextBlock(0) {
		if d.Val() != "ring" {
			return nil, d.Errf("%s takes ring blocks (ring <name> { ... }), not %q", keysOption, d.Val())
		}
		var name string
		if !d.AllArgs(&name) {
			return nil, d.Errf("ring takes a name and a block: ring <name> { key <pem file> | auto <algorithm> }")
		}
		if _, dup := app.KeyRings[name]; dup {
			return nil, d.Errf("ring %s is defined twice", name)
		}
		file, line := d.File(), d.Line()
		kr, err := parseRing(d)
		if err != nil {
			return nil, err
		}
		if err := kr.check(name); err != nil {
			return nil, fmt.Errorf("%w, at %s:%d", err, file, line)
		}
		app.KeyRings[name] = kr
	}
	if len(app.KeyRings) == 0 {
		return nil, d.Errf("%s defines no ring: add ring <name> { key <pem file> } or ring <name> { auto ES256 }", keysOption)
	}
	return httpcaddyfile.App{Name: "tokenmint", Value: caddyconfig.JSON(app, nil)}, nil
}

func parseRing(d *caddyfile.Dispenser) (*KeyRing, error) {
	kr := &KeyRing{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch sub := d.Val(); sub {
		case "key":
			args := d.RemainingArgs()
			if len(args) < 1 || len(args) > 2 {
				return nil, d.Errf("key takes a PEM file and an optional kid: key <pem file> [<kid>]")
			}
			k := RingKeyFile{File: args[0]}
			if len(args) == 2 {
				k.KID = args[1]
			}
			kr.Keys = append(kr.Keys, k)
		case "algorithm":
			if !d.AllArgs(&kr.Algorithm) {
				return nil, d.Errf("algorithm takes one value, such as PS256")
			}
		case "auto":
			if kr.Auto != nil {
				return nil, d.Errf("auto is given twice; a ring generates keys of one algorithm")
			}
			var alg string
			if !d.AllArgs(&alg) {
				return nil, d.Errf("auto takes an algorithm: one of %s", strings.Join(keys.Generatable, ", "))
			}
			if !slices.Contains(keys.Generatable, alg) {
				return nil, d.Errf("auto %s: generated keys are %s", alg, strings.Join(keys.Generatable, ", "))
			}
			kr.Auto = &AutoKeys{Algorithm: alg}
			for nesting := d.Nesting(); d.NextBlock(nesting); {
				if d.Val() != "rotate" {
					return nil, d.Errf("auto takes rotate <duration>, not %q", d.Val())
				}
				var v string
				if !d.AllArgs(&v) {
					return nil, d.Errf("rotate takes a duration, such as 30d")
				}
				dur, err := caddy.ParseDuration(v)
				if err != nil || dur < minRotate {
					return nil, d.Errf("rotate %q: give a duration of at least %s, such as 30d", v, minRotate)
				}
				kr.Auto.Rotate = caddy.Duration(dur)
			}
		default:
			return nil, d.Errf("unknown ring subdirective %q; a ring takes key, algorithm or auto", sub)
		}
	}
	return kr, nil
}
