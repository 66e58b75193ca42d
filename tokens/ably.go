package tokens

import (
	_ "embed"
	"errors"
	"strings"
	"time"
)

// Ably JWT (Sources below). Ably's JWT docs: HS256 with the API key's
// secret, header kid = the key name (appId.keyId; the API key string is
// appId.keyId:keySecret), claims x-ably-capability (required, a JSON object
// written as a JSON string), x-ably-clientId (optional, the trusted client
// id), iat and exp (the docs' example: now + 1h). The client's authUrl is
// fetched with GET (authParams as the query) or POST (a form body); ably-js
// adds its token params (capability, clientId, ttl, timestamp) to the
// authParams and accepts a text/plain, application/jwt or application/json
// answer (ably-js's auth.ts); a text/plain answer is the token itself.
//
// Choices where the docs say nothing:
//   - The capability has no default: any default would pick channels on the
//     operator's behalf ({"*":["subscribe"]} reads every channel). The
//     config must state it. A request's capability (the client's token
//     params) must equal it, compared after compaction; choosing among
//     several needs allow lists of JSON values, which the model does not
//     match yet.
//   - clientId in the request must equal the user; with session anonymous
//     it names the client. The wildcard "*" (act as any client) is never
//     issued.
//   - The ttl and timestamp token params are in milliseconds and are
//     ignored: the lifetime is the config's ttl. Maximum 24h, as for Ably
//     Tokens (unconfirmed for JWTs).
//   - The key must be the key name: a key holding ":" (the whole API key,
//     secret included) is refused before it reaches a header.
//   - Refusals are plain text, as the answer is.

//go:embed guides/ably.md
var ablyGuide string

// normalizeAblyCapability accepts only a JSON object: a capability maps
// channel names to operations.
func normalizeAblyCapability(v Value) (Value, string) {
	if v.Kind == List || !strings.HasPrefix(strings.TrimSpace(v.Str), "{") {
		return v, "must be a JSON object of channel names to operations"
	}
	return v, ""
}

func ablyFinish(m *Mint) *Error {
	if id, ok := m.Get("x-ably-clientId"); ok && id.Str == "*" {
		param := ""
		if v, given, _ := m.Param("clientId"); given && v.Str == "*" {
			param = "clientId"
		}
		return Forbidden("x-ably-clientId", param, `the wildcard client id "*" is never issued`)
	}
	return nil
}

func init() {
	Register(&Preset{
		Name:    "ably",
		Summary: "Ably JWT (the token string an authUrl answers with)",
		Guide:   ablyGuide,
		Sources: []string{
			"https://ably.com/docs/auth/token/jwt",
			"https://github.com/ably/ably-js/blob/53ad2ec2d6aa014aa56ef2a3caa9baccb0b399d6/src/common/lib/client/auth.ts",
		},
		KeyHeader: "kid",
		KeyDoc:    "the API key's name, appId.keyId (the part before the colon), sent as the header's kid",
		Claims: []Claim{
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "x-ably-capability", Type: JSONString, Privileged: true, Required: true, Param: []string{"capability"},
				Normalize: normalizeAblyCapability, Doc: `channel names to operations, as JSON: {"chat:*":["publish","subscribe"]}`},
			{Name: "x-ably-clientId", Type: String, User: true, Param: []string{"clientId"},
				Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "the trusted client id"},
		},
		TTL:    TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Finish: ablyFinish,
		Check: func(c *Compiled) error {
			if strings.ContainsRune(c.Key(), ':') {
				return errors.New("key must be the API key's name (appId.keyId), without its secret")
			}
			return nil
		},
		Envelope: TextEnvelope, // the token as text, which the client libraries take as the token string
	})
}
