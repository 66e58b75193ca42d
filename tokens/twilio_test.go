package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	twilioKey     = "SKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	twilioAccount = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	twilioHeader  = `{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}`
	// twilioTimes is the docs' anatomy: jti "<key>-<iat>", iat = nbf, exp 1h on.
	twilioTimes = `"jti":"` + twilioKey + `-1764000000","iss":"` + twilioKey + `","sub":"` + twilioAccount + `",` +
		`"iat":1764000000,"nbf":1764000000,"exp":1764003600`
)

func twilioConfig(cfg Config) Config {
	cfg.Key = twilioKey
	if cfg.Claims == nil {
		cfg.Claims = map[string][]string{}
	}
	if _, ok := cfg.Claims["sub"]; !ok {
		cfg.Claims["sub"] = []string{twilioAccount}
	}
	return cfg
}

func TestTwilioGolden(t *testing.T) {
	authed := compile(t, "twilio", twilioConfig(Config{}))
	anon := compile(t, "twilio", twilioConfig(Config{Anonymous: true}))
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		want   string
	}{
		{"the user, a Video room", authed, "alice", map[string]Value{"room": S("daily-standup")},
			`{` + twilioTimes + `,"grants":{"identity":"alice","video":{"room":"daily-standup"}}}`},
		{"the user, no room: identity only", authed, "alice", nil,
			`{` + twilioTimes + `,"grants":{"identity":"alice"}}`},
		{"identity repeating the user", authed, "alice", map[string]Value{"identity": S("alice")},
			`{` + twilioTimes + `,"grants":{"identity":"alice"}}`},
		{"anonymous: identity from the request", anon, "", map[string]Value{"identity": S("user@example.com"), "room": S("cool room")},
			`{` + twilioTimes + `,"grants":{"identity":"user@example.com","video":{"room":"cool room"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.tmpl, bodyInput(tc.user, tc.params), twilioHeader, tc.want)
		})
	}
}

func TestTwilioConfiguredGrants(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		user   string
		params map[string]Value
		header string
		want   string
	}{
		{"voice, incoming and outgoing",
			Config{Claims: map[string][]string{
				"grants.voice.incoming.allow": {"true"}, "grants.voice.outgoing.application_sid": {"APxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
				"grants.voice.push_credential_sid": {"CRxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
			}}, "alice_1", nil, twilioHeader,
			`{` + twilioTimes + `,"grants":{"identity":"alice_1","voice":{"incoming":{"allow":true},
			 "outgoing":{"application_sid":"APxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},"push_credential_sid":"CRxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}}`},
		{"Conversations and Sync",
			Config{Claims: map[string][]string{
				"grants.chat.service_sid": {"ISxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}, "grants.data_sync.service_sid": {"ISyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"},
			}}, "user@example.com", nil, twilioHeader,
			`{` + twilioTimes + `,"grants":{"identity":"user@example.com","chat":{"service_sid":"ISxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
			 "data_sync":{"service_sid":"ISyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}}}`},
		{"a pinned room",
			Config{Claims: map[string][]string{"grants.video.room": {"standup"}}}, "alice", nil, twilioHeader,
			`{` + twilioTimes + `,"grants":{"identity":"alice","video":{"room":"standup"}}}`},
		{"the region header and HS512",
			Config{Header: map[string]string{"twr": "us1"}, Signer: mustHMAC(t, "HS512", testSecret)}, "alice", nil,
			`{"alg":"HS512","typ":"JWT","cty":"twilio-fpa;v=1","twr":"us1"}`,
			`{` + twilioTimes + `,"grants":{"identity":"alice"}}`},
		{"ttl 24h",
			Config{TTL: 24 * time.Hour}, "alice", nil, twilioHeader,
			`{` + strings.Replace(twilioTimes, "1764003600", "1764086400", 1) + `,"grants":{"identity":"alice"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "twilio", twilioConfig(tc.cfg))
			golden(t, tmpl, bodyInput(tc.user, tc.params), tc.header, tc.want)
		})
	}
}

// TestTwilioJTIFollowsIAT: the jti is made of the key and this token's iat.
func TestTwilioJTIFollowsIAT(t *testing.T) {
	tmpl := compile(t, "twilio", twilioConfig(Config{}))
	m, err := tmpl.Mint(now.Add(-90*time.Second), bodyInput("alice", nil))
	if err != nil {
		t.Fatal(err)
	}
	_, p := decode(t, m.Token, "HS256", testSecret)
	if got, want := p["jti"], twilioKey+"-1763999910"; got != want || p["iat"] != float64(1763999910) {
		t.Errorf("jti = %v, iat = %v; want %s and 1763999910", got, p["iat"], want)
	}
}

func TestTwilioRefusals(t *testing.T) {
	authed := compile(t, "twilio", twilioConfig(Config{}))
	anon := compile(t, "twilio", twilioConfig(Config{Anonymous: true}))
	voice := compile(t, "twilio", twilioConfig(Config{Anonymous: true, Claims: map[string][]string{"grants.voice.incoming.allow": {"true"}}}))
	authedVoice := compile(t, "twilio", twilioConfig(Config{Claims: map[string][]string{"grants.voice.outgoing.application_sid": {"APxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}}))
	pinned := compile(t, "twilio", twilioConfig(Config{Claims: map[string][]string{"grants.video.room": {"standup"}}}))
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", authed, bodyInput("", nil), http.StatusUnauthorized, ""},
		{"identity of another user", authed, bodyInput("alice", map[string]Value{"identity": S("mallory")}), http.StatusForbidden, "identity"},
		{"anonymous without an identity", anon, bodyInput("", nil), http.StatusBadRequest, "identity"},
		{"identity with a control character", anon, bodyInput("", map[string]Value{"identity": S("a\tb")}), http.StatusBadRequest, "identity"},
		{"identity of 257 characters", anon, bodyInput("", map[string]Value{"identity": S(strings.Repeat("i", 257))}), http.StatusBadRequest, "identity"},
		{"voice identity with a dot", voice, bodyInput("", map[string]Value{"identity": S("alice.smith")}), http.StatusBadRequest, "identity"},
		{"voice identity of the session with an @", authedVoice, bodyInput("user@example.com", nil), http.StatusBadRequest, "identity"},
		{"another room than the pinned one", pinned, bodyInput("alice", map[string]Value{"room": S("retro")}), http.StatusForbidden, "room"},
		{"room a list", authed, bodyInput("alice", map[string]Value{"room": L("a", "b")}), http.StatusBadRequest, "room"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
}

func TestTwilioEnvelope(t *testing.T) {
	tmpl := compile(t, "twilio", twilioConfig(Config{}))
	m, err := tmpl.Mint(now, bodyInput("alice", nil))
	if err != nil {
		t.Fatal(err)
	}
	wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"token":"`+m.Token+`"}`)
}

func TestTwilioConfigErrors(t *testing.T) {
	p, err := Lookup("twilio")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	sub := func(extra map[string][]string) map[string][]string {
		c := map[string][]string{"sub": {twilioAccount}}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no account sid", Config{Key: twilioKey, Signer: s}},
		{"an account sid without AC", Config{Key: twilioKey, Signer: s, Claims: map[string][]string{"sub": {"SKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}}},
		{"no key", Config{Signer: s, Claims: sub(nil)}},
		{"jti as a claim", Config{Key: twilioKey, Signer: s, Claims: sub(map[string][]string{"jti": {"x"}})}},
		{"iss as a claim", Config{Key: twilioKey, Signer: s, Claims: sub(map[string][]string{"iss": {"x"}})}},
		{"grants as a claim", Config{Key: twilioKey, Signer: s, Claims: sub(map[string][]string{"grants": {`{"video":{}}`}})}},
		{"a Sync sid without IS", Config{Key: twilioKey, Signer: s, Claims: sub(map[string][]string{"grants.data_sync.service_sid": {"default"}})}},
		{"an application sid without AP", Config{Key: twilioKey, Signer: s, Claims: sub(map[string][]string{"grants.voice.outgoing.application_sid": {"CRxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}})}},
		{"incoming.allow not a boolean", Config{Key: twilioKey, Signer: s, Claims: sub(map[string][]string{"grants.voice.incoming.allow": {"yes"}})}},
		{"a grant it does not have", Config{Key: twilioKey, Signer: s, Claims: sub(map[string][]string{"grants.ip_messaging.service_sid": {"IS1"}})}},
		{"ttl 25h (error 20157)", Config{Key: twilioKey, Signer: s, Claims: sub(nil), TTL: 25 * time.Hour}},
		{"ttl 30s", Config{Key: twilioKey, Signer: s, Claims: sub(nil), TTL: 30 * time.Second}},
		{"the header's cty", Config{Key: twilioKey, Signer: s, Claims: sub(nil), Header: map[string]string{"alg": "none"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			}
		})
	}
}
