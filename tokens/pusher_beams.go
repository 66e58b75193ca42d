package tokens

import (
	_ "embed"
	"strings"
	"time"
)

// Pusher Beams authenticated-user token (Sources below). The server SDK's
// generateToken: jsonwebtoken's sign({}, secretKey, {expiresIn: '24h',
// issuer: "https://<instanceId>.pushnotifications.pusher.com", subject:
// userId}), so HS256, header {"alg":"HS256","typ":"JWT"} and the claims
// iat, exp, iss, sub in that order, answered as {token}; a user id is not
// empty and at most 164 characters. The web SDK's TokenProvider calls
// GET <url>?user_id=<userId> and reads {"token"}; setUserId then sends it
// as Authorization: Bearer.
//
// Our choices, where the sources leave room:
//   - The answer is the auth endpoint's {"token"}; the user_id the web SDK
//     sends must be the authenticated user (403 otherwise): Beams binds
//     the device to whoever the token names.
//   - key is the instance id, and iss is built from it, so the issuer and
//     the instance cannot disagree.
//   - ttl: 24h by default, as the SDK always signs; 1m..24h (whether Beams
//     refuses a longer token is unconfirmed: the safe reading is not to
//     exceed the SDK's).

// pusherInstanceChars are those of a Beams instance id (a UUID).
var pusherInstanceChars = NewCharset("letters, digits and -", "a-zA-Z0-9-", false)

// pusherIssuer turns the instance id into the issuer URL.
func pusherIssuer(v Value) (Value, string) {
	id := strings.TrimSpace(v.Str)
	if v.Kind != Scalar || id == "" || len(id) > 64 || !pusherInstanceChars.Allows(id) {
		return v, "must be the Beams instance id (letters, digits and -)"
	}
	return S("https://" + id + ".pushnotifications.pusher.com"), ""
}

//go:embed guides/pusher_beams.md
var pusherBeamsGuide string

func init() {
	Register(&Preset{
		Name:    "pusher_beams",
		Summary: "Pusher Beams user token, answered as the Beams auth endpoint (GET ?user_id= -> {token})",
		Guide:   pusherBeamsGuide,
		Sources: []string{
			"https://pusher.com/docs/beams/guides/publish-to-specific-user/web/",
			"https://github.com/pusher/push-notifications-node/blob/4f49ba74/push-notifications.js",
			"https://www.npmjs.com/package/@pusher/push-notifications-server/v/1.2.7",
			"https://www.npmjs.com/package/@pusher/push-notifications-web/v/2.1.0",
		},
		RequiresKey: true,
		KeyDoc:      "the Beams instance id; the secret is the instance's secret key",
		Claims: []Claim{
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "iss", Type: String, Key: true, Required: true, Normalize: pusherIssuer,
				Doc: "https://<instance id>.pushnotifications.pusher.com, from the key"},
			{Name: "sub", Type: String, User: true, Required: true, Param: []string{"user_id"},
				Limits: Limits{MaxLen: 164, Chars: printable},
				Doc:    "the Beams user id: the authenticated user; the SDK's user_id must match it"},
		},
		TTL:      TTL{Default: 24 * time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
