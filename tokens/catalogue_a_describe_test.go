package tokens

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestCatalogueADescribe: what `caddy provider-token presets` and inspect
// say about catalogue II's part A agrees with the tokens the presets mint:
// CheckToken finds nothing to object to in each golden config's token, and
// the header listing names the fields the key or the config fill.
func TestCatalogueADescribe(t *testing.T) {
	for i := range fuzzPresetCases {
		c := &fuzzPresetCases[i]
		switch c.preset {
		case "mux", "cloudflare_stream", "knock", "vonage", "vonage_video", "pusher_beams",
			"tableau", "intercom", "tiptap", "mapkit", "weatherkit", "zendesk":
		default:
			continue
		}
		t.Run(c.preset, func(t *testing.T) {
			cfg := c.cfg
			switch c.alg {
			case "RS256":
				cfg.Signer = mustAsym(t, "RS256", testRSAKey())
			case "ES256":
				cfg.Signer = mustAsym(t, "ES256", testP256Key())
			}
			tmpl := compile(t, c.preset, cfg)
			in := bodyInput("user_1234", c.base)
			in.Request.(*fakeRequest).vars = map[string]string{"user": "user_1234", "a": "x", "b": "1", "c": "{}"}
			m, err := tmpl.Mint(now, in)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(m.Token, ".")
			h, _ := base64.RawURLEncoding.DecodeString(parts[0])
			pl, _ := base64.RawURLEncoding.DecodeString(parts[1])
			if probs := tmpl.Preset().CheckToken(h, pl); len(probs) != 0 {
				t.Errorf("CheckToken: %v", probs)
			}
			if _, err := json.Marshal(tmpl.Preset().Describe()); err != nil {
				t.Errorf("Describe does not marshal: %v", err)
			}
		})
	}
	want := map[string][]HeaderFieldInfo{
		"cloudflare_stream": {{Name: "kid", Value: json.RawMessage(`"<key>"`), Source: SourceKey}},
		"weatherkit": {{Name: "id", Value: json.RawMessage(`"<key>"`), Source: SourceKey},
			{Name: "kid", Value: json.RawMessage(`"<required>"`), Source: SourceConfig}},
		"zendesk": {{Name: "typ", Value: json.RawMessage(`"JWT"`)}, {Name: "kid", Value: json.RawMessage(`"<required>"`), Source: SourceConfig}},
	}
	for name, hdr := range want {
		p, _ := Lookup(name)
		if got := p.Describe().Header; !reflect.DeepEqual(got, hdr) {
			t.Errorf("%s: Describe().Header = %s, want %s", name, mustMarshalText(got), mustMarshalText(hdr))
		}
	}
	if p, _ := Lookup("weatherkit"); p.Describe().Key.Claim != "iss, sub" {
		t.Errorf("weatherkit's key fills %q, want iss, sub", p.Describe().Key.Claim)
	}
}

func mustMarshalText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
