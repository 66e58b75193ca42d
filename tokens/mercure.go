package tokens

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Mercure hub token (Sources below): the stable v0.24.2 authorization.go for
// 0.x; for 1.0, the hub's authorization docs ("Mercure authorization with
// OAuth 2.0 access tokens"), UPGRADE.md and
// authorizationclaims_deprecated.go on its main branch, an alpha whose
// drafts have changed the entries' spelling and the cookie's name.
//
// Profile 0.x (the default; every released hub): HS256 or RS*/ES* per the
// hub's publisher_jwt/subscriber_jwt, claims mercure.publish and
// mercure.subscribe (topic selectors, URI templates such as
// https://example.com/books/{id}), mercure.payload (any JSON) and exp;
// the token travels as Authorization: Bearer, the mercureAuthorization
// cookie or the authorization query parameter.
//
// Profile 1.0 (alpha): an RFC 9068 access token: header typ "at+jwt"; iss
// (one of the hub's trusted issuers) and aud (the hub's resource
// identifier) required; sub, client_id, iat and jti as RFC 9068 asks; and
// authorization_details entries {"type": "https://mercure.rocks/authorization-detail",
// "actions": [...], "topics": [{"match", "match_type": "exact"|"urlpattern"}],
// "payload"?} in place of the mercure claim. Finish builds those entries
// from mercure.publish and mercure.subscribe as exact matches (and
// mercure.payload for the subscribe entry), after any entries the config
// writes itself in authorization_details (the way to grant urlpattern
// matches), and drops the mercure claim. The token travels as
// Authorization: Bearer or the __Secure-mercure_access_token cookie.
//
// Per profile: 1.0 sets the header's typ "at+jwt" (an option's header
// fields), and requires iss and aud (Check refuses a config without them
// when it loads; Finish refuses a request whose placeholder rendered one
// empty, 400). jti appears in 0.x tokens too (a generated claim cannot be
// unset per option); 0.x hubs ignore it.
//
// Choices: exp default 1h (limits 1m..30d); iat in both profiles;
// client_id defaults to iss under 1.0 (the docs' example has them equal).

//go:embed guides/mercure.md
var mercureGuide string

const mercureDetailType = "https://mercure.rocks/authorization-detail"

// mercureDetails checks a configured authorization_details: a JSON array
// of objects.
func mercureDetails(v Value) (Value, string) {
	const reason = "must be a JSON array of authorization detail objects"
	var entries []map[string]json.RawMessage
	text := strings.TrimSpace(v.Str)
	if v.Kind == List || !strings.HasPrefix(text, "[") || json.Unmarshal([]byte(text), &entries) != nil {
		return v, reason
	}
	for _, e := range entries {
		if e == nil {
			return v, reason
		}
	}
	return v, ""
}

func mercureFinish(m *Mint) *Error {
	if m.Option("profile") != "1.0" {
		return nil
	}
	for _, name := range []string{"iss", "aud"} {
		if _, ok := m.Get(name); !ok {
			// Configured (Check), but a placeholder rendered empty.
			return Invalid(name, "", "is required by the 1.0 profile and rendered empty")
		}
	}
	if _, ok := m.Get("client_id"); !ok {
		iss, _ := m.Get("iss")
		if err := m.Set("client_id", iss); err != nil {
			return err
		}
	}

	details := []byte{'['}
	if v, ok := m.Get("authorization_details"); ok {
		// Compact JSON text of an array, checked by mercureDetails: keep
		// its entries.
		details = append(details, v.Str[1:len(v.Str)-1]...)
	}
	payload, hasPayload := m.Get("mercure.payload")
	for _, action := range [...]string{"publish", "subscribe"} {
		topics, ok := m.Get("mercure." + action)
		m.Unset("mercure." + action)
		if !ok || len(topics.List) == 0 {
			continue
		}
		if len(details) > 1 {
			details = append(details, ',')
		}
		details = append(details, `{"type":"`+mercureDetailType+`","actions":["`+action+`"],"topics":[`...)
		for i, topic := range topics.List {
			if i > 0 {
				details = append(details, ',')
			}
			details = append(details, `{"match":`...)
			details = appendString(details, topic)
			details = append(details, `,"match_type":"exact"}`...)
		}
		details = append(details, ']')
		if action == "subscribe" && hasPayload {
			details = append(append(details, `,"payload":`...), payload.Str...)
		}
		details = append(details, '}')
	}
	m.Unset("mercure.payload")
	if len(details) == 1 {
		m.Unset("authorization_details") // no grant at all: a hub accepts it, and grants nothing
		return nil
	}
	return m.Set("authorization_details", Value{Kind: Raw, Str: string(append(details, ']'))})
}

func init() {
	topics := Limits{MaxLen: 2048, Chars: printable}
	Register(&Preset{
		Name:    "mercure",
		Summary: "Mercure hub token (option profile 0.x or 1.0; a hub's publisher or subscriber JWT)",
		Guide:   mercureGuide,
		Sources: []string{
			"https://github.com/dunglas/mercure/blob/v0.24.2/authorization.go",
			"https://github.com/dunglas/mercure/blob/main/docs/concepts/authorization.md",
			"https://github.com/dunglas/mercure/blob/main/docs/UPGRADE.md",
			"https://github.com/dunglas/mercure/blob/main/authorizationclaims_deprecated.go",
		},
		Algorithms: []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"},
		Claims: []Claim{
			{Name: "iss", Type: String, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "1.0: required, one of the hub's trusted issuers"},
			{Name: "sub", Type: String, User: true, Limits: Limits{MaxLen: 2048, Chars: printable}},
			{Name: "client_id", Type: String, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "1.0: default the iss"},
			{Name: "aud", Type: Strings, Limits: Limits{MaxLen: 2048, Chars: printable},
				Doc: "1.0: required, the hub's resource identifier (its public URL)"},
			{Name: "mercure.publish", Type: Strings, Privileged: true, Limits: topics,
				Doc: "topic selectors the token may publish to (* for all); 1.0: exact matches"},
			{Name: "mercure.subscribe", Type: Strings, Privileged: true, Limits: topics,
				Doc: `topic selectors of private updates the token may receive; escape URI template braces: \{id\}`},
			{Name: "mercure.payload", Type: JSON, Doc: "any JSON, shown in subscription events"},
			{Name: "authorization_details", Type: JSON, Privileged: true, Normalize: mercureDetails,
				Doc: "1.0: entries of your own (urlpattern matches), before those built from mercure.*"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "jti", Type: String, Gen: GenUUID},
		},
		Options: []Option{{Name: "profile", Default: "0.x", Enum: []string{"0.x", "1.0"},
			Doc:    "0.x: the mercure claim (released hubs); 1.0: RFC 9068 access token (typ at+jwt) with authorization_details (also set iss and aud)",
			Header: map[string][]HeaderField{"1.0": {{Name: "typ", Value: `"at+jwt"`}}}}},
		Finish: mercureFinish,
		Check: func(c *Compiled) error {
			if c.Option("profile") != "1.0" {
				return nil
			}
			for _, name := range []string{"iss", "aud"} {
				if !c.Sets(name) {
					return fmt.Errorf("profile 1.0 needs `claim %s <value>`", name)
				}
			}
			return nil
		},
		TTL:      TTL{Default: time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Envelope: Envelope{Token: TokenJSON("token")},
	})
}
