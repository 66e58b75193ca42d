package tokens

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Cloudflare Stream signed URL token, signed by the customer (no call to
// Cloudflare's token API) (Sources below). Stream's "Secure your Stream"
// page: a signing key from POST /accounts/<id>/stream/keys ({id, pem, jwk});
// the Worker sample signs RS256 with header {"alg":"RS256","kid":<key id>}
// (no typ) and the claims sub (the video UID), kid (the key id again), exp,
// accessRules; the claim list adds nbf and downloadable; access rules are
// evaluated first to last. The cloudflare npm SDK's TokenCreateParams: exp
// at most 24 hours after issue, 1 hour by default; at most 5 access rules.
// The token takes the video UID's place in the URL.
//
// Our choices, where the sources leave room:
//   - The header is the sample's, without typ; key fills the header's kid
//     and the kid claim.
//   - sub, the video UID, is privileged: from the config, or from the
//     request (uid) among the values allow lists. downloadable and
//     accessRules are config only; accessRules is checked against the
//     documented shape.
//   - The answer is {"token"}, and with `option customer_code` also
//     {"iframe_url", "hls_url"} (Cloudflare names no endpoint).
//   - No iat or nbf (the sample has neither); ttl: 1h by default, 1m..24h.

var cfHexChars = NewCharset("letters and digits", "a-zA-Z0-9", false)

var cfRuleTypes = []string{"any", "ip.src", "ip.geoip.country"}

// cfAccessRules checks the accessRules array.
func cfAccessRules(v Value) (Value, string) {
	const want = `must be a JSON array of at most 5 rules {"type": "any"|"ip.src"|"ip.geoip.country", "action": "allow"|"block", "country"?: [...], "ip"?: [...]}`
	if v.Kind == List {
		return v, want
	}
	var rules []struct {
		Type    string   `json:"type"`
		Action  string   `json:"action"`
		Country []string `json:"country"`
		IP      []string `json:"ip"`
	}
	dec := json.NewDecoder(strings.NewReader(strings.TrimSpace(v.Str)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rules); err != nil || len(rules) == 0 || len(rules) > 5 {
		return v, want
	}
	for _, r := range rules {
		if !contains(cfRuleTypes, r.Type) || (r.Action != "allow" && r.Action != "block") {
			return v, want
		}
		switch {
		case r.Type == "ip.geoip.country" && (len(r.Country) == 0 || r.IP != nil):
			return v, "rule ip.geoip.country needs a country list of ISO 3166-1 alpha-2 codes"
		case r.Type == "ip.src" && (len(r.IP) == 0 || r.Country != nil):
			return v, "rule ip.src needs an ip list of addresses or CIDRs"
		case r.Type == "any" && (r.IP != nil || r.Country != nil):
			return v, "rule any takes no country or ip"
		}
		for _, c := range r.Country {
			if len(c) != 2 || strings.ToUpper(c) != c || !cfHexChars.Allows(c) {
				return v, "country codes are ISO 3166-1 alpha-2, such as GB"
			}
		}
		for _, ip := range r.IP {
			if _, err := netip.ParsePrefix(ip); err != nil {
				if _, err := netip.ParseAddr(ip); err != nil {
					return v, "ip holds addresses or CIDRs"
				}
			}
		}
	}
	return v, ""
}

// cfCheck: the customer code goes into URLs as it is.
func cfCheck(c *Compiled) error {
	if code := c.Option("customer_code"); code != "" && (len(code) > 64 || !cfHexChars.Allows(code)) {
		return fmt.Errorf("option customer_code holds the letters and digits of customer-<code>.cloudflarestream.com")
	}
	return nil
}

// cfURL appends https://customer-<code>.cloudflarestream.com/<token>/<path>.
func cfURL(dst []byte, t *Minted, path string) []byte {
	dst = append(dst, `"https://customer-`...)
	dst = append(dst, t.Option("customer_code")...)
	dst = append(dst, ".cloudflarestream.com/"...)
	dst = append(dst, t.Token...)
	dst = append(dst, path...)
	return append(dst, '"')
}

//go:embed guides/cloudflare_stream.md
var cloudflareStreamGuide string

func init() {
	Register(&Preset{
		Name:    "cloudflare_stream",
		Summary: "Cloudflare Stream signed URL token, RS256 with a Stream signing key",
		Guide:   cloudflareStreamGuide,
		Sources: []string{
			"https://developers.cloudflare.com/stream/viewing-videos/securing-your-stream/",
			"https://github.com/cloudflare/cloudflare-docs/blob/398302a4/src/content/docs/stream/viewing-videos/securing-your-stream.mdx",
			"https://www.npmjs.com/package/cloudflare/v/7.3.0",
		},
		Algorithms:  []string{"RS256"},
		Header:      []HeaderField{{Name: "typ", Value: ""}},
		RequiresKey: true,
		KeyDoc:      "the Stream signing key's id (the header's and the payload's kid); signing_key is its private key",
		KeyHeader:   "kid",
		Claims: []Claim{
			{Name: "sub", Type: String, Privileged: true, Required: true, Param: []string{"uid"},
				Limits: Limits{MaxLen: 64, Chars: cfHexChars}, Doc: "the video UID"},
			{Name: "kid", Type: String, Key: true, Required: true, Limits: Limits{MaxLen: 64, Chars: cfHexChars},
				Doc: "the signing key's id"},
			{Name: "exp", Type: Time, Gen: GenExpiry},
			{Name: "downloadable", Type: Bool, Privileged: true, Doc: "allow the MP4 download URLs"},
			{Name: "accessRules", Type: JSON, Privileged: true, Normalize: cfAccessRules,
				Doc: `up to 5 rules, first match wins: [{"type":"ip.geoip.country","action":"allow","country":["GB"]},{"type":"any","action":"block"}]`},
		},
		TTL:   TTL{Default: time.Hour, Min: time.Minute, Max: 24 * time.Hour},
		Check: cfCheck,
		Options: []Option{
			{Name: "customer_code", Doc: "the <code> of customer-<code>.cloudflarestream.com: the answer adds iframe_url and hls_url"},
		},
		Envelope: Envelope{Token: func(dst []byte, t *Minted) []byte {
			dst = append(dst, `{"token":`...)
			dst = appendString(dst, t.Token)
			if t.Option("customer_code") != "" {
				dst = cfURL(append(dst, `,"iframe_url":`...), t, "/iframe")
				dst = cfURL(append(dst, `,"hls_url":`...), t, "/manifest/video.m3u8")
			}
			return append(dst, '}')
		}},
	})
}
