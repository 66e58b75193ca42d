package tokens

import (
	_ "embed"
	"strings"
	"time"
)

// Apple MapKit JS token (Sources below). Apple's MapKit JS token docs:
// ES256 with a Maps private key (AuthKey_<KEYID>.p8, PKCS#8 P-256); header
// {"alg":"ES256","kid":<10-character key id>,"typ":"JWT"}; claims iss (the
// Team ID), iat, exp and an optional origin that must equal the page's
// Origin; the sample's authorizationCallback fetches the token and hands
// the response text to done(). MapKit JS calls the callback again when the
// token expires.
//
// Our choices, where the sources leave room:
//   - key is the Team ID (iss); kid, the key id, is required.
//   - origin is config only: a request's Origin header is never copied in
//     (a token for any origin is what origin exists to prevent). It must be
//     an http:// or https:// origin.
//   - The answer is the bare token as text/plain, which the callback passes
//     to done() as it is.
//   - ttl: 30 minutes by default, 1m..24h (Apple states no maximum in the
//     pages read: unconfirmed).

var appleTeamChars = NewCharset("upper-case letters and digits", "A-Z0-9", false)

// appleTeamID limits a Team ID: ten upper-case letters or digits.
var appleTeamID = Limits{MaxLen: 10, Chars: appleTeamChars}

// mapkitOrigin accepts scheme://host[:port], without a path.
func mapkitOrigin(v Value) (Value, string) {
	rest, ok := strings.CutPrefix(v.Str, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(v.Str, "http://")
	}
	if v.Kind != Scalar || !ok || rest == "" || strings.ContainsAny(rest, "/?#@ ") {
		return v, "must be an origin, https://host[:port]"
	}
	return v, ""
}

//go:embed guides/mapkit.md
var mapkitGuide string

func init() {
	Register(&Preset{
		Name:    "mapkit",
		Summary: "Apple MapKit JS token, ES256 (set kid to the Maps key id), answered as text for authorizationCallback",
		Guide:   mapkitGuide,
		Sources: []string{
			"https://developer.apple.com/documentation/mapkitjs/creating_and_using_tokens_with_mapkit_js",
		},
		Algorithms:    []string{"ES256"},
		RequiresKey:   true,
		KeyDoc:        "the Team ID (iss); signing_key is the Maps private key (.p8)",
		RequireHeader: []string{"kid"},
		Claims: []Claim{
			{Name: "iss", Type: String, Key: true, Required: true, Limits: appleTeamID, Doc: "the Team ID"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "origin", Type: String, Privileged: true, Normalize: mapkitOrigin, Limits: Limits{MaxLen: 256},
				Doc: "the only page origin that may use the token (config only), https://host[:port]"},
		},
		TTL:      TTL{Default: 30 * time.Minute, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: TextEnvelope,
	})
}
