package tokens

import (
	_ "embed"
	"encoding/json"
	"strings"
	"time"
)

// Vonage application JWT for Client SDK users (Sources below). The Node
// SDK's tokenGenerate.ts (tokenGenerate(applicationId, privateKey, opts)):
// header {"alg":"RS256","typ":"JWT"}; claims the options, then jti (a
// UUIDv4), iat, exp (now + ttl, 900 by default), sub and acl, and last
// application_id. Vonage's JWT guide: sub is the Client SDK user's name;
// acl {"paths": {"/*/users/**": {}, ...}}, each path may hold methods and
// filters; Client SDK JWTs live at most 24 hours.
//
// Our choices, where the sources leave room:
//   - The claims are written in the order tokenGenerate writes them when
//     given {sub, acl, jti, ttl}, so that the SDK rebuilds the same bytes.
//   - sub is the authenticated user; acl is config only (it grants the
//     API paths the Client SDK may use), checked to be {"paths": {...}}.
//   - The answer is {"token"} (Vonage names no endpoint; its samples'
//     servers answer the JWT in JSON).
//   - ttl: 15 minutes by default, 1m..24h.

// vonageUUID is the character set of Vonage application ids.
var vonageUUID = NewCharset("hex digits and -", "0123456789abcdefABCDEF-", false)

// vonageACL accepts {"paths": {"<path>": {...}, ...}}.
func vonageACL(v Value) (Value, string) {
	const want = `must be a JSON object {"paths": {"/*/users/**": {}, ...}}`
	if v.Kind == List {
		return v, want
	}
	var acl struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	dec := json.NewDecoder(strings.NewReader(strings.TrimSpace(v.Str)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&acl); err != nil || len(acl.Paths) == 0 {
		return v, want
	}
	for path, rule := range acl.Paths {
		if !strings.HasPrefix(path, "/") || rule == nil {
			return v, want
		}
	}
	return v, ""
}

// vonageApplicationID is the key claim of both Vonage presets.
func vonageApplicationID() Claim {
	return Claim{Name: "application_id", Type: String, Key: true, Required: true,
		Limits: Limits{MaxLen: 36, Chars: vonageUUID}, Doc: "the Vonage application id (a UUID)"}
}

//go:embed guides/vonage.md
var vonageGuide string

func init() {
	Register(&Preset{
		Name:    "vonage",
		Summary: "Vonage application JWT for Client SDK users (sub, acl), RS256",
		Guide:   vonageGuide,
		Sources: []string{
			"https://developer.vonage.com/en/conversation/guides/jwt-acl",
			"https://github.com/Vonage/vonage-node-sdk/blob/babd2d8c/packages/jwt/lib/tokenGenerate.ts",
			"https://www.npmjs.com/package/@vonage/jwt/v/1.17.1",
			"https://www.npmjs.com/package/@vonage/client-sdk/v/2.3.1",
		},
		Algorithms:  []string{"RS256"},
		RequiresKey: true,
		KeyDoc:      "the Vonage application id; signing_key is the application's private key",
		Claims: []Claim{
			{Name: "sub", Type: String, User: true, Limits: Limits{MaxLen: 256, Chars: printable},
				Doc: "the Client SDK user's name: the authenticated user"},
			{Name: "acl", Type: Object, Privileged: true, Normalize: vonageACL,
				Doc: `the API paths the user may call: {"paths": {"/*/users/**": {}, "/*/conversations/**": {}, ...}}`},
			{Name: "jti", Type: String, Gen: GenUUID},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			vonageApplicationID(),
		},
		TTL:      TTL{Default: 15 * time.Minute, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
