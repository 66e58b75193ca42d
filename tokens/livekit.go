package tokens

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// LiveKit access token (Sources below). livekit/protocol's accesstoken.go:
// HS256 with the API secret; iss the API key, sub the identity, nbf, iat and
// exp; 6h when no validity is set. Its grants.go: the JSON names and types
// used here; canPublish, canSubscribe and canPublishData unset mean granted.
// LiveKit's token endpoint docs: the standard endpoint that the client SDKs'
// TokenSource.endpoint calls, POST {room_name, participant_identity,
// participant_name, participant_metadata, participant_attributes,
// room_config}, answer 201 {server_url, participant_token}, "return a 4xx
// for fields the client may not set".
//
// Our choices, where the sources leave room:
//   - video.roomJoin defaults to true when the token names a room: the
//     endpoint exists to join rooms, and LiveKit's own samples always set
//     roomJoin with room. (The Go SDK sets no grant by itself.) A config that
//     sets roomJoin, false included, keeps its value.
//   - Every grant that gives a right beyond joining (publish, subscribe,
//     hidden, recorder, admin, room config, ...) is config only; a request
//     may choose only among allowed values. room_config is refused with 403
//     unless it repeats the configured one or is among allow roomConfig's
//     values (compared as compact JSON).
//   - Request fields that the contract does not name are ignored: LiveKit's
//     text asks for a 4xx only for fields "the client may not set", and
//     unknown fields set nothing.
//   - attributes must be an object of strings (ClaimGrants.Attributes is a
//     map[string]string: anything else makes LiveKit refuse the token).
//   - The ttl's limits (1m..30d) are ours; LiveKit sets none.

//go:embed guides/livekit.md
var livekitGuide string

var livekitEnvelope = Envelope{
	Status: http.StatusCreated,
	Token: func(dst []byte, t *Minted) []byte {
		dst = append(dst, `{"server_url":`...)
		dst = appendString(dst, t.Option("server_url"))
		dst = append(dst, `,"participant_token":`...)
		dst = appendString(dst, t.Token)
		return append(dst, '}')
	},
}

// livekitStringMap accepts a JSON object whose values are all strings.
func livekitStringMap(v Value) (Value, string) {
	if v.Kind == List {
		return v, "must be a JSON object of strings"
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(strings.TrimSpace(v.Str)), &m); err != nil || m == nil {
		return v, "must be a JSON object of strings"
	}
	return v, ""
}

// livekitFinish joins the named room by default, and refuses a join token
// without an identity, which LiveKit requires.
func livekitFinish(m *Mint) *Error {
	if _, room := m.Get("video.room"); room {
		if _, set := m.Get("video.roomJoin"); !set {
			if err := m.Set("video.roomJoin", S("true")); err != nil {
				return err
			}
		}
	}
	if join, ok := m.Get("video.roomJoin"); ok && join.Str == "true" {
		if sub, ok := m.Get("sub"); !ok || sub.Str == "" {
			param := ""
			if m.in.Contract {
				param = "participant_identity"
			}
			return Invalid("sub", param, "is required to join a room")
		}
	}
	return nil
}

func init() {
	grant := func(name, doc string) Claim {
		return Claim{Name: "video." + name, Type: Bool, Privileged: true, Doc: doc}
	}
	Register(&Preset{
		Name:    "livekit",
		Summary: "LiveKit access token, answered as the standard token endpoint (201 {server_url, participant_token})",
		Guide:   livekitGuide,
		Sources: []string{
			"https://docs.livekit.io/frontends/build/authentication/endpoint",
			"https://github.com/livekit/protocol/blob/v1.54.0/auth/accesstoken.go",
			"https://github.com/livekit/protocol/blob/v1.54.0/auth/grants.go",
		},
		Claims: []Claim{
			{Name: "iss", Type: String, Key: true, Required: true, Doc: "the API key"},
			{Name: "sub", Type: String, User: true, Param: []string{"participant_identity"},
				Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "the participant identity (required to join a room)"},
			{Name: "nbf", Type: Time, Gen: GenNotBefore},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "name", Type: String, Param: []string{"participant_name"},
				Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "the display name"},
			{Name: "kind", Type: String, Privileged: true,
				Limits: Limits{Enum: []string{"standard", "ingress", "egress", "sip", "agent", "connector", "bridge"}},
				Doc:    "the participant kind"},
			{Name: "metadata", Type: String, Param: []string{"participant_metadata"}, Doc: "participant metadata (text)"},
			{Name: "attributes", Type: Object, Param: []string{"participant_attributes"}, Normalize: livekitStringMap,
				Doc: "participant attributes: an object of strings"},
			{Name: "video.room", Type: String, Param: []string{"room_name"},
				Limits: Limits{MaxLen: 256, Chars: printable}, Doc: "the room to join"},
			{Name: "video.roomJoin", Type: Bool, Privileged: true, Doc: "join the room; default: true when video.room is set"},
			grant("canPublish", "publish tracks; LiveKit's default when unset: granted"),
			grant("canSubscribe", "subscribe to tracks; LiveKit's default when unset: granted"),
			grant("canPublishData", "publish data; LiveKit's default when unset: canPublish"),
			{Name: "video.canPublishSources", Type: Strings, Privileged: true,
				Limits: Limits{Enum: []string{"camera", "microphone", "screen_share", "screen_share_audio"}, MaxItems: 4},
				Doc:    "the only track sources the participant may publish"},
			grant("canUpdateOwnMetadata", "update its own name, metadata and attributes"),
			grant("hidden", "invisible to other participants"),
			grant("recorder", "marked as a recorder"),
			grant("roomAdmin", "administer the room"),
			grant("roomCreate", "create and delete rooms"),
			grant("roomList", "list rooms"),
			grant("roomRecord", "record rooms (egress)"),
			grant("agent", "register as an agent worker"),
			{Name: "roomConfig", Type: Object, Privileged: true, Param: []string{"room_config"},
				Doc: "the room configuration (agent dispatch, ...), as LiveKit's RoomConfiguration JSON"},
		},
		TTL:    TTL{Default: 6 * time.Hour, Min: time.Minute, Max: 30 * 24 * time.Hour},
		Finish: livekitFinish,
		Options: []Option{
			{Name: "server_url", Required: true,
				Doc: "the LiveKit server URL the client connects to (wss://…), answered as server_url"},
		},
		Envelope: livekitEnvelope,
	})
}
