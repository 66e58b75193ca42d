package caddymodule

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// TestClaimValuesAsWritten: literal JSON stays JSON, \{ escapes keep their
// braces, and a claim mixing a literal with a placeholder renders both.
func TestClaimValuesAsWritten(t *testing.T) {
	t.Setenv("TM_SECRET", testSecret)
	h := &Handler{Preset: "jwt", Secret: "{env.TM_SECRET}", Session: &Session{Method: "anonymous"},
		Claims: map[string][]string{
			"obj":    {`{"chat:*":["publish","subscribe"],"n":1}`},
			"tmpl":   {`https://example.com/books/\{id\}`},
			"mixed":  {`https://example.com/books/\{id\}`, `https://example.com/users/{http.auth.user.id}/\{resource\}`},
			"inside": {`\{"user":"{http.auth.user.id}"\}`},
		},
		Types: map[string]string{"obj": "object", "mixed": "array", "inside": "object"},
	}
	tmpl, err := h.compile("", true)
	if err != nil {
		t.Fatal(err)
	}
	repl := caddy.NewReplacer()
	repl.Set("http.auth.user.id", "alice")
	q := &request{r: httptest.NewRequest("GET", "/", nil), repl: repl, h: h}
	m, terr := tmpl.Mint(time.Now(), tokens.Input{Request: q})
	if terr != nil {
		t.Fatal(terr)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(m.Token, ".")[1])
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"obj":    map[string]any{"chat:*": []any{"publish", "subscribe"}, "n": float64(1)},
		"tmpl":   "https://example.com/books/{id}",
		"mixed":  []any{"https://example.com/books/{id}", "https://example.com/users/alice/{resource}"},
		"inside": map[string]any{"user": "alice"},
	}
	for k, v := range want {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("%s = %#v, want %#v", k, c[k], v)
		}
	}
}
