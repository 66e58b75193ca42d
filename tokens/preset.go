package tokens

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Preset describes one provider's token: its header, its claim schema, its
// time rules, its request contract and its response envelope. A preset is
// data plus, where a provider has rules that data cannot say, a Finish hook.
// Each preset lives in a file of its own and registers itself in init.
type Preset struct {
	// Name is what a config writes after provider_token: "hms_app".
	Name string
	// Summary is one line for listings and error messages.
	Summary string
	// Guide is the preset's user documentation, in Markdown, kept in
	// guides/<name>.md and embedded: what the provider expects, the
	// readings this preset takes and why, how a front end uses the answer,
	// other configurations, pitfalls. It uses the sections "## How it
	// works" (required), "## In the front end", "## More configurations"
	// and "## Pitfalls", in that order; internal/docgen's tests check
	// them. docs/presets/<name>.md shows it after the demo route, and
	// `caddy provider-token presets <name> --json` includes it.
	Guide string
	// Sources cite where the format comes from, one https URL each: the
	// provider's docs, official samples and SDK files (pinned to a commit
	// or tag where the file is code).
	Sources []string
	// Algorithms the provider accepts; the first is the default.
	// Default: HS256 only.
	Algorithms []string
	// Header holds extra header fields, beside alg and typ, as name and
	// JSON-encoded value: {"cty", `"twilio-fpa;v=1"`}. An empty value
	// drops a field the minter writes by default: {"typ", ""}.
	Header []HeaderField
	// Claims is the schema, in the order the payload is written. Dotted
	// names address members of nested objects.
	Claims []Claim
	// FreeForm lets a config add claims that the schema does not list; their
	// type is declared in the config (default string).
	FreeForm bool
	// FreeFormPrivileged makes free-form claims privileged: the provider
	// reads claims it does not name as grants (login attributes that drive
	// row-level security, a session variable a permission rule compares).
	FreeFormPrivileged bool
	// RequiresKey presets need the config's key even where no claim carries
	// it; KeyDoc says what for.
	RequiresKey bool
	KeyDoc      string
	// TTL rules for exp. A preset without an exp claim ignores them.
	TTL TTL
	// IssuedAtSkew is subtracted from now to get iat (some providers' own
	// samples back-date iat to absorb clock skew).
	IssuedAtSkew time.Duration
	// NotBeforeSkew is subtracted from iat to get nbf (JaaS: nbf = now - 10s).
	NotBeforeSkew time.Duration
	// KeyHeader names a header field that carries the config's key (Ably's
	// kid is the key name).
	KeyHeader string
	// RequireHeader lists header fields the config must set (JaaS's kid).
	RequireHeader []string
	// Finish, if set, runs after every claim has its value and before the
	// token is signed: cross-field rules and values derived from others.
	Finish func(*Mint) *Error
	// Fields documents the request fields that Finish reads and no claim
	// names (dataBridges' dbappkey and act), for listings.
	Fields []RequestField
	// Check, if set, runs at the end of Compile: rules across the config
	// that data cannot say (Mercure's 1.0 profile needs iss and aud), so
	// that a bad config fails when it loads, not on every request.
	Check func(c *Compiled) error
	// Options are settings of the preset beyond claims (LiveKit's
	// server_url, Metabase's site_url), read by Finish and the envelope.
	Options []Option
	// Envelope shapes the HTTP answer.
	Envelope Envelope
}

// Option is a setting a preset takes from the config.
type Option struct {
	Name     string
	Doc      string
	Default  string
	Enum     []string // the allowed values, if limited
	Required bool
	// Header sets header fields (JSON values) when the option has a given
	// value: Mercure's 1.0 profile has typ "at+jwt".
	Header map[string][]HeaderField
	// Names, if set, names an object of claims of the schema (a dotted
	// path) whose member name in the payload is the option's value: a
	// namespace such as https://example.com/claims, written as one name,
	// dots and all. Configs still address its claims by the schema's name.
	Names string
	// Stringify maps option values to objects of claims that the value
	// writes as a JSON string holding the object's JSON, not as an object.
	Stringify map[string]string
}

// compileOptions checks a config's options against the preset's.
func (p *Preset) compileOptions(set map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for name := range set {
		if p.option(name) == nil {
			names := make([]string, len(p.Options))
			for i, o := range p.Options {
				names[i] = o.Name
			}
			if len(names) == 0 {
				return nil, fmt.Errorf("%s takes no options", p.Name)
			}
			return nil, fmt.Errorf("%s has no option %q; its options are: %s", p.Name, name, strings.Join(names, ", "))
		}
	}
	for _, o := range p.Options {
		v, ok := set[o.Name]
		if !ok {
			v = o.Default
		}
		if v == "" && o.Required {
			return nil, fmt.Errorf("%s needs `option %s <value>`: %s", p.Name, o.Name, o.Doc)
		}
		if v != "" && len(o.Enum) > 0 && !contains(o.Enum, v) {
			return nil, fmt.Errorf("option %s must be one of %s", o.Name, quoteList(o.Enum))
		}
		if reason := checkText(v); reason != "" {
			return nil, fmt.Errorf("option %s %s", o.Name, reason)
		}
		out[o.Name] = v
	}
	return out, nil
}

func (p *Preset) option(name string) *Option {
	for i := range p.Options {
		if p.Options[i].Name == name {
			return &p.Options[i]
		}
	}
	return nil
}

// RequestField is a request field a preset reads beside its claims' own.
type RequestField struct {
	Name string
	Doc  string
}

// HeaderField is an extra JOSE header field. Value is JSON.
type HeaderField struct {
	Name  string
	Value string
}

// Gen names a value the minter generates itself.
type Gen uint8

// Generated values.
const (
	GenNone        Gen = iota
	GenIssuedAt        // iat: now - IssuedAtSkew
	GenNotBefore       // nbf: the same as iat
	GenExpiry          // exp: iat + ttl
	GenUUID            // a random UUIDv4
	GenKeyIssuedAt     // "<key>-<iat>" (Twilio's jti)
)

// Claim is one entry of a preset's schema.
type Claim struct {
	Name string // dotted path: "video.room"
	Type Type
	Doc  string
	// Required claims are never minted empty: an empty value is a 400 that
	// names the field, or a config error when the value is static.
	Required bool
	// Default is the value when the config sets none. Several strings fill
	// an array claim.
	Default []string
	// Const claims have a value that the provider fixes (type "app"); the
	// config cannot change it.
	Const bool
	// Key claims carry the config's key (the provider's API key).
	Key bool
	// User claims carry the user's identity unless the session is anonymous.
	User bool
	// Param names the request fields (JSON or form body, or query) that may
	// set this claim when the handler answers the request; the first present
	// wins.
	Param []string
	// Privileged claims grant rights. Their value comes from the config; a
	// request may choose another only among the values that allow lists.
	Privileged bool
	// Gen, if set, makes the minter generate the value.
	Gen Gen
	// Limits the value must keep.
	Limits Limits
	// Normalize, if set, rewrites a value before it is type-checked
	// (Zoom's geoRegions: an array or a comma list becomes "US,DE"). On a
	// Key claim it derives the claim from the key.
	Normalize func(Value) (Value, string)
	// KeepEmpty claims are written even when their value is "" (a
	// provider's SDK always sends the member); others are left out.
	KeepEmpty bool
}

// Limits constrain a claim's value. A value that breaks one is refused with
// 400 naming the field.
type Limits struct {
	MaxLen   int      // in characters; for arrays, of each element
	Chars    *Charset // the characters the value may hold
	Prefixes []string // the value must start with one of these
	Enum     []string // the allowed values (each element, for arrays)
	HasRange bool
	Min, Max int64 // for integers, when HasRange
	MaxItems int   // for arrays
}

// TTL holds a preset's rules for a token's lifetime.
type TTL struct {
	Default time.Duration
	Min     time.Duration // 0: none
	Max     time.Duration // 0: none
	// Param names a request field, in seconds, by which a request may ask
	// for a shorter lifetime than the configured one (Zoom's
	// expirationSeconds). A longer one is refused with 403.
	Param string
}

// Envelope shapes the HTTP answer for a preset: the provider's own sample
// endpoint's response.
type Envelope struct {
	// Status of a success. Default: 200.
	Status int
	// ContentType of every answer. Default: application/json.
	ContentType string
	// Token appends the success body.
	Token func(dst []byte, t *Minted) []byte
	// Refusal appends the body for a refusal and returns the status to send.
	// Default: JSON {"error": code, "error_description": text, "field": f}.
	Refusal func(dst []byte, e *Error) ([]byte, int)
	// StatusFor, if set, chooses the success status per token (a redirect).
	StatusFor func(t *Minted) int
	// Headers, if set, adds response headers for a success (Location).
	Headers func(t *Minted, set func(name, value string))
	// ContentTypeFor, if set, chooses the success content type per token
	// (an option that answers the bare token as text). Refusals keep
	// ContentType.
	ContentTypeFor func(t *Minted) string
	// Echo names claims whose values the envelope writes beside the token
	// (a session id the client needs); Minted.Claim returns them. A name
	// that is no claim is a request field (one of Fields, which Finish
	// checks): its value as the request sent it.
	Echo []string
	// InBand envelopes answer refusals themselves, always: the provider's
	// client expects its own shape whatever happened (dataBridges answers
	// HTTP 200 with a status code inside). Other envelopes let Caddy's
	// handle_errors take a refusal where the site has error routes.
	InBand bool
}

// Minted is a signed token and what a caller may want to know about it.
type Minted struct {
	Token    string
	Key      string
	KID      string // the header's kid, if the token has one
	User     string
	IssuedAt int64 // Unix seconds
	Expires  int64 // Unix seconds; 0 when the token carries no exp
	// At is when the token was answered, in Unix seconds: later than
	// IssuedAt for a token the cache reuses (or back-dated by a skew).
	At int64

	jti    [36]byte
	hasJTI bool
	tmpl   *Template
	echo   []string // the values of Envelope.Echo's claims, in its order
}

// Claim returns the text of a claim that the preset's Envelope.Echo names,
// or "" when the token does not carry it.
func (m *Minted) Claim(name string) string {
	if m.tmpl == nil {
		return ""
	}
	for i, n := range m.tmpl.preset.Envelope.Echo {
		if n == name && i < len(m.echo) {
			return m.echo[i]
		}
	}
	return ""
}

// ExpiresIn returns the seconds the token has left when it is answered
// (OAuth's expires_in), or 0 when it carries no exp.
func (m *Minted) ExpiresIn() int64 {
	if m.Expires == 0 {
		return 0
	}
	at := m.At
	if at == 0 {
		at = m.IssuedAt
	}
	return max(m.Expires-at, 0)
}

// Option returns the value of an option of the preset that minted the
// token, for envelopes.
func (m *Minted) Option(name string) string {
	if m.tmpl == nil {
		return ""
	}
	return m.tmpl.options[name]
}

// JTI returns the token's generated jti, or "" when it has none. (Kept as
// bytes so that a mint that nobody logs does not allocate it.)
func (m *Minted) JTI() string {
	if !m.hasJTI {
		return ""
	}
	return string(m.jti[:])
}

// Claim returns the schema entry named name.
func (p *Preset) Claim(name string) (*Claim, bool) {
	for i := range p.Claims {
		if p.Claims[i].Name == name {
			return &p.Claims[i], true
		}
	}
	return nil, false
}

// Privileged reports whether a config's claim grants rights: a schema
// claim marked so, or a free-form claim of a preset whose free-form claims
// are privileged.
func (p *Preset) Privileged(name string) bool {
	if c, ok := p.Claim(name); ok {
		return c.Privileged
	}
	return p.FreeForm && p.FreeFormPrivileged
}

// ClaimNames lists the names of the claims a config may set.
func (p *Preset) ClaimNames() []string {
	var out []string
	for _, c := range p.Claims {
		if c.Gen == GenNone && !c.Const && !c.Key && !p.isContainer(c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

func (p *Preset) isContainer(name string) bool {
	for _, c := range p.Claims {
		if len(c.Name) > len(name) && c.Name[len(name)] == '.' && c.Name[:len(name)] == name {
			return true
		}
	}
	return false
}

// HasExpiry reports whether the preset's tokens carry exp.
func (p *Preset) HasExpiry() bool {
	for _, c := range p.Claims {
		if c.Gen == GenExpiry {
			return true
		}
	}
	return false
}

// CheckTTL reports whether d is within the preset's limits.
func (p *Preset) CheckTTL(d time.Duration) error {
	if !p.HasExpiry() {
		return fmt.Errorf("%s tokens carry no exp, so ttl does not apply", p.Name)
	}
	if d <= 0 {
		return fmt.Errorf("ttl must be positive")
	}
	if p.TTL.Min > 0 && d < p.TTL.Min {
		return fmt.Errorf("ttl %s is below %s's minimum of %s", d, p.Name, p.TTL.Min)
	}
	if p.TTL.Max > 0 && d > p.TTL.Max {
		return fmt.Errorf("ttl %s is above %s's maximum of %s", d, p.Name, p.TTL.Max)
	}
	return nil
}

// check applies the limits to a typed value; it returns a reason or "".
func (l *Limits) check(t Type, v Value) string {
	items := []string{v.Str}
	if v.Kind == List {
		items = v.List
		if l.MaxItems > 0 && len(items) > l.MaxItems {
			return "must have at most " + strconv.Itoa(l.MaxItems) + " elements"
		}
	}
	for _, s := range items {
		if l.MaxLen > 0 && utf8.RuneCountInString(s) > l.MaxLen {
			return "must be at most " + strconv.Itoa(l.MaxLen) + " characters long, got " + strconv.Itoa(utf8.RuneCountInString(s))
		}
		if len(l.Prefixes) > 0 && !hasAnyPrefix(s, l.Prefixes) {
			return "must start with one of " + quoteList(l.Prefixes)
		}
		if l.Chars != nil && !l.Chars.Allows(s) {
			return "may hold only " + l.Chars.Doc
		}
		if len(l.Enum) > 0 && !contains(l.Enum, s) {
			return "must be one of " + quoteList(l.Enum)
		}
		if l.HasRange && (t == Int || t == Number) {
			n, err := strconv.ParseFloat(s, 64)
			if err != nil || n < float64(l.Min) || n > float64(l.Max) {
				return "must be between " + strconv.FormatInt(l.Min, 10) + " and " + strconv.FormatInt(l.Max, 10)
			}
		}
	}
	return ""
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += strconv.Quote(s)
	}
	return out
}
