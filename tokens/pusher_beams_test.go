package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const testBeamsInstance = "8f9a6e22-2483-49aa-8552-125f1a4c5781"

// TestPusherBeamsGolden: the claims and their order are the SDK's
// generateToken (iat, exp, iss, sub), byte for byte.
func TestPusherBeamsGolden(t *testing.T) {
	tmpl := compile(t, "pusher_beams", Config{Key: testBeamsInstance})
	const iss = `"iss":"https://` + testBeamsInstance + `.pushnotifications.pusher.com"`
	for _, tc := range []struct {
		name   string
		params map[string]Value
		want   string
	}{
		{"no user_id: the session's user", nil, `{"iat":1764000000,"exp":1764086400,` + iss + `,"sub":"user-001"}`},
		{"the SDK's user_id, the same user", map[string]Value{"user_id": S("user-001")},
			`{"iat":1764000000,"exp":1764086400,` + iss + `,"sub":"user-001"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := golden(t, tmpl, bodyInput("user-001", tc.params), hs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"token":"`+m.Token+`"}`)
		})
	}
	short := compile(t, "pusher_beams", Config{Key: testBeamsInstance, TTL: time.Hour})
	golden(t, short, bodyInput("u", nil), hs256Header, `{"iat":1764000000,"exp":1764003600,`+iss+`,"sub":"u"}`)
}

func TestPusherBeamsRefusals(t *testing.T) {
	tmpl := compile(t, "pusher_beams", Config{Key: testBeamsInstance})
	refusals(t, tmpl, []refusalCase{
		{"no user", bodyInput("", nil), http.StatusUnauthorized, ""},
		{"another user's user_id", bodyInput("user-001", map[string]Value{"user_id": S("user-002")}), http.StatusForbidden, "user_id"},
		{"a user id of 165 characters", bodyInput(strings.Repeat("u", 165), nil), http.StatusBadRequest, "sub"},
		{"user_id of 165 characters", bodyInput("u", map[string]Value{"user_id": S(strings.Repeat("u", 165))}), http.StatusBadRequest, "user_id"},
		{"user_id a list", bodyInput("u", map[string]Value{"user_id": L("u", "v")}), http.StatusBadRequest, "user_id"},
	})
}

func TestPusherBeamsConfigErrors(t *testing.T) {
	p, _ := Lookup("pusher_beams")
	s := mustHMAC(t, "HS256", testSecret)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no instance id", Config{Signer: s}, "needs `key <value>`"},
		{"an instance id with a slash", Config{Signer: s, Key: "a/b"}, "Beams instance id"},
		{"iss set", Config{Signer: s, Key: testBeamsInstance, Claims: map[string][]string{"iss": {"https://evil"}}}, "carries the key"},
		{"ttl above 24h", Config{Signer: s, Key: testBeamsInstance, TTL: 25 * time.Hour}, "maximum"},
		{"RS256", Config{Signer: mustAsym(t, "RS256", testRSAKey()), Key: testBeamsInstance}, "signed with HS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
