package tokens

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	dbKey = "appkey-1"
	dbSID = "ydR27s3Z92yQw7wjGY2lX"
)

// dbBody is the boilerplate's POST /token body.
func dbBody(ch, act string) map[string]Value {
	return map[string]Value{"ch": S(ch), "sid": S(dbSID), "dbappkey": S(dbKey), "act": S(act)}
}

// rawPayload returns the token's payload segment, decoded, byte for byte.
func rawPayload(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload segment: %v", err)
	}
	return string(b)
}

func TestDataBridgesGolden(t *testing.T) {
	authed := compile(t, "databridges", Config{Key: dbKey})
	anon := compile(t, "databridges", Config{Key: dbKey, Anonymous: true})
	const presence = `{"sid":"ydR27s3Z92yQw7wjGY2lX","cname":"%s","pub":true,"conn_info":{"sysid":"user1","sysinfo":{}},"iat":1764000000}`
	const private = `{"sid":"ydR27s3Z92yQw7wjGY2lX","cname":"%s","pub":true,"conn_info":{},"iat":1764000000}`
	f := func(format, ch string) string { return strings.Replace(format, "%s", ch, 1) }
	// The cases share templates and alternate channel kinds, so conn_info
	// members unset for one token must come back for the next.
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		want   string // the payload, byte for byte
	}{
		{"prs: channel", authed, "user1", dbBody("prs:lobby", "channel.subscribe"), f(presence, "prs:lobby")},
		{"pvt: channel", authed, "user1", dbBody("pvt:chat", "channel.subscribe"), f(private, "pvt:chat")},
		{"sys: channel", authed, "user1", dbBody("sys:health", "system_channel.subscribe"), f(presence, "sys:health")},
		{"pvt: channel connect", authed, "user1", dbBody("pvt:chat", "channel.connect"), f(private, "pvt:chat")},
		{"pvt: RPC server", authed, "user1", dbBody("pvt:calc", "rpc.connect"), f(private, "pvt:calc")},
		{"prs: RPC server", authed, "user1", dbBody("prs:calc", "rpc.connect"), f(presence, "prs:calc")},
		{"no act", authed, "user1", map[string]Value{"ch": S("prs:lobby"), "sid": S(dbSID), "dbappkey": S(dbKey)}, f(presence, "prs:lobby")},
		{"name with . : _ -", authed, "user1", dbBody("prs:a.b:c_d-e", "channel.subscribe"), f(presence, "prs:a.b:c_d-e")},
		{"name of 64 characters", authed, "user1", dbBody("pvt:"+strings.Repeat("x", 60), "channel.subscribe"), f(private, "pvt:"+strings.Repeat("x", 60))},
		{"anonymous pvt: channel", anon, "", dbBody("pvt:chat", "channel.subscribe"), f(private, "pvt:chat")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := golden(t, tc.tmpl, bodyInput(tc.user, tc.params), hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			if m.Expires != 0 {
				t.Errorf("Minted.Expires: got %d, want 0 (no exp)", m.Expires)
			}
			if m.IssuedAt != now.Unix() {
				t.Errorf("Minted.IssuedAt: got %d, want %d", m.IssuedAt, now.Unix())
			}
		})
	}
}

// In inject mode (no request contract) there is no dbappkey to check.
func TestDataBridgesInject(t *testing.T) {
	tmpl := compile(t, "databridges", Config{Key: dbKey, Claims: map[string][]string{"sid": {"{sid}"}, "cname": {"prs:{room}"}, "pub": {"false"}}})
	in := Input{User: "user1", Request: &fakeRequest{vars: map[string]string{"sid": dbSID, "room": "lobby"}}}
	golden(t, tmpl, in, hs256Header,
		`{"sid":"ydR27s3Z92yQw7wjGY2lX","cname":"prs:lobby","pub":false,"conn_info":{"sysid":"user1","sysinfo":{}},"iat":1764000000}`)
}

func TestDataBridgesRefusals(t *testing.T) {
	authed := compile(t, "databridges", Config{Key: dbKey})
	anon := compile(t, "databridges", Config{Key: dbKey, Anonymous: true})
	with := func(ch, act string, kv ...any) map[string]Value {
		p := dbBody(ch, act)
		for i := 0; i < len(kv); i += 2 {
			if v, ok := kv[i+1].(Value); ok {
				p[kv[i].(string)] = v
			} else {
				delete(p, kv[i].(string))
			}
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		status int
		field  string
	}{
		{"dbappkey missing", authed, "user1", with("prs:lobby", "channel.subscribe", "dbappkey", nil), http.StatusForbidden, "dbappkey"},
		{"dbappkey wrong", authed, "user1", with("prs:lobby", "channel.subscribe", "dbappkey", S("appkey-2")), http.StatusForbidden, "dbappkey"},
		{"dbappkey empty", authed, "user1", with("prs:lobby", "channel.subscribe", "dbappkey", S("")), http.StatusForbidden, "dbappkey"},
		{"dbappkey a list", authed, "user1", with("prs:lobby", "channel.subscribe", "dbappkey", L(dbKey)), http.StatusForbidden, "dbappkey"},
		{"ch missing", authed, "user1", with("", "channel.subscribe", "ch", nil), http.StatusBadRequest, "ch"},
		{"ch without a prefix", authed, "user1", with("lobby", "channel.subscribe"), http.StatusBadRequest, "ch"},
		{"ch with an unknown prefix", authed, "user1", with("pub:lobby", "channel.subscribe"), http.StatusBadRequest, "ch"},
		{"ch of 65 characters", authed, "user1", with("pvt:"+strings.Repeat("x", 61), "channel.subscribe"), http.StatusBadRequest, "ch"},
		{"ch with a space", authed, "user1", with("pvt:my chat", "channel.subscribe"), http.StatusBadRequest, "ch"},
		{"ch with a slash", authed, "user1", with("pvt:a/b", "channel.subscribe"), http.StatusBadRequest, "ch"},
		{"sid missing", authed, "user1", with("prs:lobby", "channel.subscribe", "sid", nil), http.StatusBadRequest, "sid"},
		{"sid with a newline", authed, "user1", with("prs:lobby", "channel.subscribe", "sid", S("a\nb")), http.StatusBadRequest, "sid"},
		{"act unknown", authed, "user1", with("prs:lobby", "channel.publish"), http.StatusBadRequest, "act"},
		{"act empty", authed, "user1", with("prs:lobby", ""), http.StatusBadRequest, "act"},
		{"act a list", authed, "user1", with("prs:lobby", "", "act", L("channel.subscribe")), http.StatusBadRequest, "act"},
		{"rpc.connect on a sys: channel", authed, "user1", with("sys:health", "rpc.connect"), http.StatusBadRequest, "ch"},
		{"rpc.register on a sys: channel", authed, "user1", with("sys:health", "rpc.register"), http.StatusBadRequest, "ch"},
		{"no user", authed, "", with("pvt:chat", "channel.subscribe"), http.StatusUnauthorized, ""},
		{"anonymous prs: channel without a user", anon, "", with("prs:lobby", "channel.subscribe"), http.StatusBadRequest, "conn_info.sysid"},
		{"anonymous sys: channel without a user", anon, "", with("sys:health", "system_channel.subscribe"), http.StatusBadRequest, "conn_info.sysid"},
		{"anonymous dbappkey wrong", anon, "", with("pvt:chat", "channel.subscribe", "dbappkey", S("x")), http.StatusForbidden, "dbappkey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, bodyInput(tc.user, tc.params), tc.status, tc.field)
		})
	}
}

func TestDataBridgesEnvelope(t *testing.T) {
	tmpl := compile(t, "databridges", Config{Key: dbKey})
	if !tmpl.Preset().Envelope.InBand {
		t.Errorf("Envelope.InBand: got false, want true")
	}
	t.Run("success", func(t *testing.T) {
		m, err := tmpl.Mint(now, bodyInput("user1", dbBody("prs:lobby", "channel.subscribe")))
		if err != nil {
			t.Fatalf("Mint: %v", err)
		}
		wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"statuscode":0,"error_message":"","accesskey":"`+m.Token+`"}`)
	})
	for _, tc := range []struct {
		name   string
		user   string
		params map[string]Value
		status int // of the *Error
		field  string
		body   string
	}{
		{"dbappkey missing", "user1", map[string]Value{"ch": S("prs:lobby"), "sid": S(dbSID)}, http.StatusForbidden, "dbappkey",
			`{"statuscode":1,"error_message":"dbappkey: does not match this endpoint's app key","accesskey":""}`},
		{"dbappkey wrong", "user1", map[string]Value{"ch": S("prs:lobby"), "sid": S(dbSID), "dbappkey": S("nope")}, http.StatusForbidden, "dbappkey",
			`{"statuscode":1,"error_message":"dbappkey: does not match this endpoint's app key","accesskey":""}`},
		{"bad channel", "user1", dbBody("lobby", "channel.subscribe"), http.StatusBadRequest, "ch",
			`{"statuscode":1,"error_message":"ch: must start with one of \"pvt:\", \"prs:\", \"sys:\"","accesskey":""}`},
		{"no user", "", dbBody("prs:lobby", "channel.subscribe"), http.StatusUnauthorized, "",
			`{"statuscode":1,"error_message":"this endpoint needs an authenticated user","accesskey":""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := refusal(t, tmpl, bodyInput(tc.user, tc.params), tc.status, tc.field)
			body, status, ctype := tmpl.Preset().Refuse(nil, e)
			if string(body) != tc.body {
				t.Errorf("body: got %s, want %s", body, tc.body)
			}
			if status != http.StatusOK || ctype != "application/json" {
				t.Errorf("status, type: got %d %s, want 200 application/json", status, ctype)
			}
		})
	}
}

func TestDataBridgesConfig(t *testing.T) {
	p, err := Lookup("databridges")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ttl", Config{Key: dbKey, Signer: s, TTL: time.Hour}},
		{"exp as a claim", Config{Key: dbKey, Signer: s, Claims: map[string][]string{"exp": {"1"}}}},
		{"conn_info as a claim", Config{Key: dbKey, Signer: s, Claims: map[string][]string{"conn_info": {"{}"}}}},
		{"pub not a boolean", Config{Key: dbKey, Signer: s, Claims: map[string][]string{"pub": {"yes"}}}},
		{"sysinfo not an object", Config{Key: dbKey, Signer: s, Claims: map[string][]string{"conn_info.sysinfo": {"[1]"}}}},
		{"bad static channel", Config{Key: dbKey, Signer: s, Claims: map[string][]string{"cname": {"lobby"}}}},
		{"HS512", Config{Key: dbKey, Signer: mustHMAC(t, "HS512", testSecret)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
	t.Run("TTL is 0", func(t *testing.T) {
		if got := compile(t, "databridges", Config{Key: dbKey}).TTL(); got != 0 {
			t.Errorf("TTL: got %s, want 0", got)
		}
	})
	t.Run("configured sysinfo", func(t *testing.T) {
		// A Config.Dynamic that sees no placeholder in a JSON object (the
		// default treats every '{' as one).
		tmpl := compile(t, "databridges", Config{Key: dbKey, Claims: map[string][]string{"conn_info.sysinfo": {`{"name": "Ann"}`}},
			Dynamic: func(string) bool { return false }})
		const want = `{"sid":"ydR27s3Z92yQw7wjGY2lX","cname":"prs:lobby","pub":true,"conn_info":{"sysid":"user1","sysinfo":{"name":"Ann"}},"iat":1764000000}`
		m := golden(t, tmpl, bodyInput("user1", dbBody("prs:lobby", "channel.subscribe")), hs256Header, want)
		if got := rawPayload(t, m.Token); got != want {
			t.Errorf("raw payload:\n got %s\nwant %s", got, want)
		}
	})
}
