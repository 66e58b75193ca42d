package tokens

import (
	_ "embed"
	"encoding/json"
	"strings"
	"time"
)

// OneSignal identity verification token (user model). Source:
// documentation.onesignal.com/docs/identity-verification: ES256 only,
// with the private key downloaded from Settings > Keys & IDs > Identity
// Verification; iss the App ID, exp, identity {external_id, other
// aliases}, and subscriptions [{type "Email"|"SMS", token}] when the token
// adds an email or a phone; the sample server (jsonwebtoken, which adds
// iat) answers GET /generate-jwt/:externalId with {"jwt"}; the mobile SDKs
// take it in OneSignal.login(externalId, jwt) and ask for a new one
// through the JWT-invalidated listener; REST calls send it as Bearer.
//
// Readings and choices:
//   - The config's key is the App ID (iss).
//   - identity.external_id is the session's user: the sample's
//     :externalId path segment must be the signed-in user, so there are no
//     request fields. Other aliases (identity.<label>) are free-form and
//     privileged.
//   - subscriptions is privileged and comes from the config, with the
//     email and phone from trusted placeholders: a client naming them could
//     attach someone else's address to its user. Entries whose token
//     renders empty are dropped (a user without a phone gets no SMS
//     subscription), and so is an empty list.
//   - ttl: 1 hour by default (the docs' sample), 1 minute to 30 days.

// onesignalSubscriptions checks the subscriptions and drops entries with
// an empty token.
func onesignalSubscriptions(v Value) (Value, string) {
	const reason = `must be a JSON array of {"type": "Email" or "SMS", "token": "<address or number>"} objects`
	var subs []struct {
		Type  *string `json:"type"`
		Token *string `json:"token"`
	}
	var raw []map[string]json.RawMessage
	text := strings.TrimSpace(v.Str)
	if v.Kind == List || !strings.HasPrefix(text, "[") || json.Unmarshal([]byte(text), &raw) != nil ||
		json.Unmarshal([]byte(text), &subs) != nil {
		return v, reason
	}
	out := []byte{'['}
	for i, s := range subs {
		if raw[i] == nil || len(raw[i]) != 2 || s.Type == nil || s.Token == nil || (*s.Type != "Email" && *s.Type != "SMS") {
			return v, reason
		}
		if *s.Token == "" {
			continue
		}
		if len(*s.Token) > 320 || checkText(*s.Token) != "" {
			return v, "tokens must be an email address or a phone number"
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, `{"type":`...)
		out = appendString(out, *s.Type)
		out = append(out, `,"token":`...)
		out = appendString(out, *s.Token)
		out = append(out, '}')
	}
	return Value{Kind: Raw, Str: string(append(out, ']'))}, ""
}

// onesignalFinish leaves out a subscriptions list that is empty.
func onesignalFinish(m *Mint) *Error {
	if v, ok := m.Get("subscriptions"); ok && v.Str == "[]" {
		m.Unset("subscriptions")
	}
	return nil
}

//go:embed guides/onesignal.md
var onesignalGuide string

func init() {
	Register(&Preset{
		Name:    "onesignal",
		Summary: "OneSignal identity verification JWT (ES256) for OneSignal.login(externalId, jwt), answered as {jwt}",
		Guide:   onesignalGuide,
		Sources: []string{
			"https://documentation.onesignal.com/docs/identity-verification",
		},
		Algorithms:         []string{"ES256"},
		RequiresKey:        true,
		KeyDoc:             "the OneSignal App ID, written as iss",
		FreeForm:           true,
		FreeFormPrivileged: true,
		Claims: []Claim{
			{Name: "iss", Type: String, Key: true, Required: true,
				Limits: Limits{MaxLen: 36, Chars: NewCharset("hexadecimal digits and -", "0-9abcdefABCDEF-", false)}, Doc: "the App ID"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "identity", Type: Object, Required: true, Privileged: true, Doc: "the user's aliases"},
			{Name: "identity.external_id", Type: String, User: true, Required: true, Limits: Limits{MaxLen: 128, Chars: printable},
				Doc: "your user id, the one OneSignal.login names"},
			{Name: "subscriptions", Type: JSON, Privileged: true, Normalize: onesignalSubscriptions,
				Doc: `email and SMS subscriptions to add: [{"type":"Email","token":"{http.auth.user.email}"}]; empty tokens are dropped`},
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Finish:   onesignalFinish,
		Envelope: Envelope{Token: TokenJSON("jwt")},
	})
}
