package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const dailyDomain = "25df5057-ef0d-4d97-bde6-0cf287276cbb"

func dailyConfig(over func(*Config)) Config {
	cfg := Config{Claims: map[string][]string{"d": {dailyDomain}}}
	return withConfig(cfg, over)
}

func TestDailyGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		in   Input
		want string
	}{
		{"room from the request, the user's id, default ttl 1h", dailyConfig(nil),
			bodyInput("user-42", map[string]Value{"room": S("hello")}),
			`{"r":"hello","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"user-42","iat":1764000000,"exp":1764003600}`},
		{"room_name and user_name", dailyConfig(nil),
			bodyInput("user-42", map[string]Value{"room_name": S("team_standup-2"), "user_name": S("Ann Smith")}),
			`{"r":"team_standup-2","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"user-42","u":"Ann Smith","iat":1764000000,"exp":1764003600}`},
		// The docs' example payload, less nbf: o, ss, er, with d and r.
		{"the docs' owner example", dailyConfig(func(c *Config) {
			c.Claims["r"] = []string{"hello"}
			c.Claims["o"] = []string{"true"}
			c.Claims["ss"] = []string{"true"}
			c.Claims["er"] = []string{"local"}
		}), Input{User: "user-42"},
			`{"r":"hello","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"user-42","o":true,"ss":true,"er":"local","iat":1764000000,"exp":1764003600}`},
		{"every property, typed", dailyConfig(func(c *Config) {
			c.TTL = 2 * time.Hour
			for k, v := range map[string]string{
				"r": "hello", "u": "Ann", "o": "false", "k": "true", "ctoe": "true", "rome": "https://example.com/bye",
				"ij": "false", "sr": "true", "sro": `{"layout":{"preset":"single-participant"}}`, "ast": "true", "er": "cloud",
				"ss": "false", "vo": "true", "ao": "true", "mjh": "https://example.com/hook", "ejt": "true", "eje": "3600",
				"uil": "de", "erui": "false", "p.hp": "true", "p.cs": "v, a", "p.cr": `{"base":false}`,
			} {
				c.Claims[k] = []string{v}
			}
		}), Input{User: "user-42"},
			`{"r":"hello","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"user-42","u":"Ann","o":false,"k":true,"ctoe":true,
			  "rome":"https://example.com/bye","ij":false,"sr":true,"sro":{"layout":{"preset":"single-participant"}},"ast":true,
			  "er":"cloud","ss":false,"vo":true,"ao":true,"mjh":"https://example.com/hook","ejt":true,"eje":3600,"uil":"de",
			  "erui":false,"p":{"hp":true,"cs":"v,a","cr":{"base":false}},"iat":1764000000,"exp":1764007200}`},
		{"canSend false", dailyConfig(func(c *Config) {
			c.Claims["r"] = []string{"hello"}
			c.Claims["p.cs"] = []string{"false"}
		}), Input{User: "u"},
			`{"r":"hello","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"u","p":{"cs":false},"iat":1764000000,"exp":1764003600}`},
		{"is_owner chosen within allow", dailyConfig(func(c *Config) { c.Allow = map[string][]string{"o": {"true"}} }),
			bodyInput("u", map[string]Value{"room": S("hello"), "is_owner": S("true")}),
			`{"r":"hello","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"u","o":true,"iat":1764000000,"exp":1764003600}`},
		{"anonymous: user_id from the request", dailyConfig(func(c *Config) { c.Anonymous = true }),
			bodyInput("", map[string]Value{"room": S("hello"), "user_id": S("guest-7")}),
			`{"r":"hello","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"guest-7","iat":1764000000,"exp":1764003600}`},
		{"anonymous without user_id", dailyConfig(func(c *Config) { c.Anonymous = true }),
			bodyInput("", map[string]Value{"room": S("hello")}),
			`{"r":"hello","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","iat":1764000000,"exp":1764003600}`},
		{"room from a placeholder", dailyConfig(func(c *Config) { c.Claims["r"] = []string{"{room}"} }),
			Input{User: "u", Request: &fakeRequest{vars: map[string]string{"room": "lobby"}}},
			`{"r":"lobby","d":"25df5057-ef0d-4d97-bde6-0cf287276cbb","ud":"u","iat":1764000000,"exp":1764003600}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, compile(t, "daily", tc.cfg), tc.in, hs256Header, tc.want)
		})
	}
}

func TestDailyRefusals(t *testing.T) {
	authed := compile(t, "daily", dailyConfig(nil))
	fixedRoom := compile(t, "daily", dailyConfig(func(c *Config) { c.Claims["r"] = []string{"hello"} }))
	anon := compile(t, "daily", dailyConfig(func(c *Config) { c.Anonymous = true }))
	room := func(kv ...string) map[string]Value {
		p := map[string]Value{"room": S("hello")}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = S(kv[i+1])
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		tmpl   *Template
		in     Input
		status int
		field  string
	}{
		{"no user", authed, bodyInput("", room()), http.StatusUnauthorized, ""},
		{"no room", authed, bodyInput("u", nil), http.StatusBadRequest, "room"},
		{"room empty", authed, bodyInput("u", map[string]Value{"room": S("")}), http.StatusBadRequest, "room"},
		{"room with a space", authed, bodyInput("u", map[string]Value{"room": S("a b")}), http.StatusBadRequest, "room"},
		{"room with a slash", authed, bodyInput("u", map[string]Value{"room_name": S("a/b")}), http.StatusBadRequest, "room_name"},
		{"room of 129 characters", authed, bodyInput("u", map[string]Value{"room": S(strings.Repeat("r", 129))}), http.StatusBadRequest, "room"},
		{"another room than the configured one", fixedRoom, bodyInput("u", room("room", "other")), http.StatusForbidden, "room"},
		{"is_owner without allow", authed, bodyInput("u", room("is_owner", "true")), http.StatusForbidden, "is_owner"},
		{"is_owner not a boolean", authed, bodyInput("u", room("is_owner", "yes")), http.StatusBadRequest, "is_owner"},
		{"user_id of another user", authed, bodyInput("alice", room("user_id", "mallory")), http.StatusForbidden, "user_id"},
		{"user id of 37 characters", authed, bodyInput(strings.Repeat("u", 37), room()), http.StatusBadRequest, "ud"},
		{"anonymous user_id of 37 characters", anon, bodyInput("", room("user_id", strings.Repeat("u", 37))), http.StatusBadRequest, "user_id"},
		{"user_name with a control character", authed, bodyInput("u", room("user_name", "a\x00b")), http.StatusBadRequest, "user_name"},
		{"user_name of 201 characters", authed, bodyInput("u", room("user_name", strings.Repeat("n", 201))), http.StatusBadRequest, "user_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusal(t, tc.tmpl, tc.in, tc.status, tc.field)
		})
	}
}

func TestDailyEnvelope(t *testing.T) {
	tmpl := compile(t, "daily", dailyConfig(nil))
	m, err := tmpl.Mint(now, bodyInput("u", map[string]Value{"room": S("hello")}))
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	wantAnswer(t, tmpl, &m, http.StatusOK, "application/json", `{"token":"`+m.Token+`"}`)
}

func TestDailyConfig(t *testing.T) {
	p, err := Lookup("daily")
	if err != nil {
		t.Fatal(err)
	}
	s := mustHMAC(t, "HS256", testSecret)
	with := func(kv ...string) map[string][]string {
		c := map[string][]string{"d": {dailyDomain}}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = []string{kv[i+1]}
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		claims map[string][]string
		ttl    time.Duration
		ok     bool
	}{
		{"domain only", with(), 0, true},
		{"no domain", map[string][]string{}, 0, false},
		{"domain not hexadecimal", map[string][]string{"d": {"example.daily.co"}}, 0, false},
		{"er unknown", with("er", "tape"), 0, false},
		{"er raw-tracks", with("er", "raw-tracks"), 0, true},
		{"o not a boolean", with("o", "yes"), 0, false},
		{"eje zero", with("eje", "0"), 0, false},
		{"rome not a URL", with("rome", "javascript:alert(1)"), 0, false},
		{"p.cs unknown kind", with("p.cs", "v,x"), 0, false},
		{"p.cs as a JSON string", with("p.cs", `"sv,sa"`), 0, true},
		{"p.cr not an object", with("p.cr", "true"), 0, false},
		{"nbf set", with("nbf", "1"), 0, false},
		{"ttl 30d", with(), 30 * 24 * time.Hour, true},
		{"ttl 31d", with(), 31 * 24 * time.Hour, false},
		{"ttl 30s", with(), 30 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(p, Config{Signer: s, Claims: tc.claims, TTL: tc.ttl})
			if (err == nil) != tc.ok {
				t.Errorf("Compile ok: got %v (%v), want %v", err == nil, err, tc.ok)
			}
		})
	}
}
