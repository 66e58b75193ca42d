package caddymodule

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/dustin/go-humanize"

	"github.com/tokenmint/caddy-tokenmint/identity"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("provider_token", parseCaddyfile)
	// After authentication (basic_auth, forward_auth), before handle,
	// respond and reverse_proxy.
	httpcaddyfile.RegisterDirectiveOrder("provider_token", httpcaddyfile.After, "forward_auth")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	m.adaptRings = caddyfileRings(h)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

const subdirectives = "key, secret, signing_key, keyring, algorithm, kid, typ, header, option, ttl, claim, type, allow, session, inject, cookie, cache_tokens, cors, max_body, refusals, audit_level"

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens. Syntax:
//
//	provider_token [<matcher>] <preset> {
//		key       <value>                  # the provider's API/app/SDK key
//		secret    <value>                  # HMAC signing secret: {env.NAME} or {file.PATH}
//		signing_key <pem file>             # or a private key, for RS/PS/ES/EdDSA presets
//		keyring   <name>                   # or a key ring of the global option provider_token_keys
//		algorithm <alg>                    # where the preset allows a choice
//		kid       <value>                  # the header's key id
//		typ       <value>                  # override the header's typ (at+jwt)
//		header    <name> <value>           # another header field
//		option    <name> <value>           # a preset option (server_url, ...)
//		ttl       <duration>               # exp = iat + ttl; preset default and limits apply
//		claim     <name> <value...>        # set or override a claim; several values fill an array
//		type      <claim> <type>           # the type of a free-form claim (jwt preset)
//		allow     <claim> <value...>       # values a request may choose; others get 403
//		session   auth_user | anonymous    # who the user is; default auth_user
//		session   header <Name>            # the user id from a header (forward_auth's copy_headers)
//		session   jwt {                    # the app's own session JWT
//			from       cookie <name> | header Authorization [<scheme>]
//			secret     <hmac secret>
//			public_key <pem file>
//			jwks       <url>               # repeatable
//			oidc       <issuer> [{          # repeatable; discovery finds its keys
//				audience   <aud...>
//				user_claim <name>
//				require    <claim> <value...>
//				algorithms <alg...>
//			}]
//			algorithms <alg...>
//			issuer     <iss...>
//			audience   <aud...>
//			leeway     <duration>
//			user_claim <name>
//			require    <claim> <value...>
//			strip
//			realm      <name>
//			cache_size <n>
//		}
//		inject    header <Name> [<scheme>] # put the token on the proxied request instead
//		cookie    <name> [path <p>] [domain <d>] [same_site Strict|Lax|None] # answer 204 with the token as a cookie
//		cache_tokens on|off                # reuse tokens for identical claims; default on for asymmetric keys
//		max_body  <size>                   # request body cap; default 64KiB
//		cors      <origin...> {             # front ends on other origins; exact scheme://host[:port], https://*.example.com or *
//			credentials                    # Access-Control-Allow-Credentials (cookie sessions); never with *
//			headers <name...>              # headers the front end may send; default Authorization Content-Type
//			max_age <duration>             # preflight cache; default 10m
//		}
//		refusals  envelope|handle_errors   # who answers refusals; default envelope (the provider's shape)
//		audit_level debug|info|warn|error  # level of the per-token audit line; default debug
//	}
//
// The whole block is checked against the preset here, so a bad Caddyfile
// fails at adapt time with its file and line.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive's name
	if !d.NextArg() {
		return d.Errf("provider_token needs a preset, one of: %s", strings.Join(tokens.Names(), ", "))
	}
	h.Preset = d.Val()
	p, err := tokens.Lookup(h.Preset)
	if err != nil {
		return d.WrapErr(err)
	}
	if d.NextArg() {
		return d.Errf("provider_token takes one preset; put settings in a block: provider_token %s { ... }", h.Preset)
	}

	for d.NextBlock(0) {
		sub := d.Val()
		switch sub {
		case "key", "secret", "algorithm", "signing_key", "keyring", "kid", "typ":
			args := d.RemainingArgs()
			if len(args) != 1 {
				if len(args) == 0 && (sub == "key" || sub == "secret" || sub == "signing_key") {
					return d.Errf("%s needs a value. If you wrote {$VAR}, VAR was not set when the Caddyfile was adapted, and {$VAR} would paste the value into the config anyway: write {env.VAR}, which is read when the config loads and never shown", sub)
				}
				return d.Errf("%s takes one value", sub)
			}
			v := args[0]
			if sub == "key" || sub == "secret" || sub == "signing_key" {
				if err := checkGlobalOnly(v); err != nil {
					return d.Errf("%s: %v", sub, err)
				}
				warnUnsetEnv(sub, v, d.File(), d.Line())
			}
			switch sub {
			case "key":
				h.Key = v
			case "secret":
				h.Secret = v
			case "algorithm":
				h.Algorithm = v
			case "signing_key":
				h.SigningKey = v
			case "keyring":
				h.KeyRing = v
			case "kid":
				h.KID = v
			case "typ":
				if h.Header == nil {
					h.Header = map[string]string{}
				}
				h.Header["typ"] = v
			}

		case "header", "option":
			var name, v string
			if !d.AllArgs(&name, &v) {
				return d.Errf("%s takes a name and a value: %s <name> <value>", sub, sub)
			}
			target := &h.Header
			if sub == "option" {
				target = &h.Options
			}
			if *target == nil {
				*target = map[string]string{}
			}
			if _, dup := (*target)[name]; dup {
				return d.Errf("%s %s is given twice", sub, name)
			}
			(*target)[name] = v

		case "cache_tokens":
			var v string
			if !d.AllArgs(&v) || (v != "on" && v != "off") {
				return d.Errf("cache_tokens takes on or off")
			}
			on := v == "on"
			h.CacheTokens = &on

		case "cookie":
			args := d.RemainingArgs()
			if len(args) == 0 || len(args)%2 != 1 {
				return d.Errf("cookie takes a name and options: cookie <name> [path <p>] [domain <d>] [same_site Strict|Lax|None]")
			}
			c := &Cookie{Name: args[0]}
			for i := 1; i < len(args); i += 2 {
				switch args[i] {
				case "path":
					c.Path = args[i+1]
				case "domain":
					c.Domain = args[i+1]
				case "same_site":
					c.SameSite = args[i+1]
				default:
					return d.Errf("cookie option %q: use path, domain or same_site", args[i])
				}
			}
			if err := c.check(); err != nil {
				return d.WrapErr(err)
			}
			h.Cookie = c

		case "ttl":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(v)
			if err != nil {
				return d.Errf("ttl %q is not a duration; write one such as 30m, 2h or 24h", v)
			}
			if err := p.CheckTTL(dur); err != nil {
				return d.WrapErr(err)
			}
			h.TTL = caddy.Duration(dur)

		case "claim", "allow":
			args := d.RemainingArgs()
			if len(args) < 2 {
				return d.Errf("%s needs a claim name and at least one value: %s <claim> <value...>", sub, sub)
			}
			name := args[0]
			if _, ok := p.Claim(name); !ok && !p.FreeForm {
				return d.Errf("%s has no claim %q; its claims are: %s", p.Name, name, strings.Join(p.ClaimNames(), ", "))
			}
			target := &h.Claims
			if sub == "allow" {
				target = &h.Allow
			}
			if *target == nil {
				*target = map[string][]string{}
			}
			if _, dup := (*target)[name]; dup {
				return d.Errf("%s %s is given twice; put all its values on one line", sub, name)
			}
			(*target)[name] = args[1:]

		case "type":
			var name, typ string
			if !d.AllArgs(&name, &typ) {
				return d.ArgErr()
			}
			if _, err := tokens.ParseType(typ); err != nil {
				return d.WrapErr(err)
			}
			if h.Types == nil {
				h.Types = map[string]string{}
			}
			h.Types[name] = typ

		case "session":
			if err := h.unmarshalSession(d); err != nil {
				return err
			}

		case "inject":
			args := d.RemainingArgs()
			if len(args) < 2 || len(args) > 3 || args[0] != "header" {
				return d.Errf("inject takes: inject header <Name> [<scheme>], e.g. inject header Authorization Bearer")
			}
			h.Inject = &Inject{Header: args[1]}
			if len(args) == 3 {
				h.Inject.Scheme = args[2]
			}

		case "cors":
			if err := h.unmarshalCORS(d); err != nil {
				return err
			}

		case "refusals":
			var v string
			if !d.AllArgs(&v) || (v != "envelope" && v != "handle_errors") {
				return d.Errf("refusals takes envelope (the provider's error shape, the default) or handle_errors (this site's handle_errors routes answer)")
			}
			h.Refusals = v

		case "audit_level":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			if _, err := auditLevel(v); err != nil {
				return d.WrapErr(err)
			}
			h.AuditLevel = v

		case "max_body":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			n, err := humanize.ParseBytes(v)
			if err != nil || n == 0 || n > 1<<30 {
				return d.Errf("max_body %q is not a size between 1B and 1GiB; write one such as 64KiB", v)
			}
			h.MaxBody = int64(n)

		default:
			return d.Errf("unknown subdirective %q; provider_token takes %s", sub, subdirectives)
		}
	}

	// Check the whole config against the preset now, with stand-ins for
	// what Provision resolves, so that mistakes surface at adapt time.
	key := h.Key
	if len(placeholderKeys(key)) > 0 {
		key = "adapt-time-key"
	}
	if _, err := h.compile(key, false); err != nil {
		d.Reset()
		d.Next()
		return d.Errf("provider_token %s: %v", h.Preset, err)
	}
	return nil
}

// Interface guard
var _ caddyfile.Unmarshaler = (*Handler)(nil)

func (h *Handler) unmarshalCORS(d *caddyfile.Dispenser) error {
	if h.CORS != nil {
		return d.Errf("cors is given twice; list every origin on one line")
	}
	file, line := d.File(), d.Line()
	c := &CORS{Origins: d.RemainingArgs()}
	if len(c.Origins) == 0 {
		return d.Errf("cors needs the origins that may call this route, as in `cors https://app.example.com http://localhost:3000`")
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		sub := d.Val()
		args := d.RemainingArgs()
		switch sub {
		case "credentials":
			if len(args) != 0 {
				return d.ArgErr()
			}
			c.Credentials = true
		case "headers":
			if len(args) == 0 {
				return d.Errf("headers lists the request headers a front end may send, as in `headers Authorization Content-Type`")
			}
			c.Headers = append(c.Headers, args...)
		case "max_age":
			if len(args) != 1 {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(args[0])
			if err != nil || dur < 0 {
				return d.Errf("max_age %q is not a duration; write one such as 10m", args[0])
			}
			c.MaxAge = caddy.Duration(dur)
		default:
			return d.Errf("unknown cors subdirective %q; it takes credentials, headers and max_age", sub)
		}
	}
	if _, err := compileCORS(c, nil); err != nil {
		return fmt.Errorf("%w, at %s:%d", err, file, line)
	}
	h.CORS = c
	return nil
}

func (h *Handler) unmarshalSession(d *caddyfile.Dispenser) error {
	if !d.NextArg() {
		return d.Errf("session takes one of: auth_user, anonymous, header <Name>, jwt { ... }")
	}
	s := &Session{Method: d.Val()}
	h.Session = s
	file, line := d.File(), d.Line()
	switch s.Method {
	case "auth_user", "anonymous":
		if d.NextArg() {
			return d.ArgErr()
		}
	case "header":
		if !d.AllArgs(&s.Header) {
			return d.Errf("session header takes the header's name, as in `session header X-User-Id`")
		}
	case "jwt":
		if d.NextArg() {
			return d.Errf("session jwt takes a block: session jwt { secret ... }")
		}
		s.JWT = &JWTSession{}
		if err := unmarshalJWTSession(d, s.JWT, "session jwt"); err != nil {
			return err
		}
	}
	if err := h.checkSession(); err != nil {
		return fmt.Errorf("%w, at %s:%d", err, file, line)
	}
	return nil
}

const jwtSubdirectives = "from, secret, public_key, jwks, oidc, algorithms, issuer, audience, leeway, user_claim, require, strip, realm, cache_size"

// unmarshalJWTSession reads the block of `session jwt` or of the
// session_jwt directive (name says which, for messages): the same
// subdirectives for both.
func unmarshalJWTSession(d *caddyfile.Dispenser, j *JWTSession, name string) error {
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		sub := d.Val()
		args := d.RemainingArgs()
		one := func(dst *string) error {
			if len(args) != 1 {
				return d.Errf("%s takes one value", sub)
			}
			*dst = args[0]
			return nil
		}
		var err error
		switch sub {
		case "from":
			if len(args) < 2 || len(args) > 3 || (len(args) == 3 && args[0] != "header") {
				return d.Errf("from takes: cookie <name> | header Authorization [<scheme>]")
			}
			c := Credential{Source: args[0], Name: args[1]}
			if len(args) == 3 {
				c.Scheme = args[2]
			}
			j.From = append(j.From, c)
		case "secret":
			var v string
			err = one(&v)
			warnUnsetEnv("session jwt secret", v, d.File(), d.Line())
			j.Secrets = append(j.Secrets, v)
		case "public_key":
			var v string
			err = one(&v)
			warnUnsetEnv("session jwt public_key", v, d.File(), d.Line())
			j.PublicKeys = append(j.PublicKeys, v)
		case "jwks":
			var v string
			if err = one(&v); err == nil {
				if slices.Contains(j.JWKS, v) {
					return d.Errf("jwks %s is given twice; give each key set once", v)
				}
				j.JWKS = append(j.JWKS, v)
			}
		case "oidc":
			err = unmarshalOIDC(d, j, args)
		case "algorithms", "issuer", "audience":
			if len(args) == 0 {
				return d.Errf("%s needs at least one value", sub)
			}
			switch sub {
			case "algorithms":
				j.Algorithms = append(j.Algorithms, args...)
			case "issuer":
				j.Issuers = append(j.Issuers, args...)
			case "audience":
				j.Audiences = append(j.Audiences, args...)
			}
		case "leeway":
			var v string
			if err = one(&v); err == nil {
				dur, perr := caddy.ParseDuration(v)
				if perr != nil || dur < 0 {
					return d.Errf("leeway %q is not a duration; write one such as 30s", v)
				}
				j.Leeway = caddy.Duration(dur)
			}
		case "user_claim":
			err = one(&j.UserClaim)
		case "realm":
			err = one(&j.Realm)
			if strings.ContainsAny(j.Realm, "\"\\") {
				return d.Errf("realm may not hold quotes or backslashes")
			}
		case "require":
			if len(args) < 2 {
				return d.Errf("require takes a claim and at least one value: require <claim> <value...>")
			}
			if j.Require == nil {
				j.Require = map[string][]string{}
			}
			j.Require[args[0]] = append(j.Require[args[0]], args[1:]...)
		case "strip":
			if len(args) != 0 {
				return d.ArgErr()
			}
			j.Strip = true
		case "cache_size":
			var v string
			if err = one(&v); err == nil {
				n, perr := strconv.Atoi(v)
				if perr != nil || n < -1 {
					return d.Errf("cache_size %q is not a number of entries (-1 disables the cache)", v)
				}
				j.CacheSize = n
			}
		default:
			return d.Errf("unknown %s subdirective %q; it takes %s", name, sub, jwtSubdirectives)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

const oidcSubdirectives = "audience, user_claim, require, algorithms"

// unmarshalOIDC reads `oidc <issuer> [{ ... }]`.
func unmarshalOIDC(d *caddyfile.Dispenser, j *JWTSession, args []string) error {
	if len(args) != 1 {
		return d.Errf("oidc takes the issuer's URL, as its tokens' iss writes it: oidc https://login.example.com/realms/staff [{ %s }]", oidcSubdirectives)
	}
	o := OIDCIssuer{Issuer: args[0]}
	if err := identity.CheckIssuerURL(o.Issuer); err != nil {
		return d.Errf("oidc %v", err)
	}
	for _, prev := range j.OIDC {
		if prev.Issuer == o.Issuer {
			return d.Errf("oidc %s is given twice; give each issuer once, with its settings in one block", o.Issuer)
		}
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		sub := d.Val()
		vals := d.RemainingArgs()
		switch sub {
		case "audience", "algorithms":
			if len(vals) == 0 {
				return d.Errf("%s needs at least one value", sub)
			}
			if sub == "audience" {
				o.Audiences = append(o.Audiences, vals...)
			} else {
				o.Algorithms = append(o.Algorithms, vals...)
			}
		case "user_claim":
			if len(vals) != 1 {
				return d.Errf("user_claim takes one value")
			}
			o.UserClaim = vals[0]
		case "require":
			if len(vals) < 2 {
				return d.Errf("require takes a claim and at least one value: require <claim> <value...>")
			}
			if o.Require == nil {
				o.Require = map[string][]string{}
			}
			o.Require[vals[0]] = append(o.Require[vals[0]], vals[1:]...)
		default:
			return d.Errf("unknown oidc subdirective %q; an oidc block takes %s (the session's other settings apply to every issuer)", sub, oidcSubdirectives)
		}
	}
	j.OIDC = append(j.OIDC, o)
	return nil
}
