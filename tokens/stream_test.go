package tokens

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

// streamTimes: iat is a second before now, as the Node SDK's; exp 1h on.
const streamTimes = `"iat":1763999999,"exp":1764003599`

func TestStreamGolden(t *testing.T) {
	authed := compile(t, "stream", Config{})
	anon := compile(t, "stream", Config{Anonymous: true})
	calls := compile(t, "stream", Config{Claims: map[string][]string{"call_cids": {"livestream:main"}},
		Allow: map[string][]string{"call_cids": {"livestream:main", "default:call1", "default:call2"}}})
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		want   string
	}{
		{"the user", authed, "john", nil, `{"user_id":"john",` + streamTimes + `}`},
		{"user_id repeating the user", authed, "john", map[string]Value{"user_id": S("john")}, `{"user_id":"john",` + streamTimes + `}`},
		{"an id with @ _ - and capitals", authed, "John_Doe-1@acme", nil, `{"user_id":"John_Doe-1@acme",` + streamTimes + `}`},
		{"anonymous: user_id from the request", anon, "", map[string]Value{"user_id": S("guest-7")}, `{"user_id":"guest-7",` + streamTimes + `}`},
		{"configured call_cids", calls, "john", nil,
			`{"user_id":"john","call_cids":["livestream:main"],` + streamTimes + `}`},
		{"allowed call_cids chosen by the request", calls, "john", map[string]Value{"call_cids": L("default:call1", "default:call2")},
			`{"user_id":"john","call_cids":["default:call1","default:call2"],` + streamTimes + `}`},
		{"one allowed call cid as a string", calls, "john", map[string]Value{"call_cids": S("default:call1")},
			`{"user_id":"john","call_cids":["default:call1"],` + streamTimes + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := golden(t, tc.tmpl, bodyInput(tc.user, tc.params), hs256Header, tc.want)
			if m.IssuedAt != now.Unix()-1 {
				t.Errorf("Minted.IssuedAt = %d, want now - 1s", m.IssuedAt)
			}
		})
	}
}

// TestStreamPayloadOrder: the payload's bytes follow the Node SDK's
// generateUserToken ({user_id, call_cids, iat, exp}), so that the same
// inputs give the same token (interop/ checks it against the SDK's).
func TestStreamPayloadOrder(t *testing.T) {
	tmpl := compile(t, "stream", Config{Claims: map[string][]string{"call_cids": {"default:call1"}}})
	m, err := tmpl.Mint(now, bodyInput("john", nil))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"user_id":"john","call_cids":["default:call1"],"iat":1763999999,"exp":1764003599}`
	if got := streamPayload(t, m.Token); got != want {
		t.Errorf("payload = %s, want %s", got, want)
	}
}

func TestStreamRefusals(t *testing.T) {
	authed := compile(t, "stream", Config{})
	anon := compile(t, "stream", Config{Anonymous: true})
	calls := compile(t, "stream", Config{Claims: map[string][]string{"call_cids": {"default:call1"}}})
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		status int
		field  string
	}{
		{"no user", authed, "", nil, http.StatusUnauthorized, ""},
		{"user_id of another user", authed, "john", map[string]Value{"user_id": S("mallory")}, http.StatusForbidden, "user_id"},
		{"anonymous without user_id", anon, "", nil, http.StatusBadRequest, "user_id"},
		{"user_id with a dot", anon, "", map[string]Value{"user_id": S("john.doe")}, http.StatusBadRequest, "user_id"},
		{"user_id with a pipe", anon, "", map[string]Value{"user_id": S("auth0|123")}, http.StatusBadRequest, "user_id"},
		{"user_id of 256 characters", anon, "", map[string]Value{"user_id": S(strings.Repeat("u", 256))}, http.StatusBadRequest, "user_id"},
		{"a session user Stream refuses", authed, "john.doe@example.com", nil, http.StatusBadRequest, "user_id"},
		{"call_cids the config does not set", authed, "john", map[string]Value{"call_cids": L("default:call1")}, http.StatusForbidden, "call_cids"},
		{"call_cids other than the configured ones", calls, "john", map[string]Value{"call_cids": L("default:call2")}, http.StatusForbidden, "call_cids"},
		{"call_cids with a space", calls, "john", map[string]Value{"call_cids": L("default:call 2")}, http.StatusBadRequest, "call_cids"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, bodyInput(tc.user, tc.params), tc.status, tc.field)
		})
	}
}

func TestStreamEnvelope(t *testing.T) {
	tmpl := compile(t, "stream", Config{})
	m, err := tmpl.Mint(now, bodyInput("john", nil))
	if err != nil {
		t.Fatal(err)
	}
	wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"token":"`+m.Token+`"}`)
	if m.Expires != now.Unix()-1+3600 {
		t.Errorf("Minted.Expires = %d, want iat + 3600", m.Expires)
	}
}

func TestStreamConfigErrors(t *testing.T) {
	p, err := Lookup("stream")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"a user_id Stream refuses", Config{Signer: s, Claims: map[string][]string{"user_id": {"a b"}}}},
		{"a call cid with a slash", Config{Signer: s, Claims: map[string][]string{"call_cids": {"default/call1"}}}},
		{"iat as a claim", Config{Signer: s, Claims: map[string][]string{"iat": {"1"}}}},
		{"a claim it does not have", Config{Signer: s, Claims: map[string][]string{"role": {"admin"}}}},
		{"ttl 30s", Config{Signer: s, TTL: 30 * time.Second}},
		{"ttl 31 days", Config{Signer: s, TTL: 31 * 24 * time.Hour}},
		{"HS512", Config{Signer: mustHMAC(t, "HS512", testSecret)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
}

// streamPayload returns a token's payload bytes as signed.
func streamPayload(t *testing.T, tok string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
