package tokens

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Mint is one token in the making. A preset's Finish hook reads and changes
// the claims through it.
type Mint struct {
	t       *Template
	in      Input
	vals    []Value
	set     []bool
	dirty   []bool // a Finish hook set the value: pre-encoded bytes do not apply
	scratch []byte // the payload
	sig     []byte
	ttl     time.Duration
	iat     int64
	iatText []byte // iat as JSON, written for iat and nbf
	jti     [36]byte
}

// Get returns a claim's value, if it is set.
func (m *Mint) Get(name string) (Value, bool) {
	i, ok := m.t.index[name]
	if !ok || !m.set[i] {
		return Value{}, false
	}
	return m.vals[i], true
}

// Set gives a claim a value, type-checked.
func (m *Mint) Set(name string, v Value) *Error {
	i, ok := m.t.index[name]
	if !ok {
		return &Error{Status: http.StatusInternalServerError, Claim: name, Reason: "preset sets a claim it does not have"}
	}
	v, reason := check(m.t.slots[i].claim.Type, v)
	if reason != "" {
		return Invalid(name, "", reason)
	}
	m.vals[i], m.set[i], m.dirty[i] = v, true, true
	return nil
}

// Unset removes a claim from the token.
func (m *Mint) Unset(name string) {
	if i, ok := m.t.index[name]; ok {
		m.set[i] = false
	}
}

// Param reads a request field, when the request contract applies.
func (m *Mint) Param(name string) (Value, bool, *Error) {
	if !m.in.Contract || m.in.Request == nil {
		return Value{}, false, nil
	}
	return m.in.Request.Param(name)
}

// Key returns the configured key.
func (m *Mint) Key() string { return m.t.key }

// Option returns the value of one of the preset's options.
func (m *Mint) Option(name string) string { return m.t.options[name] }

// User returns the authenticated user's id ("" when anonymous).
func (m *Mint) User() string { return m.in.User }

// Mint builds and signs a token for one request at time now.
func (t *Template) Mint(now time.Time, in Input) (Minted, *Error) {
	if !t.anon && in.User == "" {
		return Minted{}, Unauthenticated("this endpoint needs an authenticated user")
	}
	m := t.pool.Get().(*Mint)
	m.in, m.ttl = in, t.ttl
	out, err := m.run(now)
	m.in = Input{}
	for i := range m.vals {
		m.vals[i] = Value{}
	}
	t.pool.Put(m)
	return out, err
}

func (m *Mint) run(now time.Time) (Minted, *Error) {
	t := m.t
	if err := m.requestTTL(); err != nil {
		return Minted{}, err
	}
	for i := range t.slots {
		s := &t.slots[i]
		m.dirty[i] = false
		switch {
		case s.claim.Gen != GenNone:
			m.set[i] = false
		case s.enc != nil:
			m.vals[i], m.set[i] = s.val, true // a constant: nothing to check
		default:
			m.set[i] = false
			if err := m.fill(i); err != nil {
				return Minted{}, err
			}
		}
	}
	if f := t.preset.Finish; f != nil {
		if err := f(m); err != nil {
			return Minted{}, err
		}
	}
	st, kerr := t.signingState(now)
	if kerr != nil {
		return Minted{}, kerr
	}
	var cacheKey tokenCacheKey
	if t.cache != nil {
		// The claims without their times and jti, and the key id.
		m.scratch = m.appendObject(m.scratch[:0], t.root, true)
		cacheKey = t.cache.key(st.kid, m.scratch, m.ttl)
		if hit, ok := t.cache.get(cacheKey, st.kid, now); ok {
			hit.User, hit.At = m.in.User, now.Unix()
			m.echo(&hit) // request fields may differ
			return hit, nil
		}
	}
	m.iat = now.Add(-t.preset.IssuedAtSkew).Unix()
	m.iatText = strconv.AppendInt(m.iatText[:0], m.iat, 10)
	hasJTI := false
	for _, i := range t.gens {
		m.set[i] = true
		if t.slots[i].claim.Gen == GenUUID {
			m.jti, hasJTI = newUUID(), true
		}
	}

	// The token is header64, base64(payload), ".", base64(signature),
	// written once into a buffer of its exact size that becomes the string.
	enc := base64.RawURLEncoding
	m.scratch = m.appendObject(m.scratch[:0], t.root, false)
	signed := len(st.header64) + enc.EncodedLen(len(m.scratch))
	tok := make([]byte, signed+1+enc.EncodedLen(st.signer.Size()))
	copy(tok, st.header64)
	enc.Encode(tok[len(st.header64):signed], m.scratch)
	sig, err := st.signer.Sign(m.sig[:0], tok[:signed])
	if err != nil {
		return Minted{}, &Error{Status: http.StatusInternalServerError, Reason: "signing failed"}
	}
	m.sig = sig
	if n := signed + 1 + enc.EncodedLen(len(sig)); n != len(tok) {
		tok = append(tok[:signed:signed], make([]byte, n-signed)...) // a signer whose size varies
	}
	tok[signed] = '.'
	enc.Encode(tok[signed+1:], sig)

	out := Minted{Token: unsafe.String(unsafe.SliceData(tok), len(tok)), Key: t.key, KID: st.kid, User: m.in.User, IssuedAt: m.iat, At: now.Unix()}
	if hasJTI {
		out.jti, out.hasJTI = m.jti, true
	}
	out.tmpl = t
	m.echo(&out)
	if t.hasExp {
		out.Expires = m.iat + int64(m.ttl/time.Second)
	}
	if t.cache != nil {
		t.cache.put(cacheKey, out, now)
	}
	return out, nil
}

// requestTTL applies the preset's ttl request field: a request may ask for a
// shorter life within the provider's limits, never a longer one.
func (m *Mint) requestTTL() *Error {
	rule := m.t.preset.TTL
	if rule.Param == "" {
		return nil
	}
	v, ok, err := m.Param(rule.Param)
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	v, reason := check(Int, v)
	if reason != "" {
		return Invalid("exp", rule.Param, reason)
	}
	n, _ := strconv.ParseInt(v.Str, 10, 64)
	if n <= 0 || (rule.Min > 0 && n < int64(rule.Min/time.Second)) || (rule.Max > 0 && n > int64(rule.Max/time.Second)) {
		return Invalid("exp", rule.Param, "must be between "+strconv.FormatInt(int64(rule.Min/time.Second), 10)+" and "+strconv.FormatInt(int64(rule.Max/time.Second), 10))
	}
	if d := time.Duration(n) * time.Second; d > m.t.ttl {
		return Forbidden("exp", rule.Param, "must not exceed the configured ttl of "+strconv.FormatInt(int64(m.t.ttl/time.Second), 10)+" seconds")
	} else {
		m.ttl = d
	}
	return nil
}

// fill gives slot i its value for this request, enforcing fixed claims,
// allow lists, types, limits and required claims.
func (m *Mint) fill(i int) *Error {
	s := &m.t.slots[i]
	c := &s.claim
	var v Value
	have, checked := false, false
	switch s.src {
	case srcConst, srcKey:
		v, have, checked = s.val, true, true // checked at Compile
	case srcUser:
		v, have = S(m.in.User), true
	case srcDynamic:
		var reason string
		if v, have, reason = m.render(s); reason != "" {
			return Invalid(c.Name, "", reason)
		}
	}

	param := ""
	if m.in.Contract && m.in.Request != nil {
		for _, p := range c.Param {
			pv, ok, err := m.in.Request.Param(p)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			pv, reason := normalizeCheck(c, pv)
			if reason == "" && !pv.Empty() {
				reason = c.Limits.check(c.Type, pv)
			}
			if reason != "" {
				return Invalid(c.Name, p, reason)
			}
			switch {
			case s.fixed && have && equalValues(pv, v):
				// The request repeats the configured value: nothing chosen.
			case s.fixed && !s.hasAllow:
				return Forbidden(c.Name, p, "cannot be chosen by the request")
			case s.hasAllow && !m.allowed(s, pv):
				return Forbidden(c.Name, p, "value is not allowed")
			}
			v, have, param, checked = pv, true, p, true // limits checked above
			break
		}
	}
	if param == "" && s.src == srcDynamic && s.hasAllow && !v.Empty() && !m.allowed(s, v) {
		return Forbidden(c.Name, "", "value is not allowed")
	}
	if !have || (v.Empty() && !(c.KeepEmpty && have)) {
		if c.Required {
			p := ""
			if m.in.Contract && len(c.Param) > 0 {
				p = c.Param[0]
			}
			return Invalid(c.Name, p, "is required")
		}
		return nil
	}
	if !checked {
		if reason := c.Limits.check(c.Type, v); reason != "" {
			return Invalid(c.Name, param, reason)
		}
	}
	m.vals[i], m.set[i] = v, true
	return nil
}

// render gives a dynamic slot its value for this request. A placeholder
// that renders empty gives no value, whatever the type; in an array it
// gives no element. Values become data of the claim's type: several config
// values are the elements of an array, one placeholder that is the whole
// value is parsed as the claim's type, JSON text has each placeholder
// encoded as JSON, and any other text is one string.
func (m *Mint) render(s *slot) (Value, bool, string) {
	c := &s.claim
	expand := func(tmpl string) string {
		if m.in.Request == nil {
			return tmpl
		}
		return m.in.Request.Expand(tmpl)
	}
	if s.json != nil {
		doc, reason := s.json.render(nil, expand)
		if reason != "" {
			return Value{}, false, reason
		}
		v, reason := normalizeCheck(c, Value{Kind: Raw, Str: string(doc)})
		if reason != "" {
			return Value{}, false, reason
		}
		if s.json.keys && duplicateMember(v.Str) {
			return Value{}, false, "names a member twice"
		}
		return v, true, ""
	}
	rendered := make([]string, 0, len(s.tmpls))
	for _, parts := range s.tmpls {
		if r := renderParts(parts, expand); r != "" {
			rendered = append(rendered, r)
		}
	}
	if len(rendered) == 0 {
		return Value{}, false, ""
	}
	var in Value
	switch {
	case s.whole:
		in = configValue(c.Type, rendered)
	case c.Type == Strings:
		in = Value{Kind: List, List: rendered}
	case len(rendered) == 1:
		in = S(rendered[0])
	default:
		in = Value{Kind: List, List: rendered}
	}
	v, reason := normalizeCheck(c, in)
	if reason != "" {
		return Value{}, false, reason
	}
	return v, true, ""
}

// renderParts concatenates literal parts and expanded placeholders.
func renderParts(parts []Part, expand func(string) string) string {
	if len(parts) == 1 {
		if parts[0].Placeholder {
			return expand(parts[0].Text)
		}
		return parts[0].Text
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Placeholder {
			b.WriteString(expand(p.Text))
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// allowItems splits a checked value into what an allow list compares: the
// elements of an array claim, the whole value of any other.
func allowItems(t Type, v Value) []string {
	if t == Strings {
		items, _ := v.items()
		return items
	}
	return []string{v.Str}
}

func (m *Mint) allowed(s *slot, v Value) bool {
	items := allowItems(s.claim.Type, v)
	for _, it := range items {
		if contains(s.allow, it) {
			continue
		}
		found := false
		for _, tmpl := range s.allowTmpls {
			if m.in.Request != nil {
				tmpl = m.in.Request.Expand(tmpl)
			}
			list := []string{tmpl}
			if s.claim.Type == Strings || !wholeValue(s.claim.Type) {
				// A placeholder may hold a JSON array of allowed values.
				av, reason := check(Strings, configValue(Strings, []string{tmpl}))
				if reason != "" {
					continue
				}
				list = av.List
			}
			if elemAllowed(s.claim.Type, list, it) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// wholeValue reports whether a type's allow lists compare whole values.
func wholeValue(t Type) bool { return t == Object || t == JSON || t == JSONString }

// elemAllowed compares one element against a rendered allow list, typed:
// an Int claim's "1" matches an allow list's 1.0.
func elemAllowed(t Type, list []string, item string) bool {
	for _, a := range list {
		av, reason := check(elemType(t), S(a))
		if reason == "" && av.Str == item {
			return true
		}
	}
	return false
}

func equalValues(a, b Value) bool {
	if a.Kind == List || b.Kind == List {
		if a.Kind != b.Kind || len(a.List) != len(b.List) {
			return false
		}
		for i := range a.List {
			if a.List[i] != b.List[i] {
				return false
			}
		}
		return true
	}
	return a.Str == b.Str
}

// appendObject writes the claims of one object level. It returns dst
// unchanged but for "{...}".
func (m *Mint) appendObject(dst []byte, nodes []node, skipGen bool) []byte {
	dst = append(dst, '{')
	first := true
	for k := range nodes {
		n := &nodes[k]
		mark := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, n.key...)
		if n.slot < 0 {
			inner := len(dst)
			dst = m.appendObject(dst, n.children, skipGen)
			if !n.keep && len(dst)-inner == 2 { // "{}": no member set
				dst = dst[:mark]
				continue
			}
			if n.text {
				dst = appendString(dst[:inner], string(dst[inner:]))
			}
		} else if (skipGen && m.t.slots[n.slot].claim.Gen != GenNone) || !m.appendSlot(&dst, n.slot) {
			dst = dst[:mark]
			continue
		}
		first = false
	}
	return append(dst, '}')
}

func (m *Mint) appendSlot(dst *[]byte, i int) bool {
	if !m.set[i] {
		return false
	}
	s := &m.t.slots[i]
	switch s.claim.Gen {
	case GenIssuedAt:
		*dst = append(*dst, m.iatText...)
	case GenNotBefore:
		if skew := m.t.preset.NotBeforeSkew; skew != 0 {
			*dst = strconv.AppendInt(*dst, m.iat-int64(skew/time.Second), 10)
		} else {
			*dst = append(*dst, m.iatText...)
		}
	case GenKeyIssuedAt:
		d := appendString(*dst, m.t.key) // "key", then reopen the string
		d = append(append(d[:len(d)-1], '-'), m.iatText...)
		*dst = append(d, '"')
	case GenExpiry:
		*dst = strconv.AppendInt(*dst, m.iat+int64(m.ttl/time.Second), 10)
	case GenUUID:
		*dst = append(append(append(*dst, '"'), m.jti[:]...), '"')
	default:
		if s.enc != nil && !m.dirty[i] {
			*dst = append(*dst, s.enc...)
		} else {
			*dst = appendValue(*dst, s.claim.Type, m.vals[i])
		}
	}
	return true
}

// newUUID returns a random (version 4) UUID. A jti must be unique, not
// secret: the runtime's ChaCha8 generator (math/rand/v2, seeded from the
// operating system) gives 122 random bits without a system call.
func newUUID() [36]byte {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(u[8:], rand.Uint64())
	u[6] = (u[6] & 0x0f) | 0x40
	u[8] = (u[8] & 0x3f) | 0x80
	var b [36]byte
	j := 0
	for i, x := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexDigits[x>>4], hexDigits[x&0xf]
		j += 2
	}
	return b
}
