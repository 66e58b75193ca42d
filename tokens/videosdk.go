package tokens

import (
	_ "embed"
	"time"
)

// VideoSDK.live auth token, as VideoSDK's docs and API server samples make
// it (Sources below): HS256 with the secret; apikey and permissions always;
// version 2 whenever roomId, participantId or roles is present; the sample
// reads roomId and peerId and then adds roles ["rtc"]. Answer {"token"}.

//go:embed guides/videosdk.md
var videosdkGuide string

func init() {
	Register(&Preset{
		Name:    "videosdk",
		Summary: "VideoSDK.live auth token",
		Guide:   videosdkGuide,
		Sources: []string{
			"https://docs.videosdk.live/api-reference/realtime-communication/authentication",
			"https://github.com/videosdk-live/videosdk-rtc-api-server-examples/blob/2a3780ffb6888ebd75c32ec320bc38f7a796ef00/nodejs/server.js",
			"https://github.com/videosdk-live/videosdk-rtc-api-server-examples/blob/6616f6c9e88be32bdd5122c402bc707acd7c567e/go/main.go",
		},
		Claims: []Claim{
			{Name: "apikey", Type: String, Key: true, Required: true, Doc: "the API key"},
			{Name: "permissions", Type: Strings, Privileged: true, Required: true, Default: []string{"allow_join"},
				Limits: Limits{Enum: []string{"allow_join", "ask_join", "allow_mod"}, MaxItems: 3}},
			{Name: "version", Type: Int, Limits: Limits{Enum: []string{"2"}}},
			{Name: "roomId", Type: String, Param: []string{"roomId"}, Limits: Limits{MaxLen: 128, Chars: idChars}},
			{Name: "participantId", Type: String, User: true, Param: []string{"peerId", "participantId"},
				Limits: Limits{MaxLen: 256, Chars: printable}},
			{Name: "roles", Type: Strings, Privileged: true, Limits: Limits{Enum: []string{"crawler", "rtc"}, MaxItems: 2}},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL: TTL{Default: 2 * time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Finish: func(m *Mint) *Error {
			_, room := m.Get("roomId")
			_, peer := m.Get("participantId")
			_, roles := m.Get("roles")
			if room || peer || roles {
				if !roles {
					// The sample's choice, and the narrower grant: meetings
					// only, no server APIs.
					if err := m.Set("roles", L("rtc")); err != nil {
						return err
					}
				}
				return m.Set("version", S("2"))
			}
			return nil
		},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
