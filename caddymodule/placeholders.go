package caddymodule

import "strings"

// placeholderKeys returns the keys of the placeholders in s ("env.X" for
// "{env.X}"), honouring Caddy's \{ escape.
func placeholderKeys(s string) []string {
	var keys []string
	for i := 0; i < len(s); i++ {
		if s[i] != '{' || (i > 0 && s[i-1] == '\\') {
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		// JSON text such as {"a":1} is not a placeholder.
		if key := s[i+1 : i+end]; key != "" && !strings.ContainsAny(key, "\" \t\n") {
			keys = append(keys, key)
		}
		i += end
	}
	return keys
}

// isGlobalKey reports whether a placeholder key is resolved once, at
// Provision: environment variables and files.
func isGlobalKey(key string) bool {
	return strings.HasPrefix(key, "env.") || strings.HasPrefix(key, "file.")
}

// isRequestKey reports whether a placeholder key takes its value from what
// the client sent, so that a client can choose it.
func isRequestKey(key string) bool {
	return strings.HasPrefix(key, "http.request.") || strings.HasPrefix(key, "body.")
}

// classify tells whether s needs rendering per request (it holds a
// placeholder other than {env.*} and {file.*}) and whether a client can
// choose its value.
func classify(s string) (dynamic, clientChosen bool) {
	for _, k := range placeholderKeys(s) {
		if !isGlobalKey(k) {
			dynamic = true
		}
		if isRequestKey(k) {
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
