package caddymodule

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// Config values that hold {env.*} and {file.*} are resolved once, when the
// config loads (Provision), never per request; their errors name the
// placeholder and the fix, never a value.

// resolveSecret resolves a secret's {env.*} and {file.*} placeholders. An
// unset variable, a missing file or an empty result is an error that names
// the placeholder, never the value.
func resolveSecret(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	v, err := resolveGlobal(s)
	if err != nil {
		return "", fmt.Errorf("secret %v", err)
	}
	if v == "" {
		return "", fmt.Errorf("secret %s is empty; put the secret in it", s)
	}
	return v, nil
}

// resolveGlobal resolves {env.*} and {file.*}; any other placeholder is an
// error, since there is no request at Provision. An unset variable or an
// unreadable file is an error that says which and what to do.
func resolveGlobal(s string) (string, error) {
	if err := checkGlobalOnly(s); err != nil {
		return "", err
	}
	for _, k := range placeholderKeys(s) {
		if name, ok := strings.CutPrefix(k, "env."); ok {
			if _, set := os.LookupEnv(name); !set {
				return "", fmt.Errorf("{%s}: the environment variable %s is not set where Caddy runs; set it (systemd: Environment= or EnvironmentFile=)", k, name)
			}
		}
		if path, ok := strings.CutPrefix(k, "file."); ok {
			if _, err := os.Stat(path); err != nil {
				return "", fmt.Errorf("{%s}: %v", k, errors.Unwrap(err))
			}
		}
	}
	return caddy.NewReplacer().ReplaceOrErr(s, false, true)
}

// checkGlobalOnly refuses placeholders other than {env.*} and {file.*},
// naming the fix: a relative {file.x} reaches here as Caddy's {file}
// shorthand for the request's file name.
func checkGlobalOnly(s string) error {
	for _, k := range placeholderKeys(s) {
		if rest, ok := strings.CutPrefix(k, "http.request.uri.path.file"); ok {
			return fmt.Errorf("{file%s} is not a file: {file.*} takes an absolute path, as in {file./run/secrets/%s} (the Caddyfile reads {file} and {file.<name>} as the request's file name)", rest, strings.TrimPrefix(rest, "."))
		}
		if !isGlobalKey(k) {
			return fmt.Errorf("{%s} cannot be used here: only {env.*} and {file.*} are resolved, once, when the config loads", k)
		}
	}
	return nil
}

// warnUnsetEnv logs, at adapt time, each {env.*} in a key, secret or key
// file that is not set in this environment, with its Caddyfile line: the
// config will not load where the variable is missing.
func warnUnsetEnv(what, v, file string, line int) {
	for _, k := range placeholderKeys(v) {
		if name, ok := strings.CutPrefix(k, "env."); ok {
			if _, set := os.LookupEnv(name); !set {
				caddy.Log().Named("adapter.provider_token").Warn("an environment variable is not set here; the config will not load where Caddy runs unless it is set there",
					zap.String("directive", what), zap.String("variable", name), zap.String("at", fmt.Sprintf("%s:%d", file, line)))
			}
		}
	}
}

// resolveParts splits a per-request config value into literal text and
// placeholders, with {env.*} and {file.*} resolved into literal text (at
// adapt time, resolve unset, they stay placeholders).
func resolveParts(v string, resolve bool) ([]tokens.Part, error) {
	parts := splitPlaceholders(v)
	if !resolve {
		return parts, nil
	}
	for i, p := range parts {
		if p.Placeholder && isGlobalKey(p.Text[1:len(p.Text)-1]) {
			r, err := resolveGlobal(p.Text)
			if err != nil {
				return nil, err
			}
			parts[i] = tokens.Part{Text: r}
		}
	}
	return parts, nil
}

// resolveOptions resolves {env.*} and {file.*} in option values, once. At
// adapt time (resolve unset) a value that holds one stands in as the
// option's first allowed value, or its default, or an https URL, so that
// the rest of the config is still checked.
func (h *Handler) resolveOptions(p *tokens.Preset, resolve bool) (map[string]string, error) {
	out := make(map[string]string, len(h.Options))
	for name, v := range h.Options {
		if len(placeholderKeys(v)) == 0 {
			out[name] = literalText(v)
			continue
		}
		if resolve {
			r, err := resolveGlobal(v)
			if err != nil {
				return nil, fmt.Errorf("option %s: %v", name, err)
			}
			out[name] = r
			continue
		}
		for _, k := range placeholderKeys(v) {
			if !isGlobalKey(k) {
				return nil, fmt.Errorf("option %s: {%s} cannot be used here: options take {env.*} and {file.*}, resolved once when the config loads", name, k)
			}
		}
		stand := "https://adapt-time.invalid/"
		for _, o := range p.Options {
			if o.Name != name {
				continue
			}
			if len(o.Enum) > 0 {
				stand = o.Enum[0]
			} else if o.Default != "" {
				stand = o.Default
			}
		}
		out[name] = stand
	}
	return out, nil
}
