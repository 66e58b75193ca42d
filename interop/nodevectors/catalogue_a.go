package main

import (
	"time"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// Catalogue II, part A: mux, knock, vonage, vonage_video and pusher_beams
// are rebuilt by their SDKs (node/<preset>.test.mjs); the others, which
// have no SDK that makes or checks tokens, are verified with jose and
// their claim schema.

const (
	muxKID          = "sb9R00iH5Q5KagedjCsj02a0202Ri02WI7eUPaXearRBLuok"
	muxPlayback     = "Tkgk5LC6an93zK1sDdaPkebJAdx0001E2A00kY1hXzDQ4g"
	vonageApp       = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
	vonageSession   = "1_MX4xMjM0NTY3OH5-MTc2NDAwMDAwMDAwMH5hYmNkZWZ-fg"
	beamsInstance   = "8f9a6e22-2483-49aa-8552-125f1a4c5781"
	knockTenantURI  = "https://api.knock.app/v1/objects/$tenants/acme"
	cfKID           = "f6bce2bad0a24b4b92a0c1a0f0c6f8de"
	cfVideo         = "ea95132c15732412d22c1476fa83f27a"
	tableauClient   = "2bd3d4b5-1c7e-4d7a-9f0e-0a1b2c3d4e5f"
	tableauSecretID = "9f1b7c2e-5a4d-4e3f-8b2a-1c0d9e8f7a6b"
	appleTeam       = "ABCDE12345"
	appleKID        = "KEY1234567"
	zendeskKID      = "app_64d3b7c1a2e9f0001a2b3c4d"
)

type in = map[string]any

func init() {
	makers = append(makers, func(e *env) ([]Vector, error) {
		type job struct {
			preset, name string
			cfg          tokens.Config
			user         string
			b            body
			input        in
		}
		acl := `{"paths":{"/*/users/**":{},"/*/conversations/**":{},"/*/sessions/**":{"methods":["GET"]}}}`
		jobs := []job{
			// SDK rebuilds.
			{"mux", "video", tokens.Config{Key: muxKID, Signer: e.rsa, Claims: map[string][]string{"sub": {muxPlayback}}}, "alice", nil,
				in{"playbackId": muxPlayback, "keyId": muxKID, "type": "video", "expiration": 3600}},
			{"mux", "thumbnail with params", tokens.Config{Key: muxKID, Signer: e.rsa, TTL: 10 * time.Minute,
				Options: map[string]string{"type": "thumbnail"}, Claims: map[string][]string{"sub": {muxPlayback}}}, "alice",
				body{"time": tokens.S("14.5"), "width": tokens.S("320")},
				in{"playbackId": muxPlayback, "keyId": muxKID, "type": "thumbnail", "expiration": 600, "params": in{"time": 14.5, "width": 320}}},
			{"mux", "storyboard, 1 day", tokens.Config{Key: muxKID, Signer: e.rsa, TTL: 24 * time.Hour,
				Options: map[string]string{"type": "storyboard"}, Claims: map[string][]string{"sub": {muxPlayback}}}, "alice", nil,
				in{"playbackId": muxPlayback, "keyId": muxKID, "type": "storyboard", "expiration": "1d"}},
			{"knock", "no grants", tokens.Config{Signer: e.rsa}, "user_123", nil,
				in{"userId": "user_123", "expiresInSeconds": 3600}},
			{"knock", "a tenant grant, 15 minutes", tokens.Config{Signer: e.rsa, TTL: 15 * time.Minute,
				Claims: map[string][]string{"grants": {`{"` + knockTenantURI + `":{"slack/channels_read":[],"channel_data/read":[]}}`}}}, "user_123", nil,
				in{"userId": "user_123", "expiresInSeconds": 900,
					"grants": []in{{"type": "tenant", "id": "acme", "grants": []string{"slack/channels_read", "channel_data/read"}}}}},
			{"vonage", "a Client SDK user", tokens.Config{Key: vonageApp, Signer: e.rsa, Claims: map[string][]string{"acl": {acl}}}, "alice", nil,
				in{"applicationId": vonageApp, "sub": "alice", "acl": rawJSON(acl), "ttl": 900}},
			{"vonage_video", "publisher, the user as data", tokens.Config{Key: vonageApp, Signer: e.rsa,
				Claims: map[string][]string{"session_id": {vonageSession}}}, "alice", nil,
				in{"applicationId": vonageApp, "sessionId": vonageSession, "options": in{"data": "alice"}}},
			{"vonage_video", "subscriber, layout classes, 1 hour", tokens.Config{Key: vonageApp, Signer: e.rsa, TTL: time.Hour,
				Claims: map[string][]string{"session_id": {vonageSession}, "initial_layout_class_list": {"focus full"}},
				Allow:  map[string][]string{"role": {"subscriber"}}}, "alice", body{"role": tokens.S("subscriber")},
				in{"applicationId": vonageApp, "sessionId": vonageSession,
					"options": in{"role": "subscriber", "data": "alice", "initialLayoutClassList": []string{"focus", "full"}, "expireTime": now.Unix() + 3600}}},
			{"pusher_beams", "user-001", tokens.Config{Key: beamsInstance}, "user-001", body{"user_id": tokens.S("user-001")},
				in{"instanceId": beamsInstance, "userId": "user-001"}},

			// Verified with jose and the claim schema.
			{"cloudflare_stream", "access rules", tokens.Config{Key: cfKID, Signer: e.rsa, Claims: map[string][]string{"sub": {cfVideo},
				"accessRules": {`[{"type":"ip.geoip.country","action":"allow","country":["GB"]},{"type":"any","action":"block"}]`}}}, "alice", nil,
				in{"kid": cfKID, "sub": cfVideo}},
			{"tableau", "embed scopes", tokens.Config{Key: tableauClient, Header: map[string]string{"kid": tableauSecretID},
				Claims: map[string][]string{"scp": {"tableau:views:embed", "tableau:insights:embed"}}}, "alice@example.com", nil,
				in{"clientId": tableauClient, "secretId": tableauSecretID, "sub": "alice@example.com"}},
			{"intercom", "signed email", tokens.Config{Claims: map[string][]string{"email": {"alice@example.com"}}}, "u_1001", nil,
				in{"user_id": "u_1001", "email": "alice@example.com"}},
			{"tiptap", "own documents", tokens.Config{Claims: map[string][]string{"allowedDocumentNames": {"org-42/*"},
				"readonlyDocumentNames": {"org-42/handbook"}}}, "user_1", nil,
				in{"sub": "user_1", "allowedDocumentNames": []string{"org-42/*"}}},
			{"mapkit", "an origin", tokens.Config{Key: appleTeam, Signer: e.ec, Header: map[string]string{"kid": appleKID},
				Claims: map[string][]string{"origin": {"https://maps.example.com"}}}, "alice", nil,
				in{"iss": appleTeam, "kid": appleKID, "origin": "https://maps.example.com"}},
			{"weatherkit", "a service", tokens.Config{Key: appleTeam + ".com.example.weatherkit-client", Signer: e.ec,
				Header: map[string]string{"kid": appleKID}}, "alice", nil,
				in{"iss": appleTeam, "kid": appleKID, "sub": "com.example.weatherkit-client"}},
			{"zendesk", "verified email", tokens.Config{Header: map[string]string{"kid": zendeskKID},
				Claims: map[string][]string{"email": {"alice@example.com"}, "email_verified": {"true"}}}, "u_1001", nil,
				in{"kid": zendeskKID, "external_id": "u_1001"}},
		}
		var out []Vector
		for _, j := range jobs {
			v, err := mint(j.preset, j.name, j.cfg, j.user, j.b, j.input)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	})
}
