package tokens

import (
	_ "embed"
	"time"
)

// 100ms app and management tokens, as 100ms's docs and sample backend make
// them (hmsSources): HS256 with the app secret, jti a UUIDv4, exp 24h after
// iat; the sample endpoint answers {"token", "msg", "success"}.

var (
	//go:embed guides/hms_app.md
	hmsAppGuide string
	//go:embed guides/hms_management.md
	hmsManagementGuide string
)

var hmsSources = []string{
	"https://www.100ms.live/docs/get-started/v2/get-started/security-and-tokens",
	"https://github.com/100mslive/100ms-sample-backend-nodejs/blob/0deddf7ba17ebb7fa31a59de8638372da21cc06a/src/services/TokenService.js",
	"https://github.com/100mslive/100ms-sample-backend-nodejs/blob/0deddf7ba17ebb7fa31a59de8638372da21cc06a/src/app.js",
}

var hmsEnvelope = Envelope{
	Token: func(dst []byte, t *Minted) []byte {
		dst = append(dst, `{"token":`...)
		dst = appendString(dst, t.Token)
		return append(dst, `,"msg":"Token generated successfully!","success":true}`...)
	},
	Refusal: func(dst []byte, e *Error) ([]byte, int) {
		dst = append(dst, `{"msg":`...)
		dst = appendString(dst, e.Error())
		dst = append(dst, `,"success":false,"error":`...)
		dst = appendString(dst, e.Code())
		if f := e.Field(); f != "" {
			dst = append(dst, `,"field":`...)
			dst = appendString(dst, f)
		}
		return append(dst, '}'), e.Status
	},
}

var hmsTTL = TTL{Default: 24 * time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour}

var hmsTimes = []Claim{
	{Name: "iat", Type: Time, Gen: GenIssuedAt},
	{Name: "nbf", Type: Time, Gen: GenNotBefore},
	{Name: "exp", Type: Time, Gen: GenExpiry},
	{Name: "jti", Type: String, Gen: GenUUID},
}

func init() {
	Register(&Preset{
		Name:    "hms_app",
		Summary: "100ms app token, for the client SDKs to join a room",
		Guide:   hmsAppGuide,
		Sources: hmsSources,
		Claims: append([]Claim{
			{Name: "access_key", Type: String, Key: true, Required: true, Doc: "the app access key"},
			{Name: "room_id", Type: String, Required: true, Param: []string{"room_id"},
				Limits: Limits{MaxLen: 128, Chars: idChars}},
			{Name: "user_id", Type: String, User: true, Required: true, Param: []string{"user_id"},
				Limits: Limits{MaxLen: 256, Chars: printable}},
			{Name: "role", Type: String, Privileged: true, Required: true, Param: []string{"role"},
				Limits: Limits{MaxLen: 100, Chars: idChars}, Doc: "a role of the room's template"},
			{Name: "type", Type: String, Const: true, Default: []string{"app"}},
			{Name: "version", Type: Int, Const: true, Default: []string{"2"}},
		}, hmsTimes...),
		TTL:      hmsTTL,
		Envelope: hmsEnvelope,
	})
	Register(&Preset{
		Name:    "hms_management",
		Summary: "100ms management token, for the server REST API (never hand it to a browser)",
		Guide:   hmsManagementGuide,
		Sources: hmsSources,
		Claims: append([]Claim{
			{Name: "access_key", Type: String, Key: true, Required: true, Doc: "the app access key"},
			{Name: "type", Type: String, Const: true, Default: []string{"management"}},
			{Name: "version", Type: Int, Const: true, Default: []string{"2"}},
		}, hmsTimes...),
		TTL:      hmsTTL,
		Envelope: hmsEnvelope,
	})
}
