package caddymodule

import (
	"strings"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// splitPlaceholders splits a config string as Caddy's replacer reads it:
// \{ and \} are literal braces, {key} is a placeholder that ends at the
// first } that is not escaped. Braces around text that cannot be a key
// (quotes or white space in it: JSON such as {"a":"{query.x}"}) are
// literal, and the placeholders inside them are found. Literal parts hold
// the text with the escapes undone.
func splitPlaceholders(s string) []tokens.Part {
	var parts []tokens.Part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, tokens.Part{Text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == '{' || s[i+1] == '}') {
			lit.WriteByte(s[i+1])
			i++
			continue
		}
		if c != '{' {
			lit.WriteByte(c)
			continue
		}
		end := -1
		for j := i + 1; j < len(s); j++ {
			if s[j] == '}' && s[j-1] != '\\' {
				end = j
				break
			}
		}
		if end < 0 || !placeholderKey(s[i+1:end]) {
			lit.WriteByte(c)
			continue
		}
		flush()
		parts = append(parts, tokens.Part{Text: s[i : end+1], Placeholder: true})
		i = end
	}
	flush()
	return parts
}

// placeholderKey reports whether text between braces is a placeholder key.
func placeholderKey(k string) bool {
	return k != "" && !strings.ContainsAny(k, "\"{ \t\r\n")
}

// placeholderKeys returns the keys of the placeholders in s ("env.X" for
// "{env.X}").
func placeholderKeys(s string) []string {
	var keys []string
	for _, p := range splitPlaceholders(s) {
		if p.Placeholder {
			keys = append(keys, p.Text[1:len(p.Text)-1])
		}
	}
	return keys
}

// literalText joins the literal parts of s, escapes undone: the value of a
// config string that holds no placeholder.
func literalText(s string) string {
	var b strings.Builder
	for _, p := range splitPlaceholders(s) {
		b.WriteString(p.Text)
	}
	return b.String()
}

// isGlobalKey reports whether a placeholder key is resolved once, at
// Provision: environment variables and files.
func isGlobalKey(key string) bool {
	return strings.HasPrefix(key, "env.") || strings.HasPrefix(key, "file.")
}

// trustedPrefixes are the placeholder keys whose values the client cannot
// choose: the environment and files (resolved once, at Provision), the
// user that an authentication handler or a verified session set, and the
// server's own system and time values.
var trustedPrefixes = []string{"env.", "file.", "system.", "time.", "http.auth.user."}

// isTrustedKey reports whether a placeholder's value is beyond the
// client's choice. It is an allow-list: anything else counts as chosen by
// the client, the request itself (http.request.*, {body.*}) and all that
// derives from it: path captures ({re.*}, http.regexp.*), variables that
// map or vars may fill from a header (http.vars.*), what an upstream
// answered (http.reverse_proxy.*), and any key not known here.
func isTrustedKey(key string) bool {
	for _, p := range trustedPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// classify tells whether s needs rendering per request (it holds a
// placeholder other than {env.*} and {file.*}) and whether a client can
// choose its value (it holds a placeholder that is not trusted).
func classify(s string) (dynamic, clientChosen bool) {
	for _, k := range placeholderKeys(s) {
		if !isGlobalKey(k) {
			dynamic = true
		}
		if !isTrustedKey(k) {
			clientChosen = true
		}
	}
	return dynamic, clientChosen
}

// usesBody reports whether s reads the request body through {body.*}.
func usesBody(s string) bool {
	for _, k := range placeholderKeys(s) {
		if strings.HasPrefix(k, "body.") {
			return true
		}
	}
	return false
}
