package tokens

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"
)

const videosdkKey = "5cfc5cf1-api-key"

func TestVideoSDKGolden(t *testing.T) {
	anon := compile(t, "videosdk", Config{Key: videosdkKey, Anonymous: true})
	authed := compile(t, "videosdk", Config{Key: videosdkKey})
	const base = `"apikey":"5cfc5cf1-api-key","permissions":["allow_join"],"iat":1764000000,"exp":1764007200`
	// The cases share two templates, in this order, so a claim that Finish
	// set for one token must not leak into the next.
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		want   string
	}{
		{"anonymous, no room, no peer: no version", anon, "", nil, `{` + base + `}`},
		{"anonymous, roomId", anon, "", map[string]Value{"roomId": S("2kyv-gzay-64pg")},
			`{` + base + `,"version":2,"roomId":"2kyv-gzay-64pg","roles":["rtc"]}`},
		{"anonymous again, no room: no version, no roles", anon, "", nil, `{` + base + `}`},
		{"anonymous, peerId fills participantId", anon, "", map[string]Value{"peerId": S("lxvdplwt")},
			`{` + base + `,"version":2,"participantId":"lxvdplwt","roles":["rtc"]}`},
		{"anonymous, participantId param", anon, "", map[string]Value{"participantId": S("p-2")},
			`{` + base + `,"version":2,"participantId":"p-2","roles":["rtc"]}`},
		{"anonymous, peerId wins over participantId", anon, "", map[string]Value{"peerId": S("p-1"), "participantId": S("p-2")},
			`{` + base + `,"version":2,"participantId":"p-1","roles":["rtc"]}`},
		{"anonymous, roomId and peerId", anon, "", map[string]Value{"roomId": S("r1"), "peerId": S("p-1")},
			`{` + base + `,"version":2,"roomId":"r1","participantId":"p-1","roles":["rtc"]}`},
		{"anonymous, empty peerId is no peer", anon, "", map[string]Value{"peerId": S("")}, `{` + base + `}`},
		{"authenticated user", authed, "alice", nil,
			`{` + base + `,"version":2,"participantId":"alice","roles":["rtc"]}`},
		{"authenticated user, peerId is the user", authed, "alice", map[string]Value{"peerId": S("alice")},
			`{` + base + `,"version":2,"participantId":"alice","roles":["rtc"]}`},
		{"authenticated user and roomId", authed, "alice", map[string]Value{"roomId": S("2kyv-gzay-64pg")},
			`{` + base + `,"version":2,"roomId":"2kyv-gzay-64pg","participantId":"alice","roles":["rtc"]}`},
		{"authenticated user, another one", authed, "bob", nil,
			`{` + base + `,"version":2,"participantId":"bob","roles":["rtc"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.tmpl, bodyInput(tc.user, tc.params), hs256Header, tc.want)
		})
	}
}

func TestVideoSDKConfiguredClaims(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		want   string
	}{
		{"permissions allow_join and allow_mod",
			Config{Anonymous: true, Claims: map[string][]string{"permissions": {"allow_join", "allow_mod"}}}, nil,
			`{"apikey":"5cfc5cf1-api-key","permissions":["allow_join","allow_mod"],"iat":1764000000,"exp":1764007200}`},
		{"permissions as a JSON array",
			Config{Anonymous: true, Claims: map[string][]string{"permissions": {`["ask_join"]`}}}, nil,
			`{"apikey":"5cfc5cf1-api-key","permissions":["ask_join"],"iat":1764000000,"exp":1764007200}`},
		{"the sample's permissions with a room",
			Config{Anonymous: true, Claims: map[string][]string{"permissions": {"allow_join", "allow_mod"}}}, map[string]Value{"roomId": S("r1")},
			`{"apikey":"5cfc5cf1-api-key","permissions":["allow_join","allow_mod"],"version":2,"roomId":"r1","roles":["rtc"],"iat":1764000000,"exp":1764007200}`},
		{"configured roles are kept and bring version 2",
			Config{Anonymous: true, Claims: map[string][]string{"roles": {"crawler"}}}, nil,
			`{"apikey":"5cfc5cf1-api-key","permissions":["allow_join"],"version":2,"roles":["crawler"],"iat":1764000000,"exp":1764007200}`},
		{"configured roomId",
			Config{Anonymous: true, Claims: map[string][]string{"roomId": {"fixed-room"}}}, nil,
			`{"apikey":"5cfc5cf1-api-key","permissions":["allow_join"],"version":2,"roomId":"fixed-room","roles":["rtc"],"iat":1764000000,"exp":1764007200}`},
		{"ttl 10m",
			Config{Anonymous: true, TTL: 10 * time.Minute}, nil,
			`{"apikey":"5cfc5cf1-api-key","permissions":["allow_join"],"iat":1764000000,"exp":1764000600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Key = videosdkKey
			tmpl := compile(t, "videosdk", cfg)
			golden(t, tmpl, bodyInput("", tc.params), hs256Header, tc.want)
		})
	}
}

func TestVideoSDKRefusals(t *testing.T) {
	authed := compile(t, "videosdk", Config{Key: videosdkKey})
	anon := compile(t, "videosdk", Config{Key: videosdkKey, Anonymous: true})
	fixedRoom := compile(t, "videosdk", Config{Key: videosdkKey, Claims: map[string][]string{"roomId": {"fixed-room"}}})
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		status int
		field  string
	}{
		{"peerId of another user", authed, "alice", map[string]Value{"peerId": S("mallory")}, http.StatusForbidden, "peerId"},
		{"participantId of another user", authed, "alice", map[string]Value{"participantId": S("mallory")}, http.StatusForbidden, "participantId"},
		{"no user", authed, "", nil, http.StatusUnauthorized, ""},
		{"roomId with a space", authed, "alice", map[string]Value{"roomId": S("bad room")}, http.StatusBadRequest, "roomId"},
		{"roomId of 129 characters", authed, "alice", map[string]Value{"roomId": S(strings.Repeat("r", 129))}, http.StatusBadRequest, "roomId"},
		{"roomId a list", authed, "alice", map[string]Value{"roomId": L("a", "b")}, http.StatusBadRequest, "roomId"},
		{"another roomId than the configured one", fixedRoom, "alice", map[string]Value{"roomId": S("other")}, http.StatusForbidden, "roomId"},
		{"anonymous peerId with a control character", anon, "", map[string]Value{"peerId": S("p\x00")}, http.StatusBadRequest, "peerId"},
		{"anonymous peerId of 257 characters", anon, "", map[string]Value{"peerId": S(strings.Repeat("p", 257))}, http.StatusBadRequest, "peerId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, bodyInput(tc.user, tc.params), tc.status, tc.field)
		})
	}
}

func TestVideoSDKEnvelope(t *testing.T) {
	tmpl := compile(t, "videosdk", Config{Key: videosdkKey})
	m, err := tmpl.Mint(now, bodyInput("alice", nil))
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"token":"`+m.Token+`"}`)
	if got, want := m.Expires, now.Unix()+7200; got != want {
		t.Errorf("Minted.Expires: got %d, want %d", got, want)
	}

	e := refusal(t, tmpl, bodyInput("alice", map[string]Value{"peerId": S("mallory")}), http.StatusForbidden, "peerId")
	body, status, _ := tmpl.Preset().Refuse(nil, e)
	if want := `{"error":"forbidden","error_description":"peerId: cannot be chosen by the request","field":"peerId"}`; string(body) != want {
		t.Errorf("refusal body: got %s, want %s", body, want)
	}
	if status != http.StatusForbidden {
		t.Errorf("refusal status: got %d, want 403", status)
	}
}

func TestVideoSDKConfigErrors(t *testing.T) {
	p, err := Lookup("videosdk")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	_, edKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := NewAsymmetric("EdDSA", edKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"unknown permission", Config{Key: videosdkKey, Signer: s, Claims: map[string][]string{"permissions": {"allow_join", "allow_everything"}}}},
		{"empty permission", Config{Key: videosdkKey, Signer: s, Claims: map[string][]string{"permissions": {""}}}},
		{"four permissions", Config{Key: videosdkKey, Signer: s, Claims: map[string][]string{"permissions": {"allow_join", "ask_join", "allow_mod", "allow_join"}}}},
		{"unknown role", Config{Key: videosdkKey, Signer: s, Claims: map[string][]string{"roles": {"admin"}}}},
		{"version 3", Config{Key: videosdkKey, Signer: s, Claims: map[string][]string{"version": {"3"}}}},
		{"apikey as a claim", Config{Key: videosdkKey, Signer: s, Claims: map[string][]string{"apikey": {"x"}}}},
		{"exp as a claim", Config{Key: videosdkKey, Signer: s, Claims: map[string][]string{"exp": {"1"}}}},
		{"no key", Config{Signer: s}},
		{"ttl 30s", Config{Key: videosdkKey, Signer: s, TTL: 30 * time.Second}},
		{"ttl 31 days", Config{Key: videosdkKey, Signer: s, TTL: 31 * 24 * time.Hour}},
		{"HS384", Config{Key: videosdkKey, Signer: mustHMAC(t, "HS384", testSecret)}},
		{"EdDSA", Config{Key: videosdkKey, Signer: ed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
}
