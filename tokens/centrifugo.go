package tokens

import (
	_ "embed"
	"time"
)

// Centrifugo connection and subscription tokens, as Centrifugo's
// authentication docs describe them (Sources below): HS256/384/512 with
// token_hmac_secret_key, RS256/384/512 with token_rsa_public_key,
// ES256/384/512 with token_ecdsa_public_key. A connection token carries sub
// (the user; "" or absent is anonymous), exp, iat, info and channels
// (server-side subscriptions); a subscription token carries sub (the
// connection's user), channel (required), info, exp. aud and iss are checked
// only where the server configures token_audience and token_issuer. The
// SDKs' getToken callbacks are the app's; the docs' refresh endpoint answers
// {"token"}.
//
// Two presets, not one with a kind option: each kind has its own schema, so
// a config that sets channels on a subscription token, or channel on a
// connection token, fails at compile time like any unknown claim.
//
// Choices:
//   - exp default 10 minutes (the docs' example is now + 600); the SDKs call
//     getToken again before it passes.
//   - channel grants access to a channel, so it is privileged: a request's
//     channel must be one the config's `allow channel` lists (or the
//     configured `claim channel`). The schema cannot say "required, and
//     chosen by the request within allow" (Compile wants a configured value
//     for a required privileged claim), so Finish requires it instead.
//   - b64info, subs, meta, expire_at and jti are not offered; the jwt preset
//     mints any claim set.

// The two presets share one guide: a client needs both kinds.
//
//go:embed guides/centrifugo.md
var centrifugoGuide string

var centrifugoSources = []string{
	"https://centrifugal.dev/docs/server/authentication",
	"https://centrifugal.dev/docs/server/channel_token_auth",
}

var centrifugoAlgorithms = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}

var centrifugoTTL = TTL{Default: 10 * time.Minute, Min: 10 * time.Second, Max: 30 * 24 * time.Hour}

// centrifugoChannel is Centrifugo's default channel_max_length.
var centrifugoChannel = Limits{MaxLen: 255, Chars: printable}

var (
	centrifugoSub = Claim{Name: "sub", Type: String, User: true, Limits: Limits{MaxLen: 256, Chars: printable},
		Doc: "the user id; absent means anonymous"}
	centrifugoAud  = Claim{Name: "aud", Type: String, Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "set where the server sets token_audience"}
	centrifugoIss  = Claim{Name: "iss", Type: String, Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "set where the server sets token_issuer"}
	centrifugoInfo = Claim{Name: "info", Type: Object, Doc: "what other clients see of this connection (presence, join/leave)"}
	centrifugoIat  = Claim{Name: "iat", Type: Time, Gen: GenIssuedAt}
	centrifugoExp  = Claim{Name: "exp", Type: Time, Gen: GenExpiry}
)

// centrifugoRequireChannel makes channel required: Compile cannot, for a
// privileged claim that a request chooses within allow.
func centrifugoRequireChannel(m *Mint) *Error {
	if _, ok := m.Get("channel"); ok {
		return nil
	}
	param := ""
	if m.in.Contract {
		param = "channel"
	}
	return Invalid("channel", param, "is required")
}

func init() {
	Register(&Preset{
		Name:       "centrifugo",
		Summary:    "Centrifugo connection token (HS, RS or ES)",
		Guide:      centrifugoGuide,
		Sources:    centrifugoSources,
		Algorithms: centrifugoAlgorithms,
		Claims: []Claim{
			centrifugoSub, centrifugoAud, centrifugoIss, centrifugoInfo,
			{Name: "channels", Type: Strings, Privileged: true, Limits: centrifugoChannel,
				Doc: "channels the server subscribes the connection to"},
			centrifugoIat, centrifugoExp,
		},
		TTL:      centrifugoTTL,
		Envelope: Envelope{Token: TokenJSON("token")},
	})
	Register(&Preset{
		Name:       "centrifugo_subscription",
		Summary:    "Centrifugo channel subscription token (HS, RS or ES)",
		Guide:      centrifugoGuide,
		Sources:    centrifugoSources,
		Algorithms: centrifugoAlgorithms,
		Claims: []Claim{
			centrifugoSub,
			{Name: "channel", Type: String, Privileged: true, Param: []string{"channel"}, Limits: centrifugoChannel,
				Doc: "the channel; required; a request may name one the config allows"},
			centrifugoAud, centrifugoIss, centrifugoInfo,
			centrifugoIat, centrifugoExp,
		},
		Finish:   centrifugoRequireChannel,
		TTL:      centrifugoTTL,
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
