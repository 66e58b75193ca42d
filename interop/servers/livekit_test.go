//go:build linux

package servers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/livekit/protocol/livekit"
	"github.com/twitchtv/twirp"
	"google.golang.org/protobuf/proto"
)

const lkKey = "APIinteropKey01"

// TestLiveKit has a real LiveKit server accept tokenmint's livekit tokens:
// a participant token from the standard token endpoint joins a room over
// /rtc, and the JoinResponse carries the identity, name, metadata,
// attributes, kind, permissions and room configuration it was minted
// with; admin tokens call RoomService. The server refuses a wrong secret,
// an unknown key, an expired token, a participant token at RoomService,
// an admin token for another room and a token without roomJoin at /rtc.
func TestLiveKit(t *testing.T) {
	bin := serverBinary(t, "livekit-server", livekitMain, livekitVersion)
	dir := t.TempDir()
	secret := randomSecret(t)
	port := freePort(t)
	lkHTTP := "http://127.0.0.1:" + itoa(port)
	lkWS := "ws://127.0.0.1:" + itoa(port)

	// Room configurations a client may pick, as files (a privileged claim:
	// the request may only repeat one of these).
	writeFile(t, dir, "standup.json", `{"maxParticipants": 7, "emptyTimeout": 120, "departureTimeout": 9, "metadata": "{\"topic\":\"standup\"}"}`)
	writeFile(t, dir, "planning.json", `{"maxParticipants": 3}`)

	lkRoute := func(secretVar, key, extra string) string {
		return `provider_token livekit {
			key    ` + key + `
			secret {env.` + secretVar + `}
			option server_url ` + lkWS + `
` + extra + `
		}`
	}
	tm := startTokenmint(t, dir, []string{"LIVEKIT_SECRET=" + secret, "OTHER_SECRET=" + randomSecret(t)}, false, `
http://127.0.0.1:{HTTP_PORT} {
	`+basicAuth(t, "")+`
	handle /livekit/token {
		`+lkRoute("LIVEKIT_SECRET", lkKey, `
			claim video.canPublishSources camera microphone
			claim video.canPublishData false
			claim video.canUpdateOwnMetadata true
			claim kind agent
			allow roomConfig {file.`+dir+`/standup.json} {file.`+dir+`/planning.json}`)+`
	}
	handle /livekit/admin {
		`+lkRoute("LIVEKIT_SECRET", lkKey, `
			claim video.room standup
			claim video.roomJoin false
			claim video.roomAdmin true
			claim video.roomList true
			claim video.roomCreate true`)+`
	}
	handle /livekit/wrong-secret {
		`+lkRoute("OTHER_SECRET", lkKey, "")+`
	}
	handle /livekit/unknown-key {
		`+lkRoute("LIVEKIT_SECRET", "APIunknownKey99", "")+`
	}
}
`)

	// LiveKit in single-node mode (no Redis), signalling on loopback only;
	// no ICE over TCP, and ICE over UDP only on the loopback interface
	// (the suite never sends media).
	config := `port: ` + itoa(port) + `
bind_addresses: ["127.0.0.1"]
rtc:
  tcp_port: 0
  node_ip: 127.0.0.1
  use_external_ip: false
  enable_loopback_candidate: true
  interfaces:
    includes: ["lo"]
  ips:
    includes: ["127.0.0.0/8"]
keys:
  ` + lkKey + `: ` + secret + `
logging:
  level: info
`
	lk := start(t, "livekit-server", dir, bin, nil, "--config", writeFile(t, dir, "livekit.yaml", config))
	lk.waitReady(t, httpReady(http.DefaultClient, lkHTTP+"/", 200))
	rooms := livekit.NewRoomServiceProtobufClient(lkHTTP, &http.Client{Timeout: 30 * time.Second})

	standup := `{"maxParticipants": 7, "emptyTimeout": 120, "departureTimeout": 9, "metadata": "{\"topic\":\"standup\"}"}`
	join := func(t *testing.T, user, room, roomConfig string) string {
		t.Helper()
		body := `{"room_name":"` + room + `","participant_identity":"` + user + `","participant_name":"Alice <A&B>",` +
			`"participant_metadata":"{\"role\":\"speaker\"}","participant_attributes":{"team":"blue","seat":"12"}`
		if roomConfig != "" {
			body += `,"room_config":` + roomConfig
		}
		status, b := tm.call(t, nil, user, "POST", "/livekit/token", body+"}")
		var answer struct {
			ServerURL string `json:"server_url"`
			Token     string `json:"participant_token"`
		}
		if status != 201 || json.Unmarshal(b, &answer) != nil || answer.ServerURL != lkWS || answer.Token == "" {
			t.Fatalf("token endpoint: %d %s, want 201 with server_url %s", status, b, lkWS)
		}
		return answer.Token
	}
	admin := func(t *testing.T) string { return tm.token(t, "alice", "/livekit/admin", "", 201, "participant_token") }

	t.Run("participant joins over /rtc", func(t *testing.T) {
		res, ws := rtcJoin(t, lkWS, join(t, "alice", "standup", standup))
		defer ws.CloseNow()
		room, p := res.GetRoom(), res.GetParticipant()
		if room.GetName() != "standup" || room.GetMaxParticipants() != 7 || room.GetEmptyTimeout() != 120 ||
			room.GetDepartureTimeout() != 9 || room.GetMetadata() != `{"topic":"standup"}` {
			t.Errorf("room = %v; want standup with the token's room configuration", room)
		}
		if p.GetIdentity() != "alice" || p.GetName() != "Alice <A&B>" || p.GetMetadata() != `{"role":"speaker"}` ||
			!maps.Equal(p.GetAttributes(), map[string]string{"team": "blue", "seat": "12"}) ||
			p.GetKind() != livekit.ParticipantInfo_AGENT {
			t.Errorf("participant = identity %q, name %q, metadata %q, attributes %v, kind %v",
				p.GetIdentity(), p.GetName(), p.GetMetadata(), p.GetAttributes(), p.GetKind())
		}
		perm := p.GetPermission()
		if !perm.GetCanPublish() || !perm.GetCanSubscribe() || perm.GetCanPublishData() || !perm.GetCanUpdateMetadata() ||
			perm.GetHidden() ||
			!slices.Equal(perm.GetCanPublishSources(), []livekit.TrackSource{livekit.TrackSource_CAMERA, livekit.TrackSource_MICROPHONE}) {
			t.Errorf("permission = %v; want publish (camera, microphone), subscribe, update metadata, no data", perm)
		}

		// An admin token sees her in the room, as the server knows her.
		ctx := bearer(t, admin(t))
		list, err := rooms.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: "standup"})
		if err != nil {
			t.Fatalf("ListParticipants: %v", err)
		}
		if len(list.GetParticipants()) != 1 || list.GetParticipants()[0].GetIdentity() != "alice" ||
			list.GetParticipants()[0].GetMetadata() != `{"role":"speaker"}` {
			t.Errorf("ListParticipants = %v, want alice", list.GetParticipants())
		}
		all, err := rooms.ListRooms(ctx, &livekit.ListRoomsRequest{})
		if err != nil {
			t.Fatalf("ListRooms: %v", err)
		}
		if i := slices.IndexFunc(all.GetRooms(), func(r *livekit.Room) bool { return r.GetName() == "standup" }); i < 0 ||
			all.GetRooms()[i].GetMetadata() != `{"topic":"standup"}` {
			t.Errorf("ListRooms = %v, want standup with its metadata", all.GetRooms())
		}
	})

	t.Run("admin token creates and lists rooms", func(t *testing.T) {
		ctx := bearer(t, admin(t))
		created, err := rooms.CreateRoom(ctx, &livekit.CreateRoomRequest{Name: "retro", MaxParticipants: 4, Metadata: "m"})
		if err != nil {
			t.Fatalf("CreateRoom: %v", err)
		}
		if created.GetName() != "retro" || created.GetMaxParticipants() != 4 || created.GetSid() == "" {
			t.Errorf("CreateRoom = %v", created)
		}
		all, err := rooms.ListRooms(ctx, &livekit.ListRoomsRequest{Names: []string{"retro"}})
		if err != nil || len(all.GetRooms()) != 1 || all.GetRooms()[0].GetSid() != created.GetSid() {
			t.Errorf("ListRooms(retro) = %v, %v; want the created room", all.GetRooms(), err)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		good := join(t, "alice", "standup", "")
		if status, body := validate(t, lkHTTP, good); status != 200 {
			t.Fatalf("control: /rtc/validate with a good token: %d %s", status, body)
		}
		for _, tc := range []struct{ name, token string }{
			{"wrong secret", tm.token(t, "alice", "/livekit/wrong-secret", `{"room_name":"standup"}`, 201, "participant_token")},
			{"unknown API key", tm.token(t, "alice", "/livekit/unknown-key", `{"room_name":"standup"}`, 201, "participant_token")},
			{"expired", expired(t, good, secret)},
			{"admin token without roomJoin", admin(t)},
		} {
			t.Run("/rtc/validate, "+tc.name, func(t *testing.T) {
				if status, body := validate(t, lkHTTP, tc.token); status != 401 {
					t.Errorf("status %d %s, want 401", status, body)
				}
			})
		}

		adminCtx := bearer(t, admin(t))
		if _, err := rooms.ListParticipants(adminCtx, &livekit.ListParticipantsRequest{Room: "standup"}); err != nil {
			t.Fatalf("control: ListParticipants(standup) with the admin token: %v", err)
		}
		t.Run("admin token for another room", func(t *testing.T) {
			_, err := rooms.ListParticipants(adminCtx, &livekit.ListParticipantsRequest{Room: "retro"})
			wantTwirp(t, err, twirp.Unauthenticated)
		})
		participant := bearer(t, good)
		t.Run("participant token at RoomService", func(t *testing.T) {
			_, err := rooms.ListRooms(participant, &livekit.ListRoomsRequest{})
			wantTwirp(t, err, twirp.Unauthenticated)
			_, err = rooms.CreateRoom(participant, &livekit.CreateRoomRequest{Name: "sneaky"})
			wantTwirp(t, err, twirp.Unauthenticated)
			_, err = rooms.ListParticipants(participant, &livekit.ListParticipantsRequest{Room: "standup"})
			wantTwirp(t, err, twirp.Unauthenticated)
		})
		t.Run("expired admin token at RoomService", func(t *testing.T) {
			_, err := rooms.ListRooms(bearer(t, expired(t, admin(t), secret)), &livekit.ListRoomsRequest{})
			wantTwirp(t, err, twirp.Unauthenticated)
		})
		// tokenmint itself refuses another identity and an unlisted room
		// configuration.
		for _, body := range []string{
			`{"room_name":"standup","participant_identity":"bob"}`,
			`{"room_name":"standup","room_config":{"maxParticipants":1000}}`,
		} {
			if status, b := tm.call(t, nil, "alice", "POST", "/livekit/token", body); status != 403 || strings.Contains(string(b), "eyJ") {
				t.Errorf("POST %s: %d %s, want 403 without a token", body, status, b)
			}
		}
	})
}

// rtcJoin joins a room over LiveKit's /rtc WebSocket as a client SDK does
// and returns the JoinResponse; the connection stays open until the test
// closes it.
func rtcJoin(t *testing.T, lkWS, token string) (*livekit.JoinResponse, *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	q := url.Values{"access_token": {token}, "auto_subscribe": {"1"}, "sdk": {"go"}, "version": {"2.0.0"}, "protocol": {"16"}}
	ws, resp, err := websocket.Dial(ctx, lkWS+"/rtc?"+q.Encode(), nil)
	if err != nil {
		body := ""
		if resp != nil && resp.Body != nil {
			b, _ := io.ReadAll(resp.Body)
			body = string(b)
		}
		t.Fatalf("/rtc: %v %s", err, body)
	}
	t.Cleanup(func() { ws.CloseNow() })
	ws.SetReadLimit(1 << 20)
	for range 10 {
		typ, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("/rtc: reading the join response: %v", err)
		}
		if typ != websocket.MessageBinary {
			continue
		}
		var res livekit.SignalResponse
		if err := proto.Unmarshal(msg, &res); err != nil {
			t.Fatalf("/rtc: %v", err)
		}
		if join := res.GetJoin(); join != nil {
			return join, ws
		}
	}
	t.Fatal("/rtc: no join response among the first 10 messages")
	return nil, nil
}

// validate asks /rtc/validate whether token may join.
func validate(t *testing.T, lkHTTP, token string) (int, string) {
	t.Helper()
	resp, err := http.Get(lkHTTP + "/rtc/validate?access_token=" + url.QueryEscape(token))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// bearer is a context whose twirp calls carry the token.
func bearer(t *testing.T, token string) context.Context {
	t.Helper()
	ctx, err := twirp.WithHTTPRequestHeaders(context.Background(), http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func wantTwirp(t *testing.T, err error, code twirp.ErrorCode) {
	t.Helper()
	var te twirp.Error
	if !errors.As(err, &te) || te.Code() != code {
		t.Errorf("error %v, want twirp %s", err, code)
	}
}
