package tokens

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDescribeEveryPreset(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			p, _ := Lookup(name)
			info := p.Describe()
			if info.Name != name || info.Summary != p.Summary {
				t.Errorf("name, summary = %q, %q; want %q, %q", info.Name, info.Summary, name, p.Summary)
			}
			if len(info.Algorithms) == 0 {
				t.Error("no algorithms")
			}
			if len(info.Claims) != len(p.Claims) {
				t.Errorf("%d claims described, the schema has %d", len(info.Claims), len(p.Claims))
			}
			for _, c := range info.Claims {
				if c.Source == "" || c.Type == "" {
					t.Errorf("claim %s: source %q, type %q", c.Name, c.Source, c.Type)
				}
				if c.Default != nil && !json.Valid(c.Default) {
					t.Errorf("claim %s: default %s is not JSON", c.Name, c.Default)
				}
			}
			if (info.TTL != nil) != p.HasExpiry() {
				t.Errorf("ttl described: %v, the tokens carry exp: %v", info.TTL != nil, p.HasExpiry())
			}
			if !strings.Contains(info.Response.Example, "<token>") {
				t.Errorf("example body %s holds no <token>", info.Response.Example)
			}
			if info.Response.ContentType == "application/json" && !json.Valid([]byte(info.Response.Example)) {
				t.Errorf("example body %s is not JSON", info.Response.Example)
			}
			if _, err := json.Marshal(info); err != nil {
				t.Errorf("json.Marshal: %v", err)
			}
		})
	}
}

func claimInfo(t *testing.T, info PresetInfo, name string) ClaimInfo {
	t.Helper()
	for _, c := range info.Claims {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("%s has no claim %s", info.Name, name)
	return ClaimInfo{}
}

func TestDescribeHMSApp(t *testing.T) {
	p, _ := Lookup("hms_app")
	info := p.Describe()
	cases := []struct {
		claim string
		want  ClaimInfo
	}{
		{"access_key", ClaimInfo{Name: "access_key", Type: "string", Doc: "the app access key", Required: true, Source: SourceKey}},
		{"room_id", ClaimInfo{Name: "room_id", Type: "string", Required: true, Source: SourceRequest, RequestFields: []string{"room_id"},
			Limits: &LimitsInfo{MaxLength: 128, Charset: "letters, digits and . _ : @ -"}}},
		{"user_id", ClaimInfo{Name: "user_id", Type: "string", Required: true, Source: SourceUser, RequestFields: []string{"user_id"},
			Limits: &LimitsInfo{MaxLength: 256, Charset: "printable characters (no control characters)"}}},
		{"role", ClaimInfo{Name: "role", Type: "string", Doc: "a role of the room's template", Required: true, Source: SourceConfig,
			RequestFields: []string{"role"}, Privileged: true, Limits: &LimitsInfo{MaxLength: 100, Charset: "letters, digits and . _ : @ -"}}},
		{"type", ClaimInfo{Name: "type", Type: "string", Required: true, Source: SourceConst, Default: json.RawMessage(`"app"`)}},
		{"version", ClaimInfo{Name: "version", Type: "integer", Required: true, Source: SourceConst, Default: json.RawMessage(`2`)}},
		{"iat", ClaimInfo{Name: "iat", Type: "time", Required: true, Source: SourceGenerated, Generated: "now"}},
		{"nbf", ClaimInfo{Name: "nbf", Type: "time", Required: true, Source: SourceGenerated, Generated: "iat"}},
		{"exp", ClaimInfo{Name: "exp", Type: "time", Required: true, Source: SourceGenerated, Generated: "iat + ttl"}},
		{"jti", ClaimInfo{Name: "jti", Type: "string", Required: true, Source: SourceGenerated, Generated: "random UUIDv4"}},
	}
	for _, tc := range cases {
		if got := claimInfo(t, info, tc.claim); !reflect.DeepEqual(got, tc.want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(tc.want)
			t.Errorf("claim %s:\n got %s\nwant %s", tc.claim, gj, wj)
		}
	}
	if want := (&TTLInfo{Default: "24h", Min: "1m", Max: "30d", DefaultSeconds: 86400, MinSeconds: 60, MaxSeconds: 2592000}); !reflect.DeepEqual(info.TTL, want) {
		t.Errorf("ttl = %+v, want %+v", info.TTL, want)
	}
	if want := (&KeyInfo{Claim: "access_key", Required: true, Doc: "the app access key"}); !reflect.DeepEqual(info.Key, want) {
		t.Errorf("key = %+v, want %+v", info.Key, want)
	}
	var fields []string
	for _, r := range info.Request {
		fields = append(fields, r.Field+"->"+r.Claim)
	}
	if got, want := strings.Join(fields, " "), "room_id->room_id user_id->user_id role->role"; got != want {
		t.Errorf("request = %s, want %s", got, want)
	}
	wantResp := ResponseInfo{
		Status: 200, ContentType: "application/json",
		Example:        `{"token":"<token>","msg":"Token generated successfully!","success":true}`,
		RefusalStatus:  400,
		RefusalExample: `{"msg":"room_id: is required","success":false,"error":"invalid_request","field":"room_id"}`,
	}
	if !reflect.DeepEqual(info.Response, wantResp) {
		t.Errorf("response:\n got %+v\nwant %+v", info.Response, wantResp)
	}
}

func TestDescribeZoomVideo(t *testing.T) {
	p, _ := Lookup("zoom_video")
	info := p.Describe()
	if info.TTL.RequestField != "expirationSeconds" || info.TTL.Max != "48h" || info.TTL.Min != "30m" || info.TTL.Default != "2h" {
		t.Errorf("ttl = %+v", info.TTL)
	}
	role := claimInfo(t, info, "role_type")
	if role.Source != SourceConfig || !role.Privileged || string(role.Default) != "0" || !reflect.DeepEqual(role.Limits.Enum, []string{"0", "1"}) {
		t.Errorf("role_type = %+v", role)
	}
	last := info.Request[len(info.Request)-1]
	if last.Field != "expirationSeconds" || last.Claim != "exp" {
		t.Errorf("last request field = %+v, want expirationSeconds -> exp", last)
	}
	if info.Response.Example != `{"signature":"<token>"}` {
		t.Errorf("example = %s", info.Response.Example)
	}
	if got, want := info.Response.RefusalExample, `{"errors":[{"property":"sessionName","reason":"is required"}]}`; got != want || info.Response.RefusalStatus != 400 {
		t.Errorf("refusal = %d %s, want 400 %s", info.Response.RefusalStatus, got, want)
	}
}

func TestDescribeDataBridgesAndJWT(t *testing.T) {
	db, _ := Lookup("databridges")
	info := db.Describe()
	if info.TTL != nil || !info.Response.InBand || info.Response.RefusalStatus != 200 || !info.OwnRules {
		t.Errorf("databridges: ttl %v, in band %v, refusal status %d, own rules %v", info.TTL, info.Response.InBand, info.Response.RefusalStatus, info.OwnRules)
	}
	if c := claimInfo(t, info, "conn_info"); c.Source != SourceObject || !c.Required {
		t.Errorf("conn_info = %+v", c)
	}
	if c := claimInfo(t, info, "conn_info.sysinfo"); string(c.Default) != "{}" {
		t.Errorf("conn_info.sysinfo default = %s", c.Default)
	}
	if info.Key == nil || !info.Key.Required || info.Key.Claim != "" {
		t.Errorf("key = %+v, want required and in no claim", info.Key)
	}

	j, _ := Lookup("jwt")
	info = j.Describe()
	if !info.FreeForm || info.Key != nil || !reflect.DeepEqual(info.Algorithms, []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}) {
		t.Errorf("jwt: free-form %v, key %v, algorithms %v", info.FreeForm, info.Key, info.Algorithms)
	}
	if want := `{"token":"<token>","expires_at":1767229200}`; info.Response.Example != want {
		t.Errorf("jwt example = %s, want %s", info.Response.Example, want)
	}
}

// TestDescribeKeysAndExamples: a key that only fills a header field is
// described as required (Ably's kid; Compile refuses a config without it),
// and the example answers show options' defaults and placeholders for
// required options and the key instead of empty strings.
func TestDescribeKeysAndExamples(t *testing.T) {
	info := func(name string) PresetInfo {
		p, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		return p.Describe()
	}
	if k := info("ably").Key; k == nil || !k.Required || k.Claim != "" || k.Doc == "" {
		t.Errorf("ably key = %+v, want required, in no claim, with a doc", k)
	}
	for name, want := range map[string]string{
		"livekit":      `{"server_url":"<server_url>","participant_token":"<token>"}`,
		"metabase":     `{"token":"<token>","url":"<site_url>/embed/dashboard/<token>#bordered=true&titled=true"}`,
		"zoom_meeting": `{"signature":"<token>","sdkKey":"<key>"}`,
	} {
		if got := info(name).Response.Example; got != want {
			t.Errorf("%s example = %s, want %s", name, got, want)
		}
	}
}

func TestDescribeDurationText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", time.Second: "1s", 90 * time.Second: "1m30s", 30 * time.Minute: "30m", 90 * time.Minute: "1h30m",
		2 * time.Hour: "2h", 48 * time.Hour: "48h", 72 * time.Hour: "72h", 30 * 24 * time.Hour: "30d",
		366 * 24 * time.Hour: "366d", 7*24*time.Hour + time.Hour: "169h", -5 * time.Minute: "-5m",
	} {
		if got := DurationText(d); got != want {
			t.Errorf("DurationText(%s) = %q, want %q", d, got, want)
		}
	}
}

// describeSegments mints bp's preset and returns the decoded header and
// payload.
func describeSegments(t *testing.T, preset string, cfg Config, user string, params map[string]Value) (map[string]any, map[string]any) {
	t.Helper()
	tmpl := compile(t, preset, cfg)
	m, err := tmpl.Mint(now, Input{User: user, Request: &fakeRequest{params: params}, Contract: true})
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	parts := strings.Split(m.Token, ".")
	var segs [2]map[string]any
	for i := range segs {
		raw, _ := base64.RawURLEncoding.DecodeString(parts[i])
		if err := json.Unmarshal(raw, &segs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return segs[0], segs[1]
}

func describeCheck(t *testing.T, preset string, header, payload map[string]any) []string {
	t.Helper()
	p, _ := Lookup(preset)
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(payload)
	var out []string
	for _, pr := range p.CheckToken(h, c) {
		out = append(out, pr.String())
	}
	return out
}

func TestDescribeCheckTokenPassesMintedTokens(t *testing.T) {
	for _, bp := range benchPresets {
		t.Run(bp.preset, func(t *testing.T) {
			h, c := describeSegments(t, bp.preset, bp.cfg, bp.user, bp.params)
			if got := describeCheck(t, bp.preset, h, c); len(got) != 0 {
				t.Errorf("problems with a token the preset minted: %q", got)
			}
		})
	}
}

func TestDescribeCheckTokenFindsProblems(t *testing.T) {
	hms := func(t *testing.T) (map[string]any, map[string]any) {
		return describeSegments(t, "hms_app", benchPresets[0].cfg, "alice", map[string]Value{"room_id": S("r1")})
	}
	zoom := func(t *testing.T) (map[string]any, map[string]any) {
		return describeSegments(t, "zoom_video", Config{Key: "zk"}, "alice", map[string]Value{"sessionName": S("Cool Cars")})
	}
	db := func(t *testing.T) (map[string]any, map[string]any) {
		return describeSegments(t, "databridges", benchPresets[5].cfg, "alice", benchPresets[5].params)
	}
	cases := []struct {
		name   string
		preset string
		token  func(*testing.T) (map[string]any, map[string]any)
		change func(h, c map[string]any)
		want   []string
	}{
		{"missing required claim", "hms_app", hms, func(h, c map[string]any) { delete(c, "room_id") },
			[]string{"room_id: missing (required)"}},
		{"missing generated claim", "hms_app", hms, func(h, c map[string]any) { delete(c, "jti") },
			[]string{"jti: missing (required)"}},
		{"empty required claim", "hms_app", hms, func(h, c map[string]any) { c["user_id"] = "" },
			[]string{"user_id: empty (required)"}},
		{"extra claim", "hms_app", hms, func(h, c map[string]any) { c["admin"] = true },
			[]string{"admin: not a claim of hms_app tokens"}},
		{"integer as a string", "zoom_video", zoom, func(h, c map[string]any) { c["role_type"] = "1" },
			[]string{`role_type: want integer, got string "1"`}},
		{"fraction for an integer", "zoom_video", zoom, func(h, c map[string]any) { c["role_type"] = 0.5 },
			[]string{`role_type: want integer, got number 0.5`}},
		{"time as a string", "zoom_video", zoom, func(h, c map[string]any) { c["exp"] = "tomorrow" },
			[]string{`exp: want NumericDate (a number of seconds), got string "tomorrow"`}},
		{"enum", "zoom_video", zoom, func(h, c map[string]any) { c["role_type"] = 2 },
			[]string{`role_type: must be one of "0", "1", got 2`}},
		{"max length", "zoom_video", zoom, func(h, c map[string]any) { c["tpc"] = strings.Repeat("a", 201) },
			[]string{"tpc: must be at most 200 characters long, got 201"}},
		{"charset", "hms_app", hms, func(h, c map[string]any) { c["room_id"] = "room#1" },
			[]string{`room_id: may hold only letters, digits and . _ : @ -, got '#' at offset 4`}},
		{"constant differs", "hms_app", hms, func(h, c map[string]any) { c["type"] = "management" },
			[]string{`type: want "app" (fixed by the provider), got "management"`}},
		{"ttl above the maximum", "zoom_video", zoom, func(h, c map[string]any) { c["exp"] = c["iat"].(float64) + 72*3600 },
			[]string{"exp - iat = 72h, above zoom_video's maximum 48h"}},
		{"ttl below the minimum", "zoom_video", zoom, func(h, c map[string]any) { c["exp"] = c["iat"].(float64) + 600 },
			[]string{"exp - iat = 10m, below zoom_video's minimum 30m"}},
		{"exp before iat", "hms_app", hms, func(h, c map[string]any) { c["exp"] = c["iat"].(float64) - 60 },
			[]string{"exp - iat = -1m: the token expires before it is issued"}},
		{"algorithm", "hms_app", hms, func(h, c map[string]any) { h["alg"] = "HS512" },
			[]string{`header alg: "HS512", but hms_app tokens are signed with HS256`}},
		{"no algorithm", "hms_app", hms, func(h, c map[string]any) { delete(h, "alg") },
			[]string{"header alg: missing; hms_app tokens are signed with HS256"}},
		{"nested extra claim and wrong member type", "databridges", db, func(h, c map[string]any) {
			ci := c["conn_info"].(map[string]any)
			ci["sysid"] = 7
			ci["role"] = "admin"
		}, []string{"conn_info.sysid: want string, got number 7", "conn_info.role: not a claim of databridges tokens"}},
		{"object of claims not an object", "databridges", db, func(h, c map[string]any) { c["conn_info"] = "x" },
			[]string{`conn_info: want object, got string "x"`}},
		{"array element type", "videosdk", func(t *testing.T) (map[string]any, map[string]any) {
			return describeSegments(t, "videosdk", Config{Key: "k"}, "alice", nil)
		}, func(h, c map[string]any) { c["permissions"] = []any{"allow_join", 1} },
			[]string{"permissions: want array of strings, got number 1 at [1]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, c := tc.token(t)
			tc.change(h, c)
			if got := describeCheck(t, tc.preset, h, c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDescribeCheckTokenHeaderFields(t *testing.T) {
	// No registered preset has header fields yet; a private one checks them.
	p := &Preset{Name: "twilio_like", Header: []HeaderField{{Name: "cty", Value: `"twilio-fpa;v=1"`}},
		Claims: []Claim{{Name: "iss", Type: String, Required: true}}}
	for _, tc := range []struct {
		header string
		want   []string
	}{
		{`{"alg":"HS256","typ":"JWT","cty":"twilio-fpa;v=1"}`, nil},
		{`{"alg":"HS256","typ":"JWT"}`, []string{`header cty: missing (twilio_like requires "twilio-fpa;v=1")`}},
		{`{"alg":"HS256","typ":"JWT","cty":"JWT"}`, []string{`header cty: want "twilio-fpa;v=1", got "JWT"`}},
	} {
		var got []string
		for _, pr := range p.CheckToken([]byte(tc.header), []byte(`{"iss":"me"}`)) {
			got = append(got, pr.String())
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("header %s: problems %q, want %q", tc.header, got, tc.want)
		}
	}
	if got := p.CheckToken([]byte(`[]`), []byte(`{}`)); len(got) != 1 || got[0].String() != "header: is not a JSON object" {
		t.Errorf("a header that is no object: %v", got)
	}
}
