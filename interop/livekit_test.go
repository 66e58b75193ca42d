package interop

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

const (
	lkKey    = "APIMmxiL8rquKztZEoZJV9Fb"
	lkSecret = "livekit-interop-secret-0123456789abcdef"
)

var lkOptions = map[string]string{"server_url": "wss://example.livekit.cloud"}

// TestLiveKitVerifies mints through the standard token endpoint's body and
// has livekit/protocol's own verifier (auth.ParseAPIToken, Verify, the code
// the LiveKit server runs) read the grants back.
func TestLiveKitVerifies(t *testing.T) {
	cfg := tokens.Config{Key: lkKey, Options: lkOptions, Claims: map[string][]string{
		"video.canPublish": {"true"}, "video.canSubscribe": {"true"}, "video.canPublishData": {"false"},
		"video.canPublishSources": {"camera", "microphone"}, "kind": {"agent"},
		"roomConfig": {`{"agents":[{"agentName":"support","metadata":"m"}]}`},
	}}
	m := mint(t, "livekit", lkSecret, cfg, time.Now(), "alice", body{
		"room_name":              tokens.S("myroom"),
		"participant_identity":   tokens.S("alice"),
		"participant_name":       tokens.S("Alice <A&B>"),
		"participant_metadata":   tokens.S(`{"role":"speaker"}`),
		"participant_attributes": raw(`{"team":"blue","seat":"12"}`),
		"room_config":            raw(`{"agents":[{"agentName":"support","metadata":"m"}]}`),
	})

	v, err := auth.ParseAPIToken(m.Token)
	if err != nil {
		t.Fatalf("ParseAPIToken: %v", err)
	}
	if v.APIKey() != lkKey || v.Identity() != "alice" {
		t.Errorf("APIKey, Identity = %q, %q; want %q, alice", v.APIKey(), v.Identity(), lkKey)
	}
	rc, g, err := v.Verify(lkSecret)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rc.Issuer != lkKey || rc.Subject != "alice" || rc.ExpiresAt.Sub(rc.IssuedAt.Time) != 6*time.Hour ||
		!rc.NotBefore.Equal(rc.IssuedAt.Time) {
		t.Errorf("registered claims = %+v, want iss the key, sub alice, nbf = iat, exp 6h on", rc)
	}
	if g.Identity != "alice" || g.Name != "Alice <A&B>" || g.Metadata != `{"role":"speaker"}` ||
		!maps.Equal(g.Attributes, map[string]string{"team": "blue", "seat": "12"}) ||
		g.GetParticipantKind() != livekit.ParticipantInfo_AGENT {
		t.Errorf("grants = identity %q, name %q, metadata %q, attributes %v, kind %q", g.Identity, g.Name, g.Metadata, g.Attributes, g.Kind)
	}
	vg := g.Video
	if vg == nil {
		t.Fatal("no video grant")
	}
	if vg.Room != "myroom" || !vg.RoomJoin || !vg.GetCanPublish() || !vg.GetCanSubscribe() || vg.GetCanPublishData() ||
		vg.RoomAdmin || vg.RoomCreate || vg.Hidden || vg.Recorder || vg.Agent {
		t.Errorf("video grant = %+v", vg)
	}
	if got, want := vg.GetCanPublishSources(), []livekit.TrackSource{livekit.TrackSource_CAMERA, livekit.TrackSource_MICROPHONE}; !slices.Equal(got, want) {
		t.Errorf("canPublishSources = %v, want %v", got, want)
	}
	if !vg.GetCanPublishSource(livekit.TrackSource_CAMERA) || vg.GetCanPublishSource(livekit.TrackSource_SCREEN_SHARE) {
		t.Error("GetCanPublishSource: want camera only among camera and screen_share")
	}
	agents := g.GetRoomConfiguration().GetAgents()
	if len(agents) != 1 || agents[0].GetAgentName() != "support" || agents[0].GetMetadata() != "m" {
		t.Errorf("roomConfig agents = %v, want one agent support with metadata m", agents)
	}
}

// TestLiveKitDefaultGrants: without configured rights, LiveKit reads the
// token as the Go SDK's defaults say: join the named room, publish and
// subscribe granted (unset), no admin rights.
func TestLiveKitDefaultGrants(t *testing.T) {
	m := mint(t, "livekit", lkSecret, tokens.Config{Key: lkKey, Options: lkOptions}, time.Now(), "bob", body{"room_name": tokens.S("lobby")})
	v, err := auth.ParseAPIToken(m.Token)
	if err != nil {
		t.Fatal(err)
	}
	_, g, err := v.Verify(lkSecret)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	vg := g.Video
	if g.Identity != "bob" || vg == nil || vg.Room != "lobby" || !vg.RoomJoin || !vg.GetCanPublish() || !vg.GetCanSubscribe() ||
		!vg.GetCanPublishData() || vg.GetCanUpdateOwnMetadata() || vg.RoomAdmin || vg.Hidden {
		t.Errorf("identity %q, video grant %+v", g.Identity, vg)
	}
	if g.Name != "" || g.Metadata != "" || g.Attributes != nil || g.RoomConfig != nil {
		t.Errorf("grants = %+v, want no name, metadata, attributes or room config", g)
	}
}

// TestLiveKitRefusesWrongSecret: the verifier must not accept our token
// under another secret, nor a token whose payload was changed.
func TestLiveKitRefusesWrongSecret(t *testing.T) {
	m := mint(t, "livekit", lkSecret, tokens.Config{Key: lkKey, Options: lkOptions}, time.Now(), "alice", body{"room_name": tokens.S("r")})
	v, err := auth.ParseAPIToken(m.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Verify("another-secret-0123456789abcdef"); !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		t.Errorf("Verify with another secret: %v, want a signature error", err)
	}
	expired := mint(t, "livekit", lkSecret, tokens.Config{Key: lkKey, Options: lkOptions, TTL: time.Minute},
		time.Now().Add(-time.Hour), "alice", body{"room_name": tokens.S("r")})
	v, err = auth.ParseAPIToken(expired.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Verify(lkSecret); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("Verify of a token expired 59 minutes ago: %v, want expired", err)
	}
}

// TestLiveKitMatchesGoSDK builds the same token with the Go SDK's
// AccessToken and compares the payloads member by member. Times differ by
// when each was made; they are compared as durations. The SDK also writes
// the identity as "identity" beside sub; LiveKit reads sub (Verify
// overwrites Identity with it), so ours carries sub only.
func TestLiveKitMatchesGoSDK(t *testing.T) {
	rc := &livekit.RoomConfiguration{Agents: []*livekit.RoomAgentDispatch{{AgentName: "support"}}}
	vg := &auth.VideoGrant{RoomJoin: true, Room: "myroom", CanPublishSources: []string{"camera"}}
	vg.SetCanPublish(true)
	vg.SetCanSubscribe(false)
	sdk, err := auth.NewAccessToken(lkKey, lkSecret).
		SetIdentity("alice").SetName("Alice").SetMetadata("meta").
		SetAttributes(map[string]string{"team": "blue"}).
		SetVideoGrant(vg).SetRoomConfig(rc).
		SetValidFor(2 * time.Hour).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	cfg := tokens.Config{Key: lkKey, Options: lkOptions, TTL: 2 * time.Hour, Claims: map[string][]string{
		"video.canPublish": {"true"}, "video.canSubscribe": {"false"}, "video.canPublishSources": {"camera"},
		"roomConfig": {`{"agents":[{"agentName":"support"}]}`},
	}}
	ours := mint(t, "livekit", lkSecret, cfg, time.Now(), "alice", body{
		"room_name": tokens.S("myroom"), "participant_name": tokens.S("Alice"), "participant_metadata": tokens.S("meta"),
		"participant_attributes": raw(`{"team":"blue"}`),
	})

	sh, sp := segments(t, sdk)
	oh, op := segments(t, ours.Token)
	if !reflect.DeepEqual(sh, oh) {
		t.Errorf("header: SDK %v, ours %v", sh, oh)
	}
	for _, p := range []map[string]any{sp, op} {
		iat := p["iat"].(float64)
		if p["nbf"] != iat || p["exp"].(float64)-iat != 7200 {
			t.Errorf("times %v %v %v: want nbf = iat, exp = iat + 7200", p["iat"], p["nbf"], p["exp"])
		}
		delete(p, "iat")
		delete(p, "nbf")
		delete(p, "exp")
	}
	if sp["identity"] != "alice" {
		t.Errorf("the SDK's identity = %v, want alice", sp["identity"])
	}
	delete(sp, "identity")
	if !reflect.DeepEqual(sp, op) {
		t.Errorf("payload:\n SDK  %s\n ours %s", toJSON(sp), toJSON(op))
	}
}
