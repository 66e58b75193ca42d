package tokens

import (
	"fmt"
	"time"
)

// Mux signed playback token. Sources: muxinc/mux-node-sdk (@mux/mux-node
// 15.3.0) src/lib/jwt.ts (sign: header {"alg":"RS256","typ":"JWT"}; the
// payload is the params, then kid (the signing key id, in the payload
// since v8), sub, aud, exp; noTimestamp, so no iat; TypeClaim: video "v",
// thumbnail "t", gif "g", storyboard "s", stats "playback_id", drm_license
// "d"; TypeToken: playback-token, thumbnail-token, gif-token,
// storyboard-token, stats-token, drm-token) and src/resources/jwt.ts
// (signPlaybackId: sub the playback id, expiration 7 days by default;
// several types give {"playback-token": ..., "thumbnail-token": ...}, the
// attributes Mux Player takes); its README (thumbnail params such as
// {time: 14, width: 100}, numbers); mux.com/docs/guides/secure-video-playback
// and docs.mux.com/docs/security-signed-urls (a 2048-bit RSA signing key
// whose private half, base64 PEM, Mux returns once; Mux keeps the public
// half and picks it by kid).
//
// Our choices, where the sources leave room:
//   - One token per route: `option type` (video by default) sets aud, and
//     the answer is the SDK's multi-token shape with that one member,
//     {"playback-token": "..."} for video, {"thumbnail-token": "..."} for
//     thumbnails, and so on, which Mux Player takes as its attribute. A page
//     that needs several types calls one route per type (a reduced form of
//     signPlaybackId with a list of types, which signs them all at once).
//   - key is the signing key id (the kid claim); signing_key its private
//     key (PEM; decode the base64 that Mux returns first).
//   - sub, the playback id, is privileged: from the config, or from the
//     request (playback_id) among the values the config's allow lists,
//     else any signed asset would be exposed.
//   - time, width and height (thumbnail and GIF parameters) come from the
//     request, as numbers (the README's form; the SDK's type says strings:
//     unconfirmed which Mux prefers, both are in use). They are written
//     into whatever type the route signs, as the SDK does with params.
//     playback_restriction_id is config only.
//   - ttl: 1h by default (the SDK's 7 days is far longer than a page needs),
//     1m..7d.

// muxTypes maps `option type` to the aud claim and the answer's member.
var muxTypes = map[string][2]string{
	"video":       {"v", "playback-token"},
	"thumbnail":   {"t", "thumbnail-token"},
	"gif":         {"g", "gif-token"},
	"storyboard":  {"s", "storyboard-token"},
	"drm_license": {"d", "drm-token"},
	"stats":       {"playback_id", "stats-token"},
}

var muxIDChars = NewCharset("letters and digits", "a-zA-Z0-9", false)

func muxType(name string) [2]string {
	if t, ok := muxTypes[name]; ok {
		return t
	}
	return muxTypes["video"]
}

func muxFinish(m *Mint) *Error {
	return m.Set("aud", S(muxType(m.Option("type"))[0]))
}

func muxCheck(c *Compiled) error {
	if c.Sets("aud") {
		return fmt.Errorf("aud follows the token type: set `option type <video|thumbnail|gif|storyboard|drm_license|stats>` instead of claim aud")
	}
	return nil
}

func init() {
	Register(&Preset{
		Name:        "mux",
		Summary:     "Mux signed playback token (video, thumbnail, gif, storyboard, DRM license or stats), answered as {\"playback-token\"} and the like",
		Algorithms:  []string{"RS256"},
		RequiresKey: true,
		KeyDoc:      "the URL signing key's id (the kid claim); signing_key is its private key",
		Claims: []Claim{
			{Name: "time", Type: Number, Param: []string{"time"}, Limits: Limits{HasRange: true, Min: 0, Max: 1 << 31},
				Doc: "thumbnail: the time in seconds the image shows"},
			{Name: "width", Type: Int, Param: []string{"width"}, Limits: Limits{HasRange: true, Min: 1, Max: 8192},
				Doc: "thumbnail or GIF: width in pixels"},
			{Name: "height", Type: Int, Param: []string{"height"}, Limits: Limits{HasRange: true, Min: 1, Max: 8192},
				Doc: "thumbnail or GIF: height in pixels"},
			{Name: "playback_restriction_id", Type: String, Privileged: true, Limits: Limits{MaxLen: 128, Chars: muxIDChars},
				Doc: "a playback restriction (referrer, user agent) the token is bound to"},
			{Name: "kid", Type: String, Key: true, Required: true, Limits: Limits{MaxLen: 128, Chars: muxIDChars},
				Doc: "the signing key id"},
			{Name: "sub", Type: String, Privileged: true, Required: true, Param: []string{"playback_id"},
				Limits: Limits{MaxLen: 128, Chars: muxIDChars}, Doc: "the signed playback id"},
			{Name: "aud", Type: String, Limits: Limits{Enum: []string{"v", "t", "g", "s", "d", "playback_id"}},
				Doc: "the token type, from option type: v, t, g, s, d or playback_id"},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:    TTL{Default: time.Hour, Min: time.Minute, Max: 7 * 24 * time.Hour},
		Finish: muxFinish,
		Check:  muxCheck,
		Options: []Option{
			{Name: "type", Default: "video", Enum: []string{"video", "thumbnail", "gif", "storyboard", "drm_license", "stats"},
				Doc: "what the token signs: video (aud v), thumbnail (t), gif (g), storyboard (s), drm_license (d), stats (playback_id)"},
		},
		Envelope: Envelope{Token: func(dst []byte, t *Minted) []byte {
			dst = appendKey(append(dst, '{'), muxType(t.Option("type"))[1])
			dst = appendString(dst, t.Token)
			return append(dst, '}')
		}},
	})
}
