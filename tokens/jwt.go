package tokens

import (
	_ "embed"
	"time"
)

// jwt is a generic token holding only the claims a config sets, plus iat
// and exp, signed with a secret (HS*) or a private key (RS*, PS*, ES*,
// EdDSA; a key ring's kid goes in the header): the token most backends that
// verify against a JWKS take. Claims are strings unless the config declares
// their type. Answer {"token", "expires_at"} with expires_at in Unix
// seconds.

//go:embed guides/jwt.md
var jwtGuide string

func init() {
	Register(&Preset{
		Name:    "jwt",
		Summary: "a generic JWT with the claims you configure: HS* with a secret, RS*/PS*/ES*/EdDSA with a private key or key ring",
		Guide:   jwtGuide,
		Sources: []string{
			"https://www.rfc-editor.org/rfc/rfc7519",
			"https://www.rfc-editor.org/rfc/rfc7518#section-3.2",
			"https://www.rfc-editor.org/rfc/rfc7518#section-3.3",
			"https://www.rfc-editor.org/rfc/rfc7518#section-3.4",
			"https://www.rfc-editor.org/rfc/rfc7518#section-3.5",
			"https://www.rfc-editor.org/rfc/rfc8037#section-3.1",
		},
		// HS256 is the default with a secret; with a key, the first that
		// fits it (RS256 for RSA, the curve's ES*, EdDSA).
		Algorithms: []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"},
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
