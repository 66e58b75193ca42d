package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	livekitKey = "APIMmxiL8rquKztZEoZJV9Fb"
	livekitURL = "wss://example.livekit.cloud"
)

func livekitConfig(cfg Config) Config {
	cfg.Key = livekitKey
	if cfg.Options == nil {
		cfg.Options = map[string]string{"server_url": livekitURL}
	}
	return cfg
}

// TestLiveKitGolden maps the standard token endpoint's body to the claims.
// The cases share two templates, in order, so that a roomJoin that Finish
// set for one token must not leak into the next.
func TestLiveKitGolden(t *testing.T) {
	authed := compile(t, "livekit", livekitConfig(Config{}))
	anon := compile(t, "livekit", livekitConfig(Config{Anonymous: true}))
	const times = `"nbf":1764000000,"iat":1764000000,"exp":1764021600`
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		want   string
	}{
		{"room_name joins the room", authed, "alice", map[string]Value{"room_name": S("myroom")},
			`{"iss":"` + livekitKey + `","sub":"alice",` + times + `,"video":{"room":"myroom","roomJoin":true}}`},
		{"no room: no video grant, no roomJoin", authed, "alice", nil,
			`{"iss":"` + livekitKey + `","sub":"alice",` + times + `}`},
		{"every field of the endpoint's body", authed, "alice", map[string]Value{
			"room_name":              S("myroom"),
			"participant_identity":   S("alice"),
			"participant_name":       S("Alice <A&B>"),
			"participant_metadata":   S(`{"role":"speaker"}`),
			"participant_attributes": {Kind: Raw, Str: `{"team": "blue", "seat":"12"}`},
		}, `{"iss":"` + livekitKey + `","sub":"alice",` + times + `,"name":"Alice <A&B>","metadata":"{\"role\":\"speaker\"}",
			"attributes":{"team":"blue","seat":"12"},"video":{"room":"myroom","roomJoin":true}}`},
		{"attributes as JSON text", authed, "alice", map[string]Value{"participant_attributes": S(`{"a":"1"}`)},
			`{"iss":"` + livekitKey + `","sub":"alice",` + times + `,"attributes":{"a":"1"}}`},
		{"fields the contract does not name are ignored", authed, "alice", map[string]Value{
			"room_name": S("r"), "roomAdmin": S("true"), "video.roomAdmin": S("true"), "canPublish": S("false"), "ttl": S("60"),
		}, `{"iss":"` + livekitKey + `","sub":"alice",` + times + `,"video":{"room":"r","roomJoin":true}}`},
		{"anonymous: participant_identity fills sub", anon, "", map[string]Value{"room_name": S("myroom"), "participant_identity": S("guest-1")},
			`{"iss":"` + livekitKey + `","sub":"guest-1",` + times + `,"video":{"room":"myroom","roomJoin":true}}`},
		{"anonymous, no room, no identity", anon, "", nil,
			`{"iss":"` + livekitKey + `",` + times + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.tmpl, bodyInput(tc.user, tc.params), hs256Header, tc.want)
		})
	}
}

func TestLiveKitConfiguredGrants(t *testing.T) {
	const head = `"iss":"` + livekitKey + `","sub":"alice","nbf":1764000000,"iat":1764000000`
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		want   string
	}{
		{"publish rights and sources",
			Config{Claims: map[string][]string{
				"video.canPublish": {"true"}, "video.canSubscribe": {"false"}, "video.canPublishData": {"false"},
				"video.canPublishSources": {"camera", "microphone"}, "video.canUpdateOwnMetadata": {"true"},
			}},
			map[string]Value{"room_name": S("r1")},
			`{` + head + `,"exp":1764021600,"video":{"room":"r1","roomJoin":true,"canPublish":true,"canSubscribe":false,
			 "canPublishData":false,"canPublishSources":["camera","microphone"],"canUpdateOwnMetadata":true}}`},
		{"admin grants, kind, no room",
			Config{Claims: map[string][]string{
				"video.roomAdmin": {"true"}, "video.roomCreate": {"true"}, "video.roomList": {"true"}, "video.roomRecord": {"true"},
				"video.hidden": {"true"}, "video.recorder": {"true"}, "video.agent": {"true"}, "kind": {"agent"},
			}}, nil,
			`{` + head + `,"exp":1764021600,"kind":"agent","video":{"hidden":true,"recorder":true,"roomAdmin":true,
			 "roomCreate":true,"roomList":true,"roomRecord":true,"agent":true}}`},
		{"a configured roomJoin false is kept",
			Config{Claims: map[string][]string{"video.roomJoin": {"false"}}}, map[string]Value{"room_name": S("r1")},
			`{` + head + `,"exp":1764021600,"video":{"room":"r1","roomJoin":false}}`},
		{"a pinned room, repeated by the request",
			Config{Claims: map[string][]string{"video.room": {"standup"}}}, map[string]Value{"room_name": S("standup")},
			`{` + head + `,"exp":1764021600,"video":{"room":"standup","roomJoin":true}}`},
		{"a pinned room, not named by the request",
			Config{Claims: map[string][]string{"video.room": {"standup"}}}, nil,
			`{` + head + `,"exp":1764021600,"video":{"room":"standup","roomJoin":true}}`},
		{"an allowed room",
			Config{Claims: map[string][]string{"video.room": {"standup"}}, Allow: map[string][]string{"video.room": {"standup", "retro"}}},
			map[string]Value{"room_name": S("retro")},
			`{` + head + `,"exp":1764021600,"video":{"room":"retro","roomJoin":true}}`},
		{"configured roomConfig, repeated by the request",
			Config{Claims: map[string][]string{"roomConfig": {`{"agents":[{"agentName":"support"}]}`}}},
			map[string]Value{"room_name": S("r1"), "room_config": {Kind: Raw, Str: `{ "agents": [ {"agentName": "support"} ] }`}},
			`{` + head + `,"exp":1764021600,"video":{"room":"r1","roomJoin":true},"roomConfig":{"agents":[{"agentName":"support"}]}}`},
		{"an allowed roomConfig chosen by the request",
			Config{Claims: map[string][]string{"roomConfig": {`{"agents":[{"agentName":"support"}]}`}},
				Allow: map[string][]string{"roomConfig": {`{"agents":[{"agentName":"support"}]}`, `{"agents":[{"agentName":"sales"}]}`}}},
			map[string]Value{"room_config": {Kind: Raw, Str: `{"agents": [{"agentName": "sales"}]}`}},
			`{` + head + `,"exp":1764021600,"roomConfig":{"agents":[{"agentName":"sales"}]}}`},
		{"configured attributes and metadata",
			Config{Claims: map[string][]string{"attributes": {`{"tier":"pro"}`}, "metadata": {"m"}, "name": {"Alice"}}}, nil,
			`{` + head + `,"exp":1764021600,"name":"Alice","metadata":"m","attributes":{"tier":"pro"}}`},
		{"ttl 1h",
			Config{TTL: time.Hour}, nil,
			`{` + head + `,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "livekit", livekitConfig(tc.cfg))
			golden(t, tmpl, bodyInput("alice", tc.params), hs256Header, tc.want)
		})
	}
}

func TestLiveKitRefusals(t *testing.T) {
	authed := compile(t, "livekit", livekitConfig(Config{}))
	anon := compile(t, "livekit", livekitConfig(Config{Anonymous: true}))
	anonRoom := compile(t, "livekit", livekitConfig(Config{Anonymous: true, Claims: map[string][]string{"video.room": {"lobby"}}}))
	pinned := compile(t, "livekit", livekitConfig(Config{Claims: map[string][]string{
		"video.room": {"standup"}, "roomConfig": {`{"agents":[{"agentName":"support"}]}`}}}))
	allowedRC := compile(t, "livekit", livekitConfig(Config{Allow: map[string][]string{
		"roomConfig": {`{"agents":[{"agentName":"support"}]}`}}}))
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", authed, bodyInput("", nil), http.StatusUnauthorized, ""},
		{"participant_identity of another user", authed, bodyInput("alice", map[string]Value{"participant_identity": S("mallory")}),
			http.StatusForbidden, "participant_identity"},
		{"room_config the config does not set", authed, bodyInput("alice", map[string]Value{"room_config": {Kind: Raw, Str: `{"agents":[]}`}}),
			http.StatusForbidden, "room_config"},
		{"room_config other than the configured one", pinned, bodyInput("alice", map[string]Value{"room_config": {Kind: Raw, Str: `{"agents":[{"agentName":"other"}]}`}}),
			http.StatusForbidden, "room_config"},
		{"room_config outside allow", allowedRC, bodyInput("alice", map[string]Value{"room_config": {Kind: Raw, Str: `{"agents":[{"agentName":"other"}]}`}}),
			http.StatusForbidden, "room_config"},
		{"room_config not an object", authed, bodyInput("alice", map[string]Value{"room_config": S("agents")}),
			http.StatusBadRequest, "room_config"},
		{"room_name other than the pinned one", pinned, bodyInput("alice", map[string]Value{"room_name": S("retro")}),
			http.StatusForbidden, "room_name"},
		{"room_name with a control character", authed, bodyInput("alice", map[string]Value{"room_name": S("a\nb")}),
			http.StatusBadRequest, "room_name"},
		{"room_name of 257 characters", authed, bodyInput("alice", map[string]Value{"room_name": S(strings.Repeat("r", 257))}),
			http.StatusBadRequest, "room_name"},
		{"room_name a list", authed, bodyInput("alice", map[string]Value{"room_name": L("a", "b")}),
			http.StatusBadRequest, "room_name"},
		{"participant_name of 257 characters", authed, bodyInput("alice", map[string]Value{"participant_name": S(strings.Repeat("n", 257))}),
			http.StatusBadRequest, "participant_name"},
		{"participant_attributes with a number", authed, bodyInput("alice", map[string]Value{"participant_attributes": {Kind: Raw, Str: `{"seat":12}`}}),
			http.StatusBadRequest, "participant_attributes"},
		{"participant_attributes nested", authed, bodyInput("alice", map[string]Value{"participant_attributes": {Kind: Raw, Str: `{"a":{"b":"c"}}`}}),
			http.StatusBadRequest, "participant_attributes"},
		{"participant_attributes a string", authed, bodyInput("alice", map[string]Value{"participant_attributes": S("team=blue")}),
			http.StatusBadRequest, "participant_attributes"},
		{"participant_attributes a list", authed, bodyInput("alice", map[string]Value{"participant_attributes": L("a", "b")}),
			http.StatusBadRequest, "participant_attributes"},
		{"participant_metadata an object", authed, bodyInput("alice", map[string]Value{"participant_metadata": {Kind: Raw, Str: `{"a":1}`}}),
			http.StatusBadRequest, "participant_metadata"},
		{"anonymous join without an identity", anon, bodyInput("", map[string]Value{"room_name": S("r1")}),
			http.StatusBadRequest, "participant_identity"},
		{"anonymous join of a configured room without an identity, inject mode", anonRoom, Input{},
			http.StatusBadRequest, "sub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
}

func TestLiveKitEnvelope(t *testing.T) {
	tmpl := compile(t, "livekit", livekitConfig(Config{}))
	m, err := tmpl.Mint(now, bodyInput("alice", map[string]Value{"room_name": S("myroom")}))
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	wantAnswer(t, tmpl, &m, http.StatusCreated, "application/json", `{"server_url":"`+livekitURL+`","participant_token":"`+m.Token+`"}`)
	if got, want := m.Expires, now.Unix()+6*3600; got != want {
		t.Errorf("Minted.Expires: got %d, want %d", got, want)
	}

	e := refusal(t, tmpl, bodyInput("alice", map[string]Value{"room_config": {Kind: Raw, Str: `{}`}}), http.StatusForbidden, "room_config")
	body, status, _ := tmpl.Preset().Refuse(nil, e)
	if want := `{"error":"forbidden","error_description":"room_config: cannot be chosen by the request","field":"room_config"}`; string(body) != want {
		t.Errorf("refusal body: got %s, want %s", body, want)
	}
	if status != http.StatusForbidden {
		t.Errorf("refusal status: got %d, want 403", status)
	}
}

func TestLiveKitConfigErrors(t *testing.T) {
	p, err := Lookup("livekit")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	url := map[string]string{"server_url": livekitURL}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no server_url", Config{Key: livekitKey, Signer: s}},
		{"an unknown option", Config{Key: livekitKey, Signer: s, Options: map[string]string{"server_url": livekitURL, "region": "eu"}}},
		{"no key", Config{Signer: s, Options: url}},
		{"iss as a claim", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"iss": {"x"}}}},
		{"nbf as a claim", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"nbf": {"1"}}}},
		{"video as a claim", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"video": {`{"roomAdmin":true}`}}}},
		{"an unknown kind", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"kind": {"boss"}}}},
		{"an unknown track source", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"video.canPublishSources": {"webcam"}}}},
		{"canPublish not a boolean", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"video.canPublish": {"yes"}}}},
		{"attributes with a number", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"attributes": {`{"a":1}`}}}},
		{"roomConfig not an object", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"roomConfig": {`[1]`}}}},
		{"a grant it does not have", Config{Key: livekitKey, Signer: s, Options: url, Claims: map[string][]string{"video.everything": {"true"}}}},
		{"ttl 30s", Config{Key: livekitKey, Signer: s, Options: url, TTL: 30 * time.Second}},
		{"ttl 31 days", Config{Key: livekitKey, Signer: s, Options: url, TTL: 31 * 24 * time.Hour}},
		{"HS384", Config{Key: livekitKey, Signer: mustHMAC(t, "HS384", testSecret), Options: url}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
}
