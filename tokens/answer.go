package tokens

import (
	"errors"
	"net/http"
)

// jsonOrText returns the option `answer json|text` and its envelope, for
// presets whose client hook is a function that must resolve to the bare
// token (an SDK's fetchToken callback): json (the default) answers
// {"<field>": "<token>"}, text answers the token alone as text/plain, so
// the callback can return `await res.text()`, as TextEnvelope does. Refusals
// are JSON either way: the option is per route, the refusal shape per preset.
func jsonOrText(field string) (Option, Envelope) {
	asJSON := TokenJSON(field)
	opt := Option{Name: "answer", Default: "json", Enum: []string{"json", "text"},
		Doc: `json: {"` + field + `": "<token>"}; text: the token alone, text/plain`}
	env := Envelope{
		Token: func(dst []byte, t *Minted) []byte {
			if t.Option("answer") == "text" {
				return TextEnvelope.Token(dst, t)
			}
			return asJSON(dst, t)
		},
		ContentTypeFor: func(t *Minted) string {
			if t.Option("answer") == "text" {
				return TextEnvelope.ContentType
			}
			return "application/json"
		},
	}
	return opt, env
}

// kidForKeyPair is a Check rule: a token signed with a private key must
// name it in the header's kid, since the verifier picks the public key
// (from a JWKS or its key list) by kid.
func kidForKeyPair(c *Compiled) error {
	if c.Asymmetric() && !c.HasKID() {
		return errKIDForKeyPair
	}
	return nil
}

var errKIDForKeyPair = errors.New("a token signed with a private key needs the header's kid: set `kid <key id>` to the id the verifier knows the public key by")

// tokenOrRedirect is the envelope of presets that hand the token to a page
// or send the browser on with it (`option answer ... redirect`): redirect
// answers 302 with Location = url(t) and {"url": ...}; any other answer
// {"<field>": "<token>"} (and, with withURL, the url beside it).
func tokenOrRedirect(field string, withURL bool, url func(*Minted) string) Envelope {
	key := appendKey(nil, field)
	return Envelope{
		Token: func(dst []byte, t *Minted) []byte {
			dst = append(dst, '{')
			if t.Option("answer") != "redirect" {
				dst = appendString(append(dst, key...), t.Token)
				if !withURL {
					return append(dst, '}')
				}
				dst = append(dst, ',')
			}
			dst = append(dst, `"url":`...)
			dst = appendString(dst, url(t))
			return append(dst, '}')
		},
		StatusFor: func(t *Minted) int {
			if t.Option("answer") == "redirect" {
				return http.StatusFound
			}
			return http.StatusOK
		},
		Headers: func(t *Minted, set func(name, value string)) {
			if t.Option("answer") == "redirect" {
				set("Location", url(t))
			}
		},
	}
}
