package tokens

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is what a route says about one preset: the key, the signer, the
// ttl, and the claims and allow lists it sets. Strings may hold request
// placeholders; Dynamic tells which, and Request.Expand renders them.
type Config struct {
	Key    string
	Signer Signer
	// Keys, instead of Signer, gives the key that signs each token: a key
	// ring whose keys rotate. The header's kid is the signing key's.
	Keys      KeySource
	TTL       time.Duration // 0: the preset's default
	Claims    map[string][]string
	Types     map[string]Type // free-form claims' types (FreeForm presets)
	Allow     map[string][]string
	Anonymous bool
	// KeyPending says Key is a stand-in for a value resolved later (a
	// placeholder at adapt time): the checks that read the key itself
	// (its limits, a Normalize that derives a claim from it) wait for it.
	KeyPending bool
	// Header adds or overrides JOSE header fields (kid, typ, ...); values
	// are plain strings. alg cannot be set: the signer decides it.
	Header map[string]string
	// Options sets the preset's options (LiveKit's server_url, ...).
	Options map[string]string
	// CacheTokens reuses a minted token for identical claims while most of
	// its lifetime remains (see TokenCache). Default: on for asymmetric
	// signers, whose signatures cost about a millisecond.
	CacheTokens *bool
	// Dynamic reports whether a config string must be rendered per request.
	// Default: whether it holds a {name} (JSON text such as {"a":1} does
	// not count).
	Dynamic func(string) bool
	// Parts splits a dynamic config string into literal text and
	// placeholders, for JSON-valued claims: there each placeholder's value
	// is encoded as JSON data, never pasted as text. Default: the {name}s
	// that Dynamic's default finds.
	Parts func(string) []Part
}

// Request is what a minter needs from the HTTP request. tokens knows no
// HTTP server; the caller adapts its own.
type Request interface {
	// Param returns a field of the request contract (the JSON or form body,
	// then the query). A body that cannot be read is an *Error (413, 415,
	// 400).
	Param(name string) (Value, bool, *Error)
	// Expand renders a config string that holds placeholders.
	Expand(s string) string
}

// Input is one request's contribution to a token.
type Input struct {
	// User is the authenticated user's id; "" when there is none.
	User string
	// Request gives placeholders and, when Contract is set, the preset's
	// request fields. It may be nil when the config holds no placeholders.
	Request Request
	// Contract makes the minter read the preset's request fields: set when
	// the handler answers the request itself, unset in inject mode.
	Contract bool
}

// placeholderRE finds a {name} placeholder for the default Config.Dynamic.
var placeholderRE = regexp.MustCompile(`\{[^{}"\s]+\}`)

type source uint8

const (
	srcNone source = iota
	srcConst
	srcDynamic
	srcKey
	srcUser
)

type slot struct {
	claim      Claim
	src        source
	val        Value         // srcConst: the checked value
	tmpls      [][]Part      // srcDynamic: each config value, split
	json       *jsonTemplate // srcDynamic: one JSON text with placeholders
	whole      bool          // srcDynamic: one template that is one placeholder
	fixed      bool          // a request may change it only within allow
	allow      []string      // checked static allow values
	allowTmpls []string      // allow values to render per request
	hasAllow   bool
	enc        []byte // a constant's JSON, encoded once
}

type node struct {
	key      []byte // `"name":`
	slot     int    // -1 for an object of claims
	children []node
	keep     bool // write {} even when no member is set
	text     bool // write the object as a JSON string holding its JSON
}

// Template is a preset compiled with a config: everything that does not
// depend on the request is done, so Mint only fills in request values.
type Template struct {
	preset    *Preset
	key       string
	alg       string
	state     atomic.Pointer[keyState] // what signs: fixed, or the key source's latest key
	keys      KeySource                // nil with a fixed signer
	keyStates keyStates
	hdrFields map[string]string // the header's fields beside alg and kid, for a key source's keys
	anon      bool
	ttl       time.Duration
	slots     []slot
	root      []node
	gens      []int // slots with generated values
	hasExp    bool
	options   map[string]string
	cache     *tokenCache
	index     map[string]int
	pool      sync.Pool
}

// Compile checks cfg against the preset and compiles it. Its errors name the
// fix ("hms_app needs `claim role <name>`").
func Compile(p *Preset, cfg Config) (*Template, error) {
	var alg string
	switch {
	case cfg.Signer != nil && cfg.Keys != nil:
		return nil, fmt.Errorf("%s: give a signer or a key ring, not both", p.Name)
	case cfg.Signer != nil:
		alg = cfg.Signer.Alg()
	case cfg.Keys != nil:
		alg = cfg.Keys.Alg()
	default:
		return nil, fmt.Errorf("%s needs a secret to sign with", p.Name)
	}
	if p.RequiresKey && cfg.Key == "" {
		return nil, fmt.Errorf("%s needs `key <value>`: %s", p.Name, p.KeyDoc)
	}
	algs := p.Algorithms
	if len(algs) == 0 {
		algs = []string{"HS256"}
	}
	if !contains(algs, alg) {
		return nil, fmt.Errorf("%s tokens are signed with %s, not %s", p.Name, strings.Join(algs, " or "), alg)
	}
	dynamic := cfg.Dynamic
	if dynamic == nil {
		dynamic = placeholderRE.MatchString
	}
	t := &Template{preset: p, key: cfg.Key, alg: alg, keys: cfg.Keys, anon: cfg.Anonymous, index: map[string]int{}}

	if cfg.TTL != 0 {
		if err := p.CheckTTL(cfg.TTL); err != nil {
			return nil, err
		}
		t.ttl = cfg.TTL
	} else {
		t.ttl = p.TTL.Default
	}

	var err error
	if t.options, err = p.compileOptions(cfg.Options); err != nil {
		return nil, err
	}
	hdrFields := map[string]string{}
	if p.KeyHeader != "" {
		if cfg.Key == "" {
			return nil, fmt.Errorf("%s needs `key <value>` (it fills the header's %s)", p.Name, p.KeyHeader)
		}
		hdrFields[p.KeyHeader] = cfg.Key
	}
	for k, v := range cfg.Header {
		if k == "kid" && cfg.Keys != nil {
			return nil, fmt.Errorf("the header's kid comes from the key ring (the signing key's id); remove kid")
		}
		hdrFields[k] = v
	}
	for _, name := range p.RequireHeader {
		if hdrFields[name] == "" && (name != "kid" || cfg.Keys == nil) {
			return nil, fmt.Errorf("%s needs the header's %s: set it with `%s <value>`", p.Name, name, headerDirective(name))
		}
	}
	if cfg.Keys != nil {
		// Each key's header is encoded when it first signs; check the
		// fields now, with a stand-in kid.
		t.hdrFields = hdrFields
		withKID := map[string]string{"kid": "kid"}
		for k, v := range hdrFields {
			withKID[k] = v
		}
		if _, err := encodeHeader(p, alg, withKID, t.options); err != nil {
			return nil, err
		}
	} else {
		header, err := encodeHeader(p, alg, hdrFields, t.options)
		if err != nil {
			return nil, err
		}
		var hdr map[string]any
		_ = json.Unmarshal(header, &hdr)
		st := &keyState{signer: cfg.Signer, header64: append(base64.RawURLEncoding.AppendEncode(nil, header), '.')}
		st.kid, _ = hdr["kid"].(string)
		t.state.Store(st)
	}
	cache := !strings.HasPrefix(alg, "HS") && (cfg.Signer == nil || cfg.Signer.Size() > 0)
	if cfg.CacheTokens != nil {
		cache = *cfg.CacheTokens
	}
	if cache && p.HasExpiry() {
		t.cache = newTokenCache(defaultTokenCacheSize)
	}

	schema := append([]Claim(nil), p.Claims...)
	// Free-form claims join the schema in name order, after the preset's own.
	var extra []string
	for name := range cfg.Claims {
		if _, ok := p.Claim(name); !ok {
			if !p.FreeForm {
				return nil, fmt.Errorf("%s has no claim %q; its claims are: %s", p.Name, name, strings.Join(p.ClaimNames(), ", "))
			}
			extra = append(extra, name)
		}
	}
	for name := range cfg.Types {
		if _, ok := cfg.Claims[name]; !ok {
			return nil, fmt.Errorf("a type is declared for claim %q, which is not set", name)
		}
		if _, ok := p.Claim(name); ok {
			return nil, fmt.Errorf("%s's claim %q has a fixed type; declare types only for claims the preset does not list", p.Name, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		if err := checkClaimName(name); err != nil {
			return nil, err
		}
		// A dotted name may only nest inside an object of claims.
		for i := strings.IndexByte(name, '.'); i > 0; i = nextDot(name, i) {
			if c := findClaim(schema, name[:i]); c != nil && !isContainerIn(p.Claims, c.Name) {
				return nil, fmt.Errorf("claim %q would nest inside %s's claim %q, which is not an object", name, p.Name, c.Name)
			}
		}
		typ, ok := cfg.Types[name]
		if !ok {
			typ = String
		}
		schema = append(schema, Claim{Name: name, Type: typ, Privileged: p.FreeFormPrivileged})
	}
	for name := range cfg.Allow {
		c := findClaim(schema, name)
		if c == nil {
			return nil, fmt.Errorf("allow names claim %q, which %s does not have; its claims are: %s", name, p.Name, strings.Join(p.ClaimNames(), ", "))
		}
		if c.Gen != GenNone || c.Const || c.Key {
			return nil, fmt.Errorf("allow names claim %q, which no request can choose", name)
		}
	}

	for _, c := range schema {
		if isContainerIn(schema, c.Name) {
			if _, set := cfg.Claims[c.Name]; set {
				return nil, fmt.Errorf("claim %q is an object of claims; set its members instead (%s.…)", c.Name, c.Name)
			}
			continue
		}
		s, err := compileSlot(p, &c, cfg, t, dynamic)
		if err != nil {
			return nil, err
		}
		if (s.src == srcConst || s.src == srcKey) && len(c.Param) == 0 && !s.val.Empty() {
			s.enc = appendValue(nil, c.Type, s.val)
		}
		t.index[c.Name] = len(t.slots)
		if c.Gen != GenNone {
			t.gens = append(t.gens, len(t.slots))
		}
		t.slots = append(t.slots, s)
	}
	t.root = buildTree(schema, t.index)
	if err := shapeObjects(p, t); err != nil {
		return nil, err
	}
	t.hasExp = p.HasExpiry()
	if p.Check != nil {
		if err := p.Check(&Compiled{t: t}); err != nil {
			return nil, fmt.Errorf("%s: %v", p.Name, err)
		}
	}
	n := len(t.slots)
	t.pool.New = func() any {
		return &Mint{t: t, vals: make([]Value, n), set: make([]bool, n), dirty: make([]bool, n), iatText: make([]byte, 0, 20), scratch: make([]byte, 0, 512), sig: make([]byte, 0, 64)}
	}
	return t, nil
}

func compileSlot(p *Preset, c *Claim, cfg Config, t *Template, dynamic func(string) bool) (slot, error) {
	s := slot{claim: *c}
	vals, configured := cfg.Claims[c.Name]
	switch {
	case c.Gen != GenNone:
		if configured {
			return s, fmt.Errorf("%s's claim %q is generated (set ttl to change exp)", p.Name, c.Name)
		}
		return s, nil
	case c.Const:
		if configured {
			return s, fmt.Errorf("%s's claim %q is fixed by the provider and cannot be set", p.Name, c.Name)
		}
		s.src, s.fixed = srcConst, true
		v, reason := check(c.Type, configValue(c.Type, c.Default))
		if reason != "" {
			return s, fmt.Errorf("%s: default %s", c.Name, reason)
		}
		s.val = v
		return s, nil
	case c.Key:
		if configured {
			return s, fmt.Errorf("%s's claim %q carries the key; set it with `key`", p.Name, c.Name)
		}
		if cfg.Key == "" && c.Required {
			return s, fmt.Errorf("%s needs `key <value>` (it fills the %s claim)", p.Name, c.Name)
		}
		s.src, s.fixed, s.val = srcKey, true, S(cfg.Key)
		if cfg.Key != "" && !cfg.KeyPending {
			// Normalize may derive the claim from the key (an issuer URL
			// from an instance id).
			v, reason := normalizeCheck(c, s.val)
			if reason == "" {
				reason = c.Limits.check(c.Type, S(cfg.Key))
			}
			if reason != "" {
				return s, fmt.Errorf("key %s", reason)
			}
			s.val = v
		}
		return s, nil
	}

	if !configured && c.User && !cfg.Anonymous {
		s.src, s.fixed = srcUser, true
	} else {
		if !configured && c.Default != nil {
			vals = c.Default
		}
		if len(vals) == 1 && vals[0] == "" && !configured && !c.KeepEmpty {
			vals = nil
		}
		s.fixed = configured || c.Privileged
		anyDynamic := false
		for _, v := range vals {
			anyDynamic = anyDynamic || dynamic(v)
		}
		switch {
		case anyDynamic:
			s.src = srcDynamic
			split := cfg.Parts
			if split == nil {
				split = splitDefault
			}
			for _, v := range vals {
				s.tmpls = append(s.tmpls, split(v))
			}
			if len(vals) == 1 {
				parts := s.tmpls[0]
				s.whole = wholePlaceholder(parts)
				if !s.whole && jsonValued(c.Type, parts) {
					jt, err := compileJSONTemplate(parts, c.Type)
					if err != nil {
						return s, fmt.Errorf("claim %s: %v", c.Name, err)
					}
					s.json = jt
				}
			}
		case vals != nil:
			v, reason := normalizeCheck(c, configValue(c.Type, vals))
			if reason != "" {
				return s, fmt.Errorf("claim %s %s", c.Name, reason)
			}
			if !v.Empty() {
				if reason := c.Limits.check(c.Type, v); reason != "" {
					return s, fmt.Errorf("claim %s %s", c.Name, reason)
				}
			}
			s.src, s.val = srcConst, v
			if v.Empty() && c.Required && (len(c.Param) == 0 || configured) {
				return s, fmt.Errorf("claim %s is required and cannot be empty", c.Name)
			}
		}
	}
	if s.src == srcNone && c.Required && len(c.Param) == 0 {
		if c.User {
			return s, fmt.Errorf("%s needs the %s claim: with session anonymous, set `claim %s <value>`", p.Name, c.Name, c.Name)
		}
		return s, fmt.Errorf("%s needs `claim %s <value>`", p.Name, c.Name)
	}
	if s.src == srcNone && c.Privileged && c.Required {
		return s, fmt.Errorf("%s needs `claim %s <value>`: it grants rights, so the request cannot be its only source", p.Name, c.Name)
	}

	if allow, ok := cfg.Allow[c.Name]; ok {
		s.hasAllow = true
		for _, a := range allow {
			if dynamic(a) {
				s.allowTmpls = append(s.allowTmpls, a)
				continue
			}
			v, reason := normalizeCheck(c, configValue(elemType(c.Type), []string{a}))
			if reason != "" {
				return s, fmt.Errorf("allow %s: value %q %s", c.Name, a, reason)
			}
			s.allow = append(s.allow, allowItems(c.Type, v)...)
		}
		if len(s.allow) == 0 && len(s.allowTmpls) == 0 {
			return s, fmt.Errorf("allow %s lists no values", c.Name)
		}
	}
	return s, nil
}

// jsonValued reports whether a template of a claim of type t is JSON text:
// always for objects and JSON, and for an array claim whose text opens
// with [.
func jsonValued(t Type, parts []Part) bool {
	switch t {
	case Object, JSON, JSONString:
		return true
	case Strings:
		for _, p := range parts {
			if p.Placeholder {
				return false
			}
			if text := strings.TrimLeft(p.Text, " \t\r\n"); text != "" {
				return text[0] == '['
			}
		}
	}
	return false
}

// elemType is the type of one element of an allow list.
func elemType(t Type) Type {
	if t == Strings {
		return String
	}
	return t
}

func normalizeCheck(c *Claim, v Value) (Value, string) {
	if c.Normalize != nil {
		var reason string
		if v, reason = c.Normalize(v); reason != "" {
			return v, reason
		}
	}
	return check(c.Type, v)
}

func nextDot(name string, i int) int {
	if j := strings.IndexByte(name[i+1:], '.'); j >= 0 {
		return i + 1 + j
	}
	return -1
}

func checkClaimName(name string) error {
	if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return fmt.Errorf("claim name %q is not a name or a dotted path", name)
	}
	switch name {
	case "iat", "exp", "nbf":
		return fmt.Errorf("claim %s is generated; set ttl instead", name)
	}
	return nil
}

func findClaim(schema []Claim, name string) *Claim {
	for i := range schema {
		if schema[i].Name == name {
			return &schema[i]
		}
	}
	return nil
}

func isContainerIn(schema []Claim, name string) bool {
	for _, c := range schema {
		if len(c.Name) > len(name) && c.Name[len(name)] == '.' && c.Name[:len(name)] == name {
			return true
		}
	}
	return false
}

// buildTree arranges the slots as the payload's nested objects, in schema
// order: an object appears where its first member does.
func buildTree(schema []Claim, index map[string]int) []node {
	var root []node
	for _, c := range schema {
		parts := strings.Split(c.Name, ".")
		level := &root
		for i, part := range parts {
			last := i == len(parts)-1
			var found *node
			for j := range *level {
				if string((*level)[j].key) == string(appendKey(nil, part)) {
					found = &(*level)[j]
				}
			}
			if found == nil {
				n := node{key: appendKey(nil, part), slot: -1}
				*level = append(*level, n)
				found = &(*level)[len(*level)-1]
			}
			if last {
				if idx, ok := index[c.Name]; ok {
					found.slot = idx
				} else {
					found.keep = c.Required
				}
			}
			level = &found.children
		}
	}
	return root
}

func appendKey(dst []byte, name string) []byte {
	return append(appendString(dst, name), ':')
}

// headerDirective names the Caddyfile line that sets a header field.
func headerDirective(name string) string {
	switch name {
	case "kid", "typ":
		return name
	}
	return "header " + name
}

func encodeHeader(p *Preset, alg string, extra map[string]string, options map[string]string) ([]byte, error) {
	h := map[string]any{"alg": alg, "typ": "JWT"}
	fields := p.Header
	for _, o := range p.Options {
		fields = append(fields[:len(fields):len(fields)], o.Header[options[o.Name]]...)
	}
	for _, f := range fields {
		if f.Value == "" { // the preset drops a field the minter writes (typ)
			delete(h, f.Name)
			continue
		}
		if !json.Valid([]byte(f.Value)) {
			return nil, fmt.Errorf("header field %s is not JSON", f.Name)
		}
		h[f.Name] = json.RawMessage(f.Value)
	}
	for name, v := range extra {
		switch {
		case name == "alg":
			return nil, fmt.Errorf("the header's alg comes from the signing key and algorithm; it cannot be set")
		case name == "":
			return nil, fmt.Errorf("a header field needs a name")
		case checkText(v) != "":
			return nil, fmt.Errorf("header %s %s", name, checkText(v))
		}
		h[name] = v
	}
	return json.Marshal(h)
}

// Option returns the value of one of the preset's options.
func (t *Template) Option(name string) string { return t.options[name] }

// Compiled is what a preset's Check sees of a compiled config.
type Compiled struct{ t *Template }

// Option returns an option's value.
func (c *Compiled) Option(name string) string { return c.t.options[name] }

// Key returns the configured key.
func (c *Compiled) Key() string { return c.t.key }

// Sets reports whether the config gives the claim a value (a literal, a
// placeholder, the key or the user), beyond what a request may send.
func (c *Compiled) Sets(name string) bool {
	i, ok := c.t.index[name]
	return ok && c.t.slots[i].src != srcNone
}

// Alg returns the algorithm the template's tokens are signed with.
func (t *Template) Alg() string { return t.alg }

// Preset returns the preset the template was compiled from.
func (t *Template) Preset() *Preset { return t.preset }

// TTL returns the configured lifetime (0 when tokens carry no exp).
func (t *Template) TTL() time.Duration {
	if !t.preset.HasExpiry() {
		return 0
	}
	return t.ttl
}
