package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	testJaaSAppID = "vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe"
	testJaaSKID   = testJaaSAppID + "/4f4910"
)

const jaasHeader = `{"alg":"RS256","kid":"` + testJaaSKID + `","typ":"JWT"}`

func jaasConfig(t testing.TB, claims map[string][]string) Config {
	c := map[string][]string{"sub": {testJaaSAppID}}
	for k, v := range claims {
		c[k] = v
	}
	return Config{Signer: mustAsym(t, "RS256", testRSAKey()), Header: map[string]string{"kid": testJaaSKID}, Claims: c}
}

func TestJaaSGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		user   string
		params map[string]Value
		want   string // the payload, byte for byte
	}{
		{"defaults", jaasConfig(t, nil), "alice", nil,
			`{"aud":"jitsi","iss":"chat","sub":"` + testJaaSAppID + `","room":"*","iat":1763999990,"nbf":1763999990,"exp":1764007190,` +
				`"context":{"user":{"id":"alice","moderator":"false"}}}`},
		{"the samples' moderator with features", jaasConfig(t, map[string][]string{
			"context.user.email":                {"alice@example.com"},
			"context.user.avatar":               {"https://example.com/alice.png"},
			"context.user.moderator":            {"true"},
			"context.user.hidden-from-recorder": {"false"},
			"context.features.livestreaming":    {"true"},
			"context.features.recording":        {"true"},
			"context.features.transcription":    {"false"},
			"context.features.outbound-call":    {"true"},
		}), "alice", map[string]Value{"room": S("lobby"), "name": S("Alice")},
			`{"aud":"jitsi","iss":"chat","sub":"` + testJaaSAppID + `","room":"lobby","iat":1763999990,"nbf":1763999990,"exp":1764007190,` +
				`"context":{"user":{"id":"alice","name":"Alice","avatar":"https://example.com/alice.png","email":"alice@example.com","moderator":"true","hidden-from-recorder":false},` +
				`"features":{"livestreaming":"true","recording":"true","transcription":"false","outbound-call":"true"}}}`},
		{"a regex room", jaasConfig(t, map[string][]string{"room": {"team-.*"}, "context.room.regex": {"true"}}), "bob", nil,
			`{"aud":"jitsi","iss":"chat","sub":"` + testJaaSAppID + `","room":"team-.*","iat":1763999990,"nbf":1763999990,"exp":1764007190,` +
				`"context":{"user":{"id":"bob","moderator":"false"},"room":{"regex":true}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "jaas", tc.cfg)
			m := goldenKey(t, tmpl, bodyInput(tc.user, tc.params), testRSAKey().Public(), jaasHeader, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			if m.KID != testJaaSKID {
				t.Errorf("Minted.KID = %q, want %q", m.KID, testJaaSKID)
			}
			// nbf is the samples' now - 10 s; exp the Go sample's 2h after iat.
			if m.IssuedAt != now.Unix()-10 || m.Expires != now.Unix()-10+7200 {
				t.Errorf("iat, exp = %d, %d; want now-10, now-10+7200", m.IssuedAt, m.Expires)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
}

func TestJaaSAnonymous(t *testing.T) {
	cfg := jaasConfig(t, nil)
	cfg.Anonymous = true
	tmpl := compile(t, "jaas", cfg)
	// No user: no context.user.id; the guest names itself for display.
	goldenKey(t, tmpl, bodyInput("", map[string]Value{"name": S("Guest 7"), "room": S("lobby")}), testRSAKey().Public(), jaasHeader,
		`{"aud":"jitsi","iss":"chat","sub":"`+testJaaSAppID+`","room":"lobby","iat":1763999990,"nbf":1763999990,"exp":1764007190,`+
			`"context":{"user":{"name":"Guest 7","moderator":"false"}}}`)
}

func TestJaaSRequestChoices(t *testing.T) {
	cfg := jaasConfig(t, nil)
	cfg.Allow = map[string][]string{"context.user.moderator": {"true", "false"}}
	cfg.TTL = time.Hour
	tmpl := compile(t, "jaas", cfg)
	// A JSON boolean true is the string "true" in the token.
	goldenKey(t, tmpl, bodyInput("alice", map[string]Value{"moderator": S("true"), "room": S("lobby")}), testRSAKey().Public(), jaasHeader,
		`{"aud":"jitsi","iss":"chat","sub":"`+testJaaSAppID+`","room":"lobby","iat":1763999990,"nbf":1763999990,"exp":1764003590,`+
			`"context":{"user":{"id":"alice","moderator":"true"}}}`)
}

func TestJaaSRefusals(t *testing.T) {
	tmpl := compile(t, "jaas", jaasConfig(t, nil))
	pinned := compile(t, "jaas", jaasConfig(t, map[string][]string{"room": {"sales"}, "context.user.name": {"Alice A."}}))
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		user   string
		params map[string]Value
		status int
		field  string
	}{
		{"no user", tmpl, "", nil, http.StatusUnauthorized, ""},
		{"moderator without allow", tmpl, "alice", map[string]Value{"moderator": S("true")}, http.StatusForbidden, "moderator"},
		{"moderator not a flag", tmpl, "alice", map[string]Value{"moderator": S("yes")}, http.StatusBadRequest, "moderator"},
		{"room empty", tmpl, "alice", map[string]Value{"room": S("")}, http.StatusBadRequest, "room"},
		{"room with a newline", tmpl, "alice", map[string]Value{"room": S("a\nb")}, http.StatusBadRequest, "room"},
		{"room too long", tmpl, "alice", map[string]Value{"room": S(strings.Repeat("r", 257))}, http.StatusBadRequest, "room"},
		{"room a list", tmpl, "alice", map[string]Value{"room": L("a", "b")}, http.StatusBadRequest, "room"},
		{"name too long", tmpl, "alice", map[string]Value{"name": S(strings.Repeat("n", 257))}, http.StatusBadRequest, "name"},
		{"pinned room", pinned, "alice", map[string]Value{"room": S("*")}, http.StatusForbidden, "room"},
		{"pinned name", pinned, "alice", map[string]Value{"name": S("Mallory")}, http.StatusForbidden, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, bodyInput(tc.user, tc.params), tc.status, tc.field)
		})
	}
	// Repeating a pinned value is not a choice.
	if _, err := pinned.Mint(now, bodyInput("alice", map[string]Value{"room": S("sales")})); err != nil {
		t.Errorf("repeating the pinned room: %v", err)
	}
}

func TestJaaSConfigErrors(t *testing.T) {
	p, err := Lookup("jaas")
	if err != nil {
		t.Fatal(err)
	}
	with := func(claims map[string][]string) Config { return jaasConfig(t, claims) }
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no sub", Config{Signer: mustAsym(t, "RS256", testRSAKey()), Header: map[string]string{"kid": testJaaSKID}}},
		{"sub without the prefix", with(map[string][]string{"sub": {"1fc542a3e4414a44b2611668195e2bfe"}})},
		{"sub not hex", with(map[string][]string{"sub": {"vpaas-magic-cookie-xyz"}})},
		{"sub only the prefix", with(map[string][]string{"sub": {"vpaas-magic-cookie-"}})},
		{"aud", with(map[string][]string{"aud": {"meet"}})},
		{"iss", with(map[string][]string{"iss": {"me"}})},
		{"nbf", with(map[string][]string{"nbf": {"1"}})},
		{"moderator a boolean word", with(map[string][]string{"context.user.moderator": {"True"}})},
		{"feature not a flag", with(map[string][]string{"context.features.recording": {"yes"}})},
		{"unknown feature", with(map[string][]string{"context.features.teleport": {"true"}})},
		{"context as a claim", with(map[string][]string{"context.user": {`{"id":"x"}`}})},
		{"hidden-from-recorder not a boolean", with(map[string][]string{"context.user.hidden-from-recorder": {"maybe"}})},
		{"ttl above 24h", Config{Signer: mustAsym(t, "RS256", testRSAKey()), Claims: map[string][]string{"sub": {testJaaSAppID}}, TTL: 25 * time.Hour}},
		{"HS256", Config{Signer: mustHMAC(t, "HS256", testSecret), Claims: map[string][]string{"sub": {testJaaSAppID}}}},
		{"RS384", Config{Signer: mustAsym(t, "RS384", testRSAKey()), Claims: map[string][]string{"sub": {testJaaSAppID}}}},
		{"ES256", Config{Signer: mustAsym(t, "ES256", testP256Key()), Claims: map[string][]string{"sub": {testJaaSAppID}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil {
				t.Errorf("Compile: got success, want an error")
			} else {
				t.Logf("%v", err)
			}
		})
	}
}
