package caddymodule

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestREADMEJSONConfig loads README's JSON form of provider_token (the
// first json block of "### JSON config") into a real Caddy, as a route's
// handler, and mints with it: the documented fields mean what README says.
func TestREADMEJSONConfig(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(raw)
	i := strings.Index(section, "\n### JSON config")
	if i < 0 {
		t.Fatal("README has no JSON config section")
	}
	section = section[i:]
	j := strings.Index(section, "```json\n")
	if j < 0 {
		t.Fatal("README's JSON config section has no json block")
	}
	block := section[j+len("```json\n"):]
	block = block[:strings.Index(block, "```")]
	var handler map[string]any
	if err := json.Unmarshal([]byte(block), &handler); err != nil {
		t.Fatalf("README's JSON is not JSON: %v", err)
	}
	t.Setenv("HMS_ACCESS_KEY", "readme-access-key")
	t.Setenv("HMS_SECRET", testSecret)
	t.Setenv("SESSION_SECRET", sessionSecret)
	config := map[string]any{
		"admin": map[string]any{"listen": "localhost:" + adminPort},
		"apps": map[string]any{"http": map[string]any{
			"http_port": json.Number(httpPort), "grace_period": 1,
			"servers": map[string]any{"srv0": map[string]any{
				"listen": []string{":" + httpPort},
				"routes": []any{map[string]any{"handle": []any{handler}}},
			}},
		}},
	}
	text, _ := json.Marshal(config)
	tester := startFresh(t, string(text), "json")
	cookie := "app_session=" + signHS(t, session("alice"), sessionSecret)
	r := call(t, tester, "GET", "/?room=lobby", "", "Cookie", cookie, "Origin", "https://app.example.com")
	wantStatus(t, r, 200)
	if r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("cors from README's JSON: headers %v", r.header)
	}
	_, c := claims(t, r.json(t)["token"].(string), "HS256", testSecret)
	if c["user_id"] != "alice" || c["room_id"] != "lobby" || c["role"] != "guest" || c["access_key"] != "readme-access-key" {
		t.Errorf("claims %v, want user_id alice, room_id lobby, role guest and the key from the environment", c)
	}
	if d := num(t, c["exp"]) - num(t, c["iat"]); d != 7200 {
		t.Errorf("exp - iat = %d, want README's ttl 2h", d)
	}
	wantStatus(t, call(t, tester, "GET", "/?room=lobby&role=host", "", "Cookie", cookie), 200)
	wantStatus(t, call(t, tester, "GET", "/?room=lobby&role=admin", "", "Cookie", cookie), 403)
}
