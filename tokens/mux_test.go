package tokens

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	muxKID      = "sb9R00iH5Q5KagedjCsj02a0202Ri02WI7eUPaXearRBLuok"
	muxPlayback = "Tkgk5LC6an93zK1sDdaPkebJAdx0001E2A00kY1hXzDQ4g"
)

func muxConfig(t testing.TB, over func(*Config)) Config {
	return withConfig(Config{Key: muxKID, Signer: mustAsym(t, "RS256", testRSAKey()),
		Claims: map[string][]string{"sub": {muxPlayback}}}, over)
}

// TestMuxGolden: the SDK's claim order (params, kid, sub, aud, exp), no iat,
// and the SDK's multi-token member for the route's type.
func TestMuxGolden(t *testing.T) {
	const other = "OtherPlaybackId0123"
	for _, tc := range []struct {
		name   string
		cfg    Config
		params map[string]Value
		want   string
		answer string
	}{
		{"video, the docs' example", muxConfig(t, nil), nil,
			`{"kid":"` + muxKID + `","sub":"` + muxPlayback + `","aud":"v","exp":1764003600}`, "playback-token"},
		{"thumbnail with the request's time and width", muxConfig(t, func(c *Config) {
			c.Options = map[string]string{"type": "thumbnail"}
		}), map[string]Value{"time": S("14.5"), "width": S("100")},
			`{"time":14.5,"width":100,"kid":"` + muxKID + `","sub":"` + muxPlayback + `","aud":"t","exp":1764003600}`, "thumbnail-token"},
		{"storyboard, a restriction, ttl 1d", muxConfig(t, func(c *Config) {
			c.Options = map[string]string{"type": "storyboard"}
			c.Claims["playback_restriction_id"] = []string{"JL88SKXTr7r2t9tMS8Z01l"}
			c.TTL = 24 * time.Hour
		}), nil, `{"playback_restriction_id":"JL88SKXTr7r2t9tMS8Z01l","kid":"` + muxKID + `","sub":"` + muxPlayback + `","aud":"s","exp":1764086400}`, "storyboard-token"},
		{"an allowed playback id from the request", muxConfig(t, func(c *Config) {
			c.Allow = map[string][]string{"sub": {muxPlayback, other}}
			c.Options = map[string]string{"type": "drm_license"}
		}), map[string]Value{"playback_id": S(other)},
			`{"kid":"` + muxKID + `","sub":"` + other + `","aud":"d","exp":1764003600}`, "drm-token"},
		{"gif", muxConfig(t, func(c *Config) { c.Options = map[string]string{"type": "gif"} }), map[string]Value{"height": S("200")},
			`{"height":200,"kid":"` + muxKID + `","sub":"` + muxPlayback + `","aud":"g","exp":1764003600}`, "gif-token"},
		{"stats", muxConfig(t, func(c *Config) { c.Options = map[string]string{"type": "stats"} }), nil,
			`{"kid":"` + muxKID + `","sub":"` + muxPlayback + `","aud":"playback_id","exp":1764003600}`, "stats-token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := compile(t, "mux", tc.cfg)
			m := goldenKey(t, tmpl, bodyInput("alice", tc.params), testRSAKey().Public(), rs256Header, tc.want)
			if got := rawPayload(t, m.Token); got != tc.want {
				t.Errorf("raw payload:\n got %s\nwant %s", got, tc.want)
			}
			if m.IssuedAt != now.Unix() {
				t.Errorf("Minted.IssuedAt = %d, want %d", m.IssuedAt, now.Unix())
			}
			wantAnswer(t, tmpl, &m, 200, "application/json", `{"`+tc.answer+`":"`+m.Token+`"}`)
		})
	}
}

func TestMuxRefusals(t *testing.T) {
	tmpl := compile(t, "mux", muxConfig(t, func(c *Config) { c.Allow = map[string][]string{"sub": {muxPlayback, "Second1"}} }))
	refusals(t, tmpl, []refusalCase{
		{"no user", bodyInput("", nil), http.StatusUnauthorized, ""},
		{"a playback id outside allow", bodyInput("u", map[string]Value{"playback_id": S("Another1")}), http.StatusForbidden, "playback_id"},
		{"a playback id with a slash", bodyInput("u", map[string]Value{"playback_id": S("a/b")}), http.StatusBadRequest, "playback_id"},
		{"width not an integer", bodyInput("u", map[string]Value{"width": S("wide")}), http.StatusBadRequest, "width"},
		{"width 0", bodyInput("u", map[string]Value{"width": S("0")}), http.StatusBadRequest, "width"},
		{"time negative", bodyInput("u", map[string]Value{"time": S("-1")}), http.StatusBadRequest, "time"},
	})
	pinned := compile(t, "mux", muxConfig(t, nil))
	refusal(t, pinned, bodyInput("u", map[string]Value{"playback_id": S("Another1")}), http.StatusForbidden, "playback_id")

	p, _ := Lookup("mux")
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no playback id", muxConfig(t, func(c *Config) { c.Claims = nil }), "needs `claim sub <value>`"},
		{"no signing key id", muxConfig(t, func(c *Config) { c.Key = "" }), "needs `key <value>`"},
		{"aud as a claim", muxConfig(t, func(c *Config) { c.Claims["aud"] = []string{"t"} }), "set `option type"},
		{"an unknown type", muxConfig(t, func(c *Config) { c.Options = map[string]string{"type": "audio"} }), "option type must be one of"},
		{"ttl above 7 days", muxConfig(t, func(c *Config) { c.TTL = 8 * 24 * time.Hour }), "maximum"},
		{"ES256", muxConfig(t, func(c *Config) { c.Signer = mustAsym(t, "ES256", testP256Key()) }), "signed with RS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(p, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
