package tokens

import (
	_ "embed"
	"time"
)

// jwt is a generic HMAC token holding only the claims a config sets, plus
// iat and exp. Claims are strings unless the config declares their type.
// Answer {"token", "expires_at"} with expires_at in Unix seconds.

//go:embed guides/jwt.md
var jwtGuide string

func init() {
	Register(&Preset{
		Name:    "jwt",
		Summary: "a generic HS256/HS384/HS512 JWT with the claims you configure",
		Guide:   jwtGuide,
		Sources: []string{
			"https://www.rfc-editor.org/rfc/rfc7519",
			"https://www.rfc-editor.org/rfc/rfc7518#section-3.2",
		},
		Algorithms: []string{"HS256", "HS384", "HS512"},
		FreeForm:   true,
		Claims: []Claim{
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL: TTL{Default: time.Hour, Min: time.Second, Max: 366 * 24 * time.Hour},
		Envelope: Envelope{Token: func(dst []byte, t *Minted) []byte {
			dst = append(dst, `{"token":`...)
			dst = appendString(dst, t.Token)
			dst = append(dst, `,"expires_at":`...)
			dst = appendInt(dst, t.Expires)
			return append(dst, '}')
		}},
	})
}
