package tokens

import (
	_ "embed"
	"time"
)

// Stream (GetStream) user token, for Chat, Video and Feeds (Sources below).
// @stream-io/node-sdk 0.7.64's generateUserToken and generateCallToken:
// HS256 with the API secret over {user_id, call_cids?, iat, exp}, iat one
// second before now, exp iat + 3600 by default. stream-chat 9.53.0's
// JWTUserToken: {"alg":"HS256","typ":"JWT"}. The server refuses other user
// ids: "a-z, 0-9, @, _ and - are allowed".
//
// Our choices, where the sources leave room:
//   - The token provider's endpoint is app-defined: this preset answers
//     {"token"}, as Stream's docs' examples do. Unconfirmed.
//   - Tokens always carry exp (the Chat SDK can omit it; a token without
//     one never expires). ttl limits 1m..30d are ours.
//   - user_id keeps Stream's character set; upper case letters are allowed
//     and the 255-character cap is ours.
//   - call_cids is privileged: set by the config, or chosen by the request
//     among allowed values. The role claim of call tokens is unconfirmed
//     and left out.

//go:embed guides/stream.md
var streamGuide string

var streamUserID = NewCharset("letters, digits and @ _ -", "a-zA-Z0-9@_-", false)

var streamCallCID = NewCharset("letters, digits and : _ -", "a-zA-Z0-9:_-", false)

func init() {
	Register(&Preset{
		Name:    "stream",
		Summary: "Stream (GetStream) user token for Chat, Video and Feeds",
		Guide:   streamGuide,
		Sources: []string{
			"https://www.npmjs.com/package/@stream-io/node-sdk/v/0.7.64",
			"https://www.npmjs.com/package/stream-chat/v/9.53.0",
			"https://github.com/GetStream/stream-chat-js/issues/1020",
		},
		Claims: []Claim{
			{Name: "user_id", Type: String, User: true, Required: true, Param: []string{"user_id"},
				Limits: Limits{MaxLen: 255, Chars: streamUserID}, Doc: "the Stream user id"},
			{Name: "call_cids", Type: Strings, Privileged: true, Param: []string{"call_cids"},
				Limits: Limits{MaxLen: 128, Chars: streamCallCID}, Doc: `the calls a Video call token admits ("default:call1")`},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		// The Node SDK back-dates iat by a second: Stream refuses a token
		// "used before issued at" when the clocks differ a little.
		IssuedAtSkew: time.Second,
		TTL:          TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope:     Envelope{Token: TokenJSON("token")},
	})
}
