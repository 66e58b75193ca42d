package tokens

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// Metabase static (signed) embedding (Sources below: the docs and the embed
// API's Token schema): HS256 with the embedding secret key over resource
// ({dashboard: id} or {question: id}, a positive integer or a NanoID entity
// id), params (the locked parameters; the schema requires the key and the
// endpoints read it with get-in-unsigned-token-or-throw, so it is always
// written, {} when none are locked) and exp (the docs' sample: now + 10
// minutes). jsonwebtoken, which the docs' sample uses, adds iat; so does
// this preset. The page embeds site_url + "/embed/dashboard/" + token +
// "#bordered=true&titled=true" (/embed/question/ for questions).
//
// Metabase defines no token endpoint; this preset answers, per `option
// answer`, {"token", "url"} (json, the default), {"url"} (url) or a 302 to
// the embed URL (redirect), so an iframe's src can point at the route.
//
// Readings and limits of this preset:
//   - `option resource dashboard|question` (default dashboard) says which
//     claim, resource.dashboard or resource.question, the config sets: the
//     answer's URL depends on it and a minted token's claims are not
//     visible to the envelope. Check refuses a mismatch when the config
//     loads.
//   - Ids are positive integers. Entity ids (NanoID strings), which newer
//     Metabase versions also take, are not offered.
//   - params is one JSON object, written in the config
//     (`claim params {"organization_id":17}`) or a single placeholder that
//     renders one. Per-parameter placeholders need free-form members under
//     params, which the model cannot yet declare beside a default of {}.
//   - Everything is config: resource and params are privileged, and there
//     are no request fields.
//   - ttl: 10 minutes by default, 1 minute to 24 hours (the embed URL
//     travels in page source and logs).

//go:embed guides/metabase.md
var metabaseGuide string

var metabaseResources = []string{"dashboard", "question"}

// metabaseURL appends the embed URL of t.
func metabaseURL(dst []byte, t *Minted) []byte {
	dst = append(dst, strings.TrimRight(t.Option("site_url"), "/")...)
	dst = append(dst, "/embed/"...)
	dst = append(dst, t.Option("resource")...)
	dst = append(dst, '/')
	dst = append(dst, t.Token...)
	if h := strings.TrimPrefix(t.Option("hash"), "#"); h != "" {
		dst = append(append(dst, '#'), h...)
	}
	return dst
}

// metabaseEnvelope: json {"token", "url"}, url {"url"}, redirect a 302.
var metabaseEnvelope = func() Envelope {
	url := func(t *Minted) string { return string(metabaseURL(nil, t)) }
	e := tokenOrRedirect("token", true, url)
	asJSON := e.Token
	e.Token = func(dst []byte, t *Minted) []byte {
		if t.Option("answer") == "url" {
			return append(appendString(append(dst, `{"url":`...), url(t)), '}')
		}
		return asJSON(dst, t)
	}
	return e
}()

// metabaseFinish refuses a token without its resource: a configured
// placeholder id that rendered empty.
func metabaseFinish(m *Mint) *Error {
	name := "resource." + m.Option("resource")
	if _, ok := m.Get(name); !ok {
		return Invalid(name, "", "is required and rendered empty")
	}
	return nil
}

// metabaseCheck: the site URL is a URL, and the resource option names the
// configured resource claim.
func metabaseCheck(c *Compiled) error {
	site := c.Option("site_url")
	if !strings.HasPrefix(site, "https://") && !strings.HasPrefix(site, "http://") {
		return fmt.Errorf("option site_url must be an http:// or https:// URL")
	}
	kind := c.Option("resource")
	other := metabaseResources[0]
	if kind == other {
		other = metabaseResources[1]
	}
	if c.Sets("resource." + other) {
		return fmt.Errorf("option resource is %s: set claim resource.%s, or set option resource %s", kind, kind, other)
	}
	if !c.Sets("resource." + kind) {
		return fmt.Errorf("metabase needs `claim resource.%s <id>`", kind)
	}
	return nil
}

func init() {
	id := Limits{HasRange: true, Min: 1, Max: 1 << 53}
	Register(&Preset{
		Name:    "metabase",
		Summary: "Metabase static embedding token, with its embed URL",
		Guide:   metabaseGuide,
		Sources: []string{
			"https://www.metabase.com/docs/latest/embedding/static-embedding",
			"https://github.com/metabase/metabase/blob/40a7d21960eebc8868fd291c629243ff379ba27b/src/metabase/embedding_rest/api/embed.clj",
		},
		Claims: []Claim{
			{Name: "resource.dashboard", Type: Int, Privileged: true, Limits: id,
				Doc: "the dashboard's id (with option resource dashboard)"},
			{Name: "resource.question", Type: Int, Privileged: true, Limits: id,
				Doc: "the question's id (with option resource question)"},
			{Name: "params", Type: Object, Privileged: true, Required: true, Default: []string{"{}"},
				Doc: "the locked parameters' values, as a JSON object"},
			{Name: "iat", Type: Time, Gen: GenIssuedAt},
			{Name: "exp", Type: Time, Gen: GenExpiry},
		},
		TTL:    TTL{Default: 10 * time.Minute, Min: time.Minute, Max: 24 * time.Hour},
		Check:  metabaseCheck,
		Finish: metabaseFinish,
		Options: []Option{
			{Name: "site_url", Required: true, Doc: "Metabase's address, such as https://metabase.example.com"},
			{Name: "resource", Default: "dashboard", Enum: metabaseResources,
				Doc: "what is embedded: dashboard or question (the claim resource.<it> holds the id)"},
			{Name: "answer", Default: "json", Enum: []string{"json", "url", "redirect"},
				Doc: `json: {"token","url"}; url: {"url"}; redirect: 302 to the embed URL`},
			{Name: "hash", Default: "bordered=true&titled=true", Doc: "the embed URL's fragment: appearance options"},
		},
		Envelope: metabaseEnvelope,
	})
}
