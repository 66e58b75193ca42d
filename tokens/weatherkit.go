package tokens

import (
	_ "embed"
	"strings"
	"time"
)

// Apple WeatherKit REST API token (Sources below). Apple's WeatherKit
// authentication page (quoted in its developer forums): ES256 with a
// WeatherKit private key (AuthKey_<KEYID>.p8, P-256); header alg, kid (the
// key id) and id ("<Team ID>.<Services ID>"); claims iss (the Team ID),
// iat, exp and sub (the Services ID). The token is sent as "Authorization:
// Bearer" to https://weatherkit.apple.com/api/v1/...
//
// Our choices, where the sources leave room:
//   - key is "<Team ID>.<Services ID>", Apple's id header field as it is;
//     iss and sub are taken from it, so the three cannot disagree. kid is
//     required.
//   - The header has no typ: Apple lists alg, kid and id only.
//   - The token is a server credential: use inject mode (`inject header
//     Authorization Bearer` before reverse_proxy to weatherkit.apple.com).
//     In respond mode the answer is {"token"}.
//   - ttl: 30 minutes by default, 1m..24h (no maximum documented).

var appleServiceChars = NewCharset("letters, digits, . and -", "a-zA-Z0-9.-", false)

// weatherkitPart derives a claim from the key "<Team ID>.<Services ID>":
// part 0 the Team ID, part 1 the Services ID.
func weatherkitPart(part int) func(Value) (Value, string) {
	return func(v Value) (Value, string) {
		team, service, ok := strings.Cut(v.Str, ".")
		if v.Kind != Scalar || !ok || len(team) != 10 || !appleTeamChars.Allows(team) ||
			service == "" || len(service) > 255 || !appleServiceChars.Allows(service) {
			return v, "must be <Team ID>.<Services ID>, such as ABCDE12345.com.example.weather"
		}
		return S([]string{team, service}[part]), ""
	}
}

//go:embed guides/weatherkit.md
var weatherkitGuide string

func init() {
	Register(&Preset{
		Name:    "weatherkit",
		Summary: "Apple WeatherKit REST API token, ES256 (set kid); meant for inject mode toward weatherkit.apple.com",
		Guide:   weatherkitGuide,
		Sources: []string{
			"https://developer.apple.com/documentation/weatherkitrestapi/request_authentication_for_weatherkit_rest_api",
			"https://developer.apple.com/forums/thread/713664",
		},
		Algorithms:    []string{"ES256"},
		Header:        []HeaderField{{Name: "typ", Value: ""}},
		RequiresKey:   true,
		KeyDoc:        "<Team ID>.<Services ID>: the header's id; iss and sub are its two parts. signing_key is the WeatherKit private key (.p8)",
		KeyHeader:     "id",
		RequireHeader: []string{"kid"},
		Claims: []Claim{
			{Name: "iss", Type: String, Key: true, Required: true, Normalize: weatherkitPart(0), Doc: "the Team ID, from the key"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "sub", Type: String, Key: true, Required: true, Normalize: weatherkitPart(1), Doc: "the Services ID, from the key"},
		},
		TTL:      TTL{Default: 30 * time.Minute, Min: time.Minute, Max: 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
