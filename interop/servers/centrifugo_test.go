//go:build linux

package servers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const (
	cfAudience = "centrifugo-interop"
	cfIssuer   = "https://app.example"
)

// TestCentrifugo has a real Centrifugo accept connection and subscription
// tokens from tokenmint's centrifugo, centrifugo_subscription and jwt
// presets, signed with HMAC, RSA and ECDSA keys at once, with the
// audience and issuer the server requires; and refuse a wrong key, an
// expired token, a token without the audience, and subscription tokens for
// another channel or another user.
func TestCentrifugo(t *testing.T) {
	bin := serverBinary(t, "centrifugo", centrifugoModule, centrifugoVersion)
	dir := t.TempDir()
	secret, otherSecret := randomSecret(t), randomSecret(t)
	rsaKey, ecKey := newKey(t, dir, "rsa"), newKey(t, dir, "ec")
	otherRSA := newKey(t, dir, "rsa-other")

	// tokenmint: one route per preset and key, as a front end's getToken
	// callbacks call them.
	common := "\t\tclaim aud " + cfAudience + "\n\t\tclaim iss " + cfIssuer + "\n"
	conn := func(signing string) string {
		return "provider_token centrifugo {\n\t\t" + signing + "\n" + common +
			"\t\tclaim info `\\{\"name\": \"{http.auth.user.id}\", \"plan\": \"pro\"\\}`\n" +
			"\t\tclaim channels news personal:#{http.auth.user.id}\n\t}"
	}
	sub := func(signing string) string {
		return "provider_token centrifugo_subscription {\n\t\t" + signing + "\n" + common +
			"\t\tclaim info `{\"seat\": \"12\"}`\n" +
			"\t\tallow channel chat:lobby chat:kitchen personal:#{http.auth.user.id}\n\t}"
	}
	tm := startTokenmint(t, dir, []string{"CENTRIFUGO_SECRET=" + secret, "OTHER_SECRET=" + otherSecret}, false, `
http://127.0.0.1:{HTTP_PORT} {
	`+basicAuth(t, "")+`
	handle /hs/connection {
		`+conn("secret {env.CENTRIFUGO_SECRET}")+`
	}
	handle /rs/connection {
		`+conn("signing_key "+rsaKey.private)+`
	}
	handle /es/connection {
		`+conn("signing_key "+ecKey.private)+`
	}
	handle /hs/subscription {
		`+sub("secret {env.CENTRIFUGO_SECRET}")+`
	}
	handle /rs/subscription {
		`+sub("signing_key "+rsaKey.private)+`
	}
	handle /es/subscription {
		`+sub("signing_key "+ecKey.private)+`
	}
	handle /jwt/connection {
		provider_token jwt {
			secret {env.CENTRIFUGO_SECRET}
			ttl    5m
			claim  sub {http.auth.user.id}
	`+common+`
			claim  info `+"`"+`\{"name": "{http.auth.user.id}"\}`+"`"+`
			claim  channels news
			type   info object
			type   channels array
		}
	}
	handle /jwt/subscription {
		provider_token jwt {
			secret {env.CENTRIFUGO_SECRET}
			claim  sub {http.auth.user.id}
	`+common+`
			claim  channel chat:lobby
		}
	}
	handle /wrong-secret/connection {
		`+conn("secret {env.OTHER_SECRET}")+`
	}
	handle /wrong-key/subscription {
		`+sub("signing_key "+otherRSA.private)+`
	}
	handle /no-audience/connection {
		provider_token centrifugo {
			secret {env.CENTRIFUGO_SECRET}
			claim  iss `+cfIssuer+`
		}
	}
}
`)

	// Centrifugo: HMAC, RSA and ECDSA keys at once, audience and issuer
	// required, the front end's origin allowed; chat: channels need a
	// subscription token, personal: channels are user-limited.
	port := freePort(t)
	apiKey := randomSecret(t)
	config := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": itoa(port)},
		"usage_stats": map[string]any{"disabled": true},
		"health":      map[string]any{"enabled": true},
		"http_api":    map[string]any{"key": apiKey},
		"client": map[string]any{
			"allowed_origins": []string{tm.base},
			"token": map[string]any{
				"hmac_secret_key":  secret,
				"rsa_public_key":   rsaKey.public,
				"ecdsa_public_key": ecKey.public,
				"audience":         cfAudience,
				"issuer":           cfIssuer,
			},
		},
		"channel": map[string]any{
			"without_namespace": map[string]any{"presence": true},
			"namespaces": []any{
				map[string]any{"name": "chat", "presence": true},
				map[string]any{"name": "personal", "presence": true, "allow_user_limited_channels": true},
			},
		},
	}
	cfgJSON, _ := json.MarshalIndent(config, "", "  ")
	cfgPath := writeFile(t, dir, "centrifugo.json", string(cfgJSON))
	cf := start(t, "centrifugo", dir, bin, nil, "--config", cfgPath)
	base := "http://127.0.0.1:" + itoa(port)
	cf.waitReady(t, httpReady(http.DefaultClient, base+"/health", 200))
	cfs := &centrifugo{base: base, ws: "ws://127.0.0.1:" + itoa(port) + "/connection/websocket", origin: tm.base, apiKey: apiKey}

	for _, kind := range []string{"hs", "rs", "es"} {
		t.Run("connection and subscription tokens, "+kind, func(t *testing.T) {
			ctok := tm.token(t, "alice", "/"+kind+"/connection", "", 200, "token")
			if h, _ := claimsOf(t, ctok); h["alg"] != map[string]string{"hs": "HS256", "rs": "RS256", "es": "ES256"}[kind] {
				t.Fatalf("header %v", h)
			}
			c := cfs.dial(t)
			reply := c.connect(t, ctok)
			// channels: the server subscribed the connection; exp: the
			// connection expires within the token's 10 minutes.
			if got := sortedKeys(reply.Subs); !slices.Equal(got, []string{"news", "personal:#alice"}) {
				t.Errorf("server-side subscriptions %v, want news and personal:#alice", got)
			}
			if !reply.Expires || reply.TTL <= 0 || reply.TTL > 600 {
				t.Errorf("expires %v, ttl %d; want the token's exp, at most 600s ahead", reply.Expires, reply.TTL)
			}
			// sub is the user, info the conn_info others see.
			who := cfs.presence(t, "news", reply.Client)
			if who.User != "alice" || !jsonEqual(who.ConnInfo, `{"name":"alice","plan":"pro"}`) {
				t.Errorf("presence in news: user %q, conn_info %s; want alice, the token's info", who.User, who.ConnInfo)
			}

			stok := tm.token(t, "alice", "/"+kind+"/subscription", `{"channel":"chat:lobby"}`, 200, "token")
			if err := c.subscribe(t, "chat:lobby", stok); err != nil {
				t.Fatalf("subscribe chat:lobby with the subscription token: %v", err)
			}
			who = cfs.presence(t, "chat:lobby", reply.Client)
			if who.User != "alice" || !jsonEqual(who.ChanInfo, `{"seat":"12"}`) {
				t.Errorf("presence in chat:lobby: user %q, chan_info %s; want alice, the token's info", who.User, who.ChanInfo)
			}
			// The subscription is live: a publication reaches it.
			cfs.api(t, "publish", `{"channel":"chat:lobby","data":{"text":"hello `+kind+`"}}`)
			if pub := c.nextPublication(t); pub.Channel != "chat:lobby" || !jsonEqual(pub.Data, `{"text":"hello `+kind+`"}`) {
				t.Errorf("publication %+v, want chat:lobby's", pub)
			}
		})
	}

	t.Run("jwt preset as connection and subscription token", func(t *testing.T) {
		c := cfs.dial(t)
		reply := c.connect(t, tm.token(t, "bob", "/jwt/connection", "", 200, "token"))
		if got := sortedKeys(reply.Subs); !slices.Equal(got, []string{"news"}) || reply.TTL <= 0 || reply.TTL > 300 {
			t.Errorf("subs %v, ttl %d; want news and at most 300s", got, reply.TTL)
		}
		if who := cfs.presence(t, "news", reply.Client); who.User != "bob" || !jsonEqual(who.ConnInfo, `{"name":"bob"}`) {
			t.Errorf("presence: user %q, conn_info %s", who.User, who.ConnInfo)
		}
		if err := c.subscribe(t, "chat:lobby", tm.token(t, "bob", "/jwt/subscription", "", 200, "token")); err != nil {
			t.Errorf("subscribe chat:lobby: %v", err)
		}
		// The token's sub is the user: bob's user-limited channel needs no
		// subscription token (alice's does, below).
		if err := c.subscribe(t, "personal:#bob", ""); err != nil {
			t.Errorf("subscribe personal:#bob as bob: %v", err)
		}
	})

	// Refusals. Each control case first shows the same step accepted with
	// the right token, so a refusal is the token's doing.
	t.Run("connection refusals", func(t *testing.T) {
		good := tm.token(t, "alice", "/hs/connection", "", 200, "token")
		for _, tc := range []struct {
			name, token string
			code        int
		}{
			{"wrong secret", tm.token(t, "alice", "/wrong-secret/connection", "", 200, "token"), 3500},
			{"expired", expired(t, good, secret), 109},
			{"expired RS256", expired(t, tm.token(t, "alice", "/rs/connection", "", 200, "token"), rsaKey.key), 109},
			{"no audience", tm.token(t, "alice", "/no-audience/connection", "", 200, "token"), 3500},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := cfs.dial(t).tryConnect(t, tc.token); !isCode(err, tc.code) {
					t.Errorf("connect: %v, want code %d", err, tc.code)
				}
			})
		}
	})

	t.Run("subscription refusals", func(t *testing.T) {
		aliceLobby := tm.token(t, "alice", "/rs/subscription", `{"channel":"chat:lobby"}`, 200, "token")
		for _, tc := range []struct {
			name, channel, token string
			code                 int
		}{
			{"no token", "chat:lobby", "", 103},
			{"wrong key", "chat:lobby", tm.token(t, "alice", "/wrong-key/subscription", `{"channel":"chat:lobby"}`, 200, "token"), 103},
			{"expired", "chat:lobby", expired(t, aliceLobby, rsaKey.key), 109},
			{"another channel's token", "chat:kitchen", aliceLobby, 3500},
			{"another user's token", "chat:lobby", tm.token(t, "bob", "/rs/subscription", `{"channel":"chat:lobby"}`, 200, "token"), 3500},
			{"another user's personal channel", "personal:#bob", "", 103},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := cfs.dial(t)
				c.connect(t, tm.token(t, "alice", "/hs/connection", "", 200, "token"))
				if err := c.subscribe(t, tc.channel, tc.token); !isCode(err, tc.code) {
					t.Errorf("subscribe %s: %v, want code %d", tc.channel, err, tc.code)
				}
			})
		}
		// tokenmint itself refuses bob's personal channel to alice.
		if status, body := tm.call(t, nil, "alice", "POST", "/rs/subscription", `{"channel":"personal:#bob"}`); status != 403 || bytes.Contains(body, []byte("eyJ")) {
			t.Errorf("alice asking for personal:#bob: %d %s, want 403 without a token", status, body)
		}
	})
}

// centrifugo is a running Centrifugo: its WebSocket endpoint for clients
// (which send the front end's Origin) and its server API.
type centrifugo struct {
	base, ws, origin, apiKey string
}

// api calls the server HTTP API method with params and returns its result.
func (cf *centrifugo) api(t *testing.T, method, params string) json.RawMessage {
	t.Helper()
	req, _ := http.NewRequest("POST", cf.base+"/api/"+method, strings.NewReader(params))
	req.Header.Set("X-API-Key", cf.apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Result json.RawMessage `json:"result"`
		Error  *cfError        `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != 200 || answer.Error != nil {
		t.Fatalf("api %s %s: status %d, %v, error %v", method, params, resp.StatusCode, err, answer.Error)
	}
	return answer.Result
}

type cfClientInfo struct {
	User     string          `json:"user"`
	ConnInfo json.RawMessage `json:"conn_info"`
	ChanInfo json.RawMessage `json:"chan_info"`
}

// presence is what the channel's presence says of the client.
func (cf *centrifugo) presence(t *testing.T, channel, client string) cfClientInfo {
	t.Helper()
	var result struct {
		Presence map[string]cfClientInfo `json:"presence"`
	}
	if err := json.Unmarshal(cf.api(t, "presence", `{"channel":"`+channel+`"}`), &result); err != nil {
		t.Fatal(err)
	}
	who, ok := result.Presence[client]
	if !ok {
		t.Fatalf("client %s not in %s's presence %v", client, channel, result.Presence)
	}
	return who
}

// cfConn is one client connection speaking Centrifugo's JSON protocol:
// commands with an id, replies with the same id, pushes without.
type cfConn struct {
	ws     *websocket.Conn
	ctx    context.Context
	nextID int
	pushes []json.RawMessage
}

type cfError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *cfError) Error() string { return itoa(e.Code) + " " + e.Message }

type cfConnectReply struct {
	Client  string                     `json:"client"`
	Subs    map[string]json.RawMessage `json:"subs"`
	Expires bool                       `json:"expires"`
	TTL     int                        `json:"ttl"`
}

type cfPublication struct {
	Channel string
	Data    json.RawMessage
}

func (cf *centrifugo) dial(t *testing.T) *cfConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	ws, _, err := websocket.Dial(ctx, cf.ws, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {cf.origin}}})
	if err != nil {
		t.Fatalf("dial %s: %v", cf.ws, err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &cfConn{ws: ws, ctx: ctx}
}

// command sends method with params and returns the reply's result; a
// reply error or the server closing the connection (a disconnect, whose
// code is the close code) is the error.
func (c *cfConn) command(method string, params any) (json.RawMessage, error) {
	c.nextID++
	id := c.nextID
	cmd, _ := json.Marshal(map[string]any{"id": id, method: params})
	if err := c.ws.Write(c.ctx, websocket.MessageText, cmd); err != nil {
		return nil, err
	}
	for {
		_, msg, err := c.ws.Read(c.ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return nil, &cfError{Code: int(ce.Code), Message: ce.Reason}
			}
			return nil, err
		}
		// A frame may hold several newline-separated messages.
		for _, line := range bytes.Split(bytes.TrimSpace(msg), []byte("\n")) {
			var reply map[string]json.RawMessage
			if err := json.Unmarshal(line, &reply); err != nil {
				return nil, err
			}
			if _, ok := reply["id"]; !ok {
				if p, ok := reply["push"]; ok {
					c.pushes = append(c.pushes, p)
				}
				continue
			}
			var got int
			_ = json.Unmarshal(reply["id"], &got)
			if got != id {
				continue
			}
			if e, ok := reply["error"]; ok {
				ce := &cfError{}
				_ = json.Unmarshal(e, ce)
				return nil, ce
			}
			return reply[method], nil
		}
	}
}

func (c *cfConn) tryConnect(t *testing.T, token string) error {
	t.Helper()
	_, err := c.command("connect", map[string]any{"token": token, "name": "tokenmint-interop"})
	return err
}

func (c *cfConn) connect(t *testing.T, token string) cfConnectReply {
	t.Helper()
	raw, err := c.command("connect", map[string]any{"token": token, "name": "tokenmint-interop"})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	var reply cfConnectReply
	if err := json.Unmarshal(raw, &reply); err != nil {
		t.Fatal(err)
	}
	return reply
}

func (c *cfConn) subscribe(t *testing.T, channel, token string) error {
	t.Helper()
	params := map[string]any{"channel": channel}
	if token != "" {
		params["token"] = token
	}
	_, err := c.command("subscribe", params)
	return err
}

// nextPublication reads until a publication push arrives.
func (c *cfConn) nextPublication(t *testing.T) cfPublication {
	t.Helper()
	for {
		for len(c.pushes) > 0 {
			var push struct {
				Channel string `json:"channel"`
				Pub     *struct {
					Data json.RawMessage `json:"data"`
				} `json:"pub"`
			}
			_ = json.Unmarshal(c.pushes[0], &push)
			c.pushes = c.pushes[1:]
			if push.Pub != nil {
				return cfPublication{Channel: push.Channel, Data: push.Pub.Data}
			}
		}
		_, msg, err := c.ws.Read(c.ctx)
		if err != nil {
			t.Fatalf("waiting for a publication: %v", err)
		}
		for _, line := range bytes.Split(bytes.TrimSpace(msg), []byte("\n")) {
			var m map[string]json.RawMessage
			if json.Unmarshal(line, &m) == nil && m["push"] != nil {
				c.pushes = append(c.pushes, m["push"])
			}
		}
	}
}

func isCode(err error, code int) bool {
	var ce *cfError
	return errors.As(err, &ce) && ce.Code == code
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonEqual reports whether raw holds the same JSON value as want.
func jsonEqual(raw json.RawMessage, want string) bool {
	var a, b any
	return json.Unmarshal(raw, &a) == nil && json.Unmarshal([]byte(want), &b) == nil && reflect.DeepEqual(a, b)
}
