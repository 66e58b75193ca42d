package tokens

import (
	_ "embed"
	"time"
)

// viaSocket embed token, as viaSocket's embed FAQ describes it (Sources
// below): HS256 with the access key as secret, claims org_id, project_id and
// user_id. The docs show no iat or exp; an embed token that never expires is
// a standing credential if it leaks, so this preset takes the safe reading
// and adds iat and exp (default 24h), as JWT verifiers accept. No official
// endpoint contract exists; the answer is {"token"}.

//go:embed guides/viasocket.md
var viasocketGuide string

func init() {
	Register(&Preset{
		Name:    "viasocket",
		Summary: "viaSocket embed token (the embedToken attribute of the embed script)",
		Guide:   viasocketGuide,
		Sources: []string{
			"https://viasocket.com/faq/viasocket-embed/create-jwt-token",
			"https://viasocket.com/faq/viasocket-embed/native/authentication-security",
		},
		Claims: []Claim{
			{Name: "org_id", Type: String, Required: true, Limits: Limits{MaxLen: 128, Chars: idChars}},
			{Name: "project_id", Type: String, Required: true, Limits: Limits{MaxLen: 128, Chars: idChars}},
			{Name: "user_id", Type: String, User: true, Required: true, Param: []string{"user_id"},
				Limits: Limits{MaxLen: 256, Chars: printable}},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:      TTL{Default: 24 * time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
