package tokens

import (
	_ "embed"
	"time"
)

// Vonage Video API client token (Sources below). The Node SDK's video.ts
// (generateClientToken(sessionId, {role, data, expireTime,
// initialLayoutClassList})): the claims scope "session.connect",
// session_id, role ("publisher" unless given), initial_layout_class_list
// (the classes joined by spaces, "" by default), exp (now + 86400 unless
// given), sub "video", acl {"paths": {"/session/**": {}}}, connection_data
// (only when data is given), then tokenGenerate's jti, iat and
// application_id; RS256 with the application's private key. Vonage's token
// guide: roles publisher, subscriber, moderator, publisheronly; 24 hours by
// default, 30 days at most. The client: OT.initSession(applicationId,
// sessionId).connect(token).
//
// Our choices, where the sources leave room:
//   - The answer is {"applicationId", "sessionId", "token"}, what the
//     samples' servers hand to OT.initSession and connect.
//   - session_id and role are privileged: from the config, or from the
//     request (sessionId or session_id, role) among the values allow lists.
//     Sessions are created through Vonage's API, which this preset does not
//     call: the config names them.
//   - connection_data, which other participants see, is the authenticated
//     user unless the config sets it; a request cannot set it. The docs'
//     limit of 1000 characters is kept.
//   - initial_layout_class_list is config only and always written ("" by
//     default), as the SDK does.
//   - ttl: 24h by default, 1m..30d.

var vonageSessionChars = NewCharset("letters, digits and _ ~ . -", "a-zA-Z0-9_~.-", false)

var vonageVideoEnvelope = Envelope{
	Echo: []string{"session_id"},
	Token: func(dst []byte, t *Minted) []byte {
		dst = append(dst, `{"applicationId":`...)
		dst = appendString(dst, t.Key)
		dst = append(dst, `,"sessionId":`...)
		dst = appendString(dst, t.Claim("session_id"))
		dst = append(dst, `,"token":`...)
		dst = appendString(dst, t.Token)
		return append(dst, '}')
	},
}

//go:embed guides/vonage_video.md
var vonageVideoGuide string

func init() {
	Register(&Preset{
		Name:    "vonage_video",
		Summary: "Vonage Video API client token, answered as {applicationId, sessionId, token}",
		Guide:   vonageVideoGuide,
		Sources: []string{
			"https://developer.vonage.com/en/video/guides/create-token",
			"https://github.com/Vonage/vonage-node-sdk/blob/babd2d8c/packages/video/lib/video.ts",
			"https://github.com/Vonage/vonage-node-sdk/blob/babd2d8c/packages/video/lib/types/ClientTokenOptions.ts",
			"https://www.npmjs.com/package/@vonage/video/v/1.31.1",
		},
		Algorithms:  []string{"RS256"},
		RequiresKey: true,
		KeyDoc:      "the Vonage application id; signing_key is the application's private key",
		Claims: []Claim{
			{Name: "scope", Type: String, Const: true, Default: []string{"session.connect"}},
			{Name: "session_id", Type: String, Privileged: true, Required: true, Param: []string{"sessionId", "session_id"},
				Limits: Limits{MaxLen: 256, Chars: vonageSessionChars}, Doc: "the Video session the token connects to"},
			{Name: "role", Type: String, Privileged: true, Default: []string{"publisher"}, Param: []string{"role"},
				Limits: Limits{Enum: []string{"publisher", "subscriber", "moderator", "publisheronly"}},
				Doc:    "what the connection may do"},
			{Name: "initial_layout_class_list", Type: String, Privileged: true, Default: []string{""}, KeepEmpty: true,
				Limits: Limits{MaxLen: 1000, Chars: printable}, Doc: "layout classes for archives and broadcasts, separated by spaces"},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "sub", Type: String, Const: true, Default: []string{"video"}},
			{Name: "acl", Type: Object, Const: true, Default: []string{`{"paths":{"/session/**":{}}}`}},
			{Name: "connection_data", Type: String, User: true, Limits: Limits{MaxLen: 1000, Chars: printable},
				Doc: "the connection's data, which other participants see: the authenticated user unless the config sets it"},
			{Name: "jti", Type: String, Gen: GenUUID},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			vonageApplicationID(),
		},
		TTL:      TTL{Default: 24 * time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope: vonageVideoEnvelope,
	})
}
