package tokens

import (
	_ "embed"
	"fmt"
	"time"
)

// Mux signed playback token (Sources below). The Node SDK's jwt.ts (sign):
// header {"alg":"RS256","typ":"JWT"}; the payload is the params, then kid
// (the signing key id, in the payload since v8), sub, aud, exp; no iat; the
// aud of each type (TypeClaim) and the answer's member (TypeToken). Its
// signPlaybackId: sub the playback id, 7 days by default, several types
// answered as {"playback-token": ..., "thumbnail-token": ...}, the
// attributes Mux Player takes; its README: thumbnail params as numbers.
// Mux's docs: a 2048-bit RSA signing key whose private half, base64 PEM,
// Mux returns once; Mux keeps the public half and picks it by kid.
//
// Our choices, where the sources leave room:
//   - One token per route: `option type` (video by default) sets aud, and
//     the answer is the SDK's multi-token shape with that one member.
//   - sub, the playback id, is privileged: from the config, or from the
//     request (playback_id) among the values allow lists, else any signed
//     asset would be exposed. playback_restriction_id is config only.
//   - time, width and height come from the request as numbers (the
//     README's form; the SDK's type says strings: unconfirmed which Mux
//     prefers, both are in use), written into whatever type the route signs.
//   - ttl: 1h by default (the SDK's 7 days is far longer than a page
//     needs), 1m..7d.

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

//go:embed guides/mux.md
var muxGuide string

func init() {
	Register(&Preset{
		Name:    "mux",
		Summary: "Mux signed playback token (video, thumbnail, gif, storyboard, DRM license or stats), answered as {\"playback-token\"} and the like",
		Guide:   muxGuide,
		Sources: []string{
			"https://www.mux.com/docs/guides/secure-video-playback",
			"https://docs.mux.com/docs/security-signed-urls",
			"https://www.mux.com/docs/api-reference/video/url-signing-keys",
			"https://github.com/muxinc/mux-node-sdk/blob/89eff086/src/lib/jwt.ts",
			"https://github.com/muxinc/mux-node-sdk/blob/89eff086/src/resources/jwt.ts",
			"https://www.npmjs.com/package/@mux/mux-node/v/15.3.0",
			"https://www.npmjs.com/package/@mux/mux-player/v/3.14.0",
		},
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
