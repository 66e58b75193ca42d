package tokens

import (
	_ "embed"
	"encoding/json"
	"strings"
	"time"
)

// Firebase Authentication / Identity Platform custom token, for the client
// SDKs' signInWithCustomToken, as Firebase's docs ("Create custom tokens
// using a third-party JWT library") and the Admin SDKs make it (Sources
// below): RS256 with the service account's private key; iss = sub = the
// service account's client_email; aud the IdentityToolkit URL; iat; exp at
// most one hour after iat; uid 1 to 128 characters; optional claims
// (developer claims, none of the reserved names) and tenant_id. The Admin
// SDK's header is {"alg":"RS256","typ":"JWT"}.
//
// The config's key is the client_email and fills both iss and sub. The
// endpoint answers {"token"}; there is no official sample endpoint.
// uid is the session's user and never a request field: in anonymous mode
// the config must set it, since a client naming its own uid would sign in
// as anyone.

//go:embed guides/firebase.md
var firebaseGuide string

const firebaseAudience = "https://identitytoolkit.googleapis.com/google.identity.identitytoolkit.v1.IdentityToolkit"

// firebaseReserved are the names the Admin SDKs refuse in developer claims.
var firebaseReserved = []string{"acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash",
	"exp", "firebase", "iat", "iss", "jti", "nbf", "nonce", "sub"}

// firebaseClaims refuses developer claims that use a reserved name.
func firebaseClaims(v Value) (Value, string) {
	var members map[string]json.RawMessage
	if v.Kind == List || !strings.HasPrefix(strings.TrimSpace(v.Str), "{") || json.Unmarshal([]byte(v.Str), &members) != nil {
		return v, "must be a JSON object"
	}
	for name := range members {
		if name == "" || contains(firebaseReserved, name) {
			return v, "must not use a reserved claim name (" + strings.Join(firebaseReserved, ", ") + ") or an empty one"
		}
	}
	return v, ""
}

func init() {
	Register(&Preset{
		Name:    "firebase",
		Summary: "Firebase / Identity Platform custom token for signInWithCustomToken, RS256 with a service account key",
		Guide:   firebaseGuide,
		Sources: []string{
			"https://firebase.google.com/docs/auth/admin/create-custom-tokens",
			"https://github.com/firebase/firebase-admin-go/blob/fadf9b4bba582330aa7495ee5fb62b26461a036f/auth/token_generator.go",
			"https://github.com/firebase/firebase-admin-dotnet/blob/fccf06ccd16250845429b5567a36c09a487ed5dc/FirebaseAdmin/FirebaseAdmin/Auth/FirebaseTokenFactory.cs",
		},
		Algorithms:  []string{"RS256"},
		RequiresKey: true,
		KeyDoc:      "the service account's client_email (it fills iss and sub)",
		Claims: []Claim{
			{Name: "iss", Type: String, Key: true, Required: true, Doc: "the service account's client_email"},
			{Name: "sub", Type: String, Key: true, Required: true, Doc: "the service account's client_email"},
			{Name: "aud", Type: String, Const: true, Default: []string{firebaseAudience}},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "uid", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 128, Chars: printable},
				Doc: "the Firebase user id, 1 to 128 characters"},
			{Name: "tenant_id", Type: String, Limits: Limits{MaxLen: 128, Chars: idChars},
				Doc: "the Identity Platform tenant, if any"},
			{Name: "claims", Type: Object, Privileged: true, Normalize: firebaseClaims,
				Doc: "developer claims, copied into the user's ID tokens; reserved names refused"},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
