package caddymodule

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
)

// FuzzCaddyfile feeds arbitrary text to the provider_token directive's
// parser, as the Caddyfile adapter would: tokenized, placeholder shorthands
// expanded, handed to UnmarshalCaddyfile. (Calling the parser directly is
// far faster than adapting a whole site, and leaves the global adapter
// alone.)
//
// Properties: UnmarshalCaddyfile either refuses with a non-empty error that
// names the file and line, or yields a Handler whose JSON (what Caddy
// actually loads) unmarshals into a fresh Handler that marshals to the same
// bytes, and that fresh Handler passes the same adapt-time check: a config
// that adapts must not fail to load.
//
// Seeds: every provider_token block in README.md and Caddyfile.example, and
// the bad blocks of TestBadCaddyfiles.
func FuzzCaddyfile(f *testing.F) {
	for _, path := range []string{"../README.md", "../Caddyfile.example"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		blocks := fuzzProviderTokenBlocks(string(data))
		if len(blocks) == 0 {
			f.Fatalf("%s: no provider_token block found; the seed extraction is out of date", path)
		}
		for _, b := range blocks {
			f.Add(b)
		}
	}
	for _, b := range fuzzBadCaddyfileBlocks {
		f.Add(b)
	}
	replacer := httpcaddyfile.NewShorthandReplacer()

	f.Fuzz(func(t *testing.T, text string) {
		toks, err := caddyfile.Tokenize([]byte(text), "Caddyfile")
		if err != nil || len(toks) == 0 || toks[0].Text != "provider_token" {
			return // the adapter would never call the directive's parser
		}
		seg := caddyfile.Segment(toks)
		replacer.ApplyToSegment(&seg)

		h := new(Handler)
		if err := h.UnmarshalCaddyfile(caddyfile.NewDispenser(seg)); err != nil {
			msg := err.Error()
			if strings.TrimSpace(msg) == "" {
				t.Fatalf("UnmarshalCaddyfile(%q): empty error", text)
			}
			if !strings.Contains(msg, ", at Caddyfile:") {
				t.Fatalf("UnmarshalCaddyfile(%q): error %q does not name the file and line", text, msg)
			}
			return
		}

		first, err := json.Marshal(h)
		if err != nil {
			t.Fatalf("UnmarshalCaddyfile(%q) accepted a handler that does not marshal: %v", text, err)
		}
		fresh := new(Handler)
		if err := json.Unmarshal(first, fresh); err != nil {
			t.Fatalf("UnmarshalCaddyfile(%q): its JSON %s does not unmarshal: %v", text, first, err)
		}
		second, err := json.Marshal(fresh)
		if err != nil {
			t.Fatalf("UnmarshalCaddyfile(%q): the round-tripped handler does not marshal: %v", text, err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("UnmarshalCaddyfile(%q): JSON round trip differs:\n got %s\nwant %s", text, second, first)
		}
		// The same adapt-time check, on what Caddy will load.
		key := fresh.Key
		if len(placeholderKeys(key)) > 0 {
			key = "adapt-time-key"
		}
		if _, err := fresh.compile(key, false); err != nil {
			t.Fatalf("UnmarshalCaddyfile(%q) accepted a config whose JSON %s fails the adapt-time check: %v", text, first, err)
		}
	})
}

// fuzzProviderTokenBlocks returns the provider_token blocks of a README or a
// Caddyfile: from a line that starts with provider_token to the line that
// closes its braces, dedented. Placeholders open and close their braces on
// one line, so counting braces per line finds the block's end.
func fuzzProviderTokenBlocks(text string) []string {
	var blocks []string
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimLeft(lines[i], " \t")
		if !strings.HasPrefix(trimmed, "provider_token ") {
			continue
		}
		indent := lines[i][:len(lines[i])-len(trimmed)]
		var b strings.Builder
		depth := 0
		for j := i; j < len(lines); j++ {
			b.WriteString(strings.TrimPrefix(lines[j], indent))
			b.WriteByte('\n')
			depth += strings.Count(lines[j], "{") - strings.Count(lines[j], "}")
			if depth <= 0 {
				i = j
				break
			}
		}
		blocks = append(blocks, b.String())
	}
	return blocks
}

// fuzzBadCaddyfileBlocks are TestBadCaddyfiles' blocks (kept in step by
// hand: that table is local to its test).
var fuzzBadCaddyfileBlocks = []string{
	"provider_token zoom_videos {\n\tsecret x\n}",
	"provider_token {\n\tsecret x\n}",
	"provider_token hms_app {\n\tkey k\n\tclaim role host\n}",
	"provider_token hms_app {\n\tsecret x\n\tsecrte y\n}",
	"provider_token hms_app {\n\tsecret x\n\tttl 2 hours\n}",
	"provider_token hms_app {\n\tsecret x\n\tttl forever\n}",
	"provider_token zoom_video {\n\tsecret x\n\tttl 10m\n}",
	"provider_token zoom_video {\n\tsecret x\n\tttl 72h\n}",
	"provider_token databridges {\n\tsecret x\n\tttl 1h\n}",
	"provider_token hms_app {\n\tsecret x\n\tallow rol host\n}",
	"provider_token zoom_video {\n\tsecret x\n\tclaim topic y\n}",
	"provider_token hms_app {\n\tkey k\n\tsecret x\n}",
	"provider_token hms_app {\n\tsecret x\n\tclaim role host\n}",
	"provider_token hms_app {\n\tkey k\n\tsecret x\n\tclaim role {query.role}\n}",
	"provider_token videosdk {\n\tkey k\n\tsecret x\n\tclaim permissions allow_everything\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession cookie\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tissuer https://id.example\n\t}\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecrets s\n\t}\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\talgorithms none\n\t}\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\talgorithms RS256\n\t}\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tsecret s\n\t\tfrom body token\n\t}\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession jwt {\n\t\tjwks file:///etc/keys\n\t}\n}",
	"provider_token hms_app {\n\tsecret x\n\tsession header\n}",
	"provider_token hms_app {\n\tsecret x\n\tinject Authorization\n}",
	"provider_token hms_app {\n\tkey k\n\tsecret x\n\tclaim role host\n\talgorithm HS512\n}",
	"provider_token jwt {\n\tsecret x\n\tclaim n 1\n\ttype n float\n}",
	"provider_token jwt {\n\tsecret x\n\tclaim n 1\n\tclaim n 2\n}",
	"provider_token jwt {\n\tsecret x\n\tclaim exp 1\n}",
	"provider_token jwt {\n\tsecret x\n\tmax_body lots\n}",
	"provider_token jwt {\n\tsecret {query.s}\n}",
}
