package tokens

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestRequiredHeaderField: a preset that needs a header field (JaaS's kid)
// does not compile without it.
func TestRequiredHeaderField(t *testing.T) {
	p, _ := Lookup("jaas")
	cfg := Config{Signer: mustAsym(t, "RS256", testRSAKey()), Claims: map[string][]string{"sub": {"vpaas-magic-cookie-1fc542a3e4414a44b2611668195e2bfe"}}}
	if _, err := Compile(p, cfg); err == nil || !strings.Contains(err.Error(), "`kid <value>`") {
		t.Fatalf("Compile without kid: %v, want an error naming `kid <value>`", err)
	}
}

// TestOptionHeader: an option value can set header fields (Mercure's 1.0
// profile is an at+jwt access token).
func TestOptionHeader(t *testing.T) {
	for profile, want := range map[string]string{"0.x": `"typ":"JWT"`, "1.0": `"typ":"at+jwt"`} {
		cfg := Config{Options: map[string]string{"profile": profile},
			Claims: map[string][]string{"iss": {"https://app.example"}, "aud": {"https://hub.example"}, "mercure.subscribe": {"https://example.com/x"}}}
		tmpl := compile(t, "mercure", cfg)
		m, err := tmpl.Mint(now, Input{User: "u"})
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		h, _ := base64.RawURLEncoding.DecodeString(strings.Split(m.Token, ".")[0])
		if !strings.Contains(string(h), want) {
			t.Errorf("profile %s: header %s, want %s", profile, h, want)
		}
	}
}
