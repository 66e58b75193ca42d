package tokens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Problem is one way a token departs from its preset.
type Problem struct {
	Field  string `json:"field,omitempty"` // a claim, "header <name>", or ""
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Reason
	}
	return p.Field + ": " + p.Reason
}

// CheckToken compares a token's decoded header and payload (JSON) with the
// preset: the algorithm and header fields, claims that are missing, extra
// (unless the preset is free-form), of the wrong JSON type, or breaking
// their limits, constants that differ, and exp - iat outside the ttl
// limits. It does not verify the signature and does not read the clock.
func (p *Preset) CheckToken(header, payload []byte) []Problem {
	var out []Problem
	add := func(field, format string, args ...any) {
		out = append(out, Problem{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	hdr, ok := decodeJSONObject(header)
	if !ok {
		return []Problem{{Field: "header", Reason: "is not a JSON object"}}
	}
	claims, ok := decodeJSONObject(payload)
	if !ok {
		return []Problem{{Field: "payload", Reason: "is not a JSON object"}}
	}
	p.unshapeObjects(claims)

	algs := p.algorithms()
	switch alg, isString := hdr["alg"].(string); {
	case hdr["alg"] == nil:
		add("header alg", "missing; %s tokens are signed with %s", p.Name, strings.Join(algs, " or "))
	case !isString || !contains(algs, alg):
		add("header alg", "%s, but %s tokens are signed with %s", jsonText(hdr["alg"]), p.Name, strings.Join(algs, " or "))
	}
	for _, f := range p.Header {
		if f.Value == "" { // dropped by the preset; a verifier ignores it
			continue
		}
		got, present := hdr[f.Name]
		want, _ := decodeJSONValue([]byte(f.Value))
		switch {
		case !present:
			add("header "+f.Name, "missing (%s requires %s)", p.Name, f.Value)
		case !reflect.DeepEqual(got, want):
			add("header "+f.Name, "want %s, got %s", f.Value, jsonText(got))
		}
	}

	for i := range p.Claims {
		c := &p.Claims[i]
		v, present := lookupPath(claims, c.Name)
		if !present {
			if c.Required || c.Const || c.Gen != GenNone {
				add(c.Name, "missing (required)")
			}
			continue
		}
		if p.isContainer(c.Name) {
			if _, isObject := v.(map[string]any); !isObject {
				add(c.Name, "want object, got %s", describeJSON(v))
			}
			continue
		}
		if reason := p.checkClaimValue(c, v); reason != "" {
			add(c.Name, "%s", reason)
		}
	}
	if !p.FreeForm {
		p.extraClaims(claims, "", &out)
	}

	if p.HasExpiry() {
		iat, okIat := jsonSeconds(claims["iat"])
		exp, okExp := jsonSeconds(claims["exp"])
		if okIat && okExp {
			d := time.Duration((exp - iat) * float64(time.Second)).Round(time.Second)
			switch {
			case d <= 0:
				add("", "exp - iat = %s: the token expires before it is issued", DurationText(d))
			case p.TTL.Min > 0 && d < p.TTL.Min:
				add("", "exp - iat = %s, below %s's minimum %s", DurationText(d), p.Name, DurationText(p.TTL.Min))
			case p.TTL.Max > 0 && d > p.TTL.Max:
				add("", "exp - iat = %s, above %s's maximum %s", DurationText(d), p.Name, DurationText(p.TTL.Max))
			}
		}
	}
	return out
}

// unshapeObjects undoes, in a decoded payload, what options with their
// default values do to its shape (Option.Names, Option.Stringify), so that
// claims are found under the schema's names. Only top-level objects are
// renamed.
func (p *Preset) unshapeObjects(claims map[string]any) {
	for _, o := range p.Options {
		if o.Names == "" || o.Default == "" || o.Default == o.Names {
			continue
		}
		if v, ok := claims[o.Default]; ok && !strings.Contains(o.Names, ".") {
			if text, isString := v.(string); isString {
				if obj, ok := decodeJSONObject([]byte(text)); ok {
					v = obj
				}
			}
			delete(claims, o.Default)
			claims[o.Names] = v
		}
	}
}

// checkClaimValue checks one present claim and returns what is wrong, or "".
func (p *Preset) checkClaimValue(c *Claim, v any) string {
	wrong := func() string { return "want " + typeWant(c.Type) + ", got " + describeJSON(v) }
	var val Value
	switch c.Type {
	case String, JSONString:
		s, ok := v.(string)
		if !ok {
			return wrong()
		}
		if c.Type == JSONString && !json.Valid([]byte(s)) {
			return "want a string holding JSON, got " + describeJSON(v)
		}
		val = S(s)
	case Int, Number, Time:
		n, ok := v.(json.Number)
		if !ok {
			return wrong()
		}
		if c.Type == Int {
			if _, reason := check(Int, S(n.String())); reason != "" {
				return wrong()
			}
		}
		val = S(n.String())
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return wrong()
		}
		val = S(strconv.FormatBool(b))
	case Strings:
		arr, ok := v.([]any)
		if !ok {
			return wrong()
		}
		list := make([]string, 0, len(arr))
		for i, el := range arr {
			s, ok := el.(string)
			if !ok {
				return "want array of strings, got " + describeJSON(el) + " at [" + strconv.Itoa(i) + "]"
			}
			list = append(list, s)
		}
		val = L(list...)
	case Object:
		if _, ok := v.(map[string]any); !ok {
			return wrong()
		}
		return ""
	default: // JSON: any value
		return ""
	}

	if c.Required && val.Empty() {
		return "empty (required)"
	}
	if c.Const {
		want, _ := check(c.Type, configValue(c.Type, c.Default))
		got, _ := check(c.Type, val)
		if !equalValues(want, got) {
			return "want " + string(appendValue(nil, c.Type, want)) + " (fixed by the provider), got " + jsonText(v)
		}
	}
	if val.Empty() || (c.Key && c.Normalize != nil) {
		return "" // (a claim derived from the key is checked at load)
	}
	if c.Normalize != nil {
		if _, reason := c.Normalize(val); reason != "" {
			return reason + ", got " + jsonText(v)
		}
	}
	if reason := c.Limits.check(c.Type, val); reason != "" {
		switch {
		case strings.Contains(reason, ", got "):
		case strings.HasPrefix(reason, "may hold only") && c.Limits.Chars != nil:
			reason += ", got " + firstRefused(c.Limits.Chars, val)
		default:
			reason += ", got " + jsonText(v)
		}
		return reason
	}
	return ""
}

// firstRefused names the first character the set refuses.
func firstRefused(cs *Charset, v Value) string {
	items, _ := v.items()
	for _, s := range items {
		for i, r := range s {
			if !cs.Allows(string(r)) {
				return strconv.QuoteRune(r) + " at offset " + strconv.Itoa(i)
			}
		}
	}
	return "a refused character"
}

// extraClaims reports members of obj that the schema does not list,
// descending into objects of claims.
func (p *Preset) extraClaims(obj map[string]any, prefix string, out *[]Problem) {
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		name := prefix + k
		if _, ok := p.Claim(name); !ok {
			*out = append(*out, Problem{Field: name, Reason: "not a claim of " + p.Name + " tokens"})
			continue
		}
		if sub, isObject := obj[k].(map[string]any); isObject && p.isContainer(name) {
			p.extraClaims(sub, name+".", out)
		}
	}
}

// typeWant names a claim type as a JSON type, for "want X, got Y".
func typeWant(t Type) string {
	switch t {
	case Strings:
		return "array of strings"
	case Time:
		return "NumericDate (a number of seconds)"
	case JSONString:
		return "string holding JSON"
	case Object:
		return "object"
	}
	return t.String()
}

// describeJSON names a decoded JSON value's type, with the value where it
// is short: `string "1"`, `number 1.5`, `array`.
func describeJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + jsonText(x)
	case json.Number:
		return "number " + x.String()
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonText writes a decoded value as JSON, cut to 60 characters.
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(buf.String())
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:57]) + "..."
	}
	return s
}

func decodeJSONValue(data []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	return v, true
}

func decodeJSONObject(data []byte) (map[string]any, bool) {
	v, ok := decodeJSONValue(data)
	m, isObject := v.(map[string]any)
	return m, ok && isObject
}

// lookupPath finds a dotted claim name in nested objects.
func lookupPath(obj map[string]any, name string) (any, bool) {
	for {
		if v, ok := obj[name]; ok {
			return v, true
		}
		head, rest, found := strings.Cut(name, ".")
		if !found {
			return nil, false
		}
		sub, ok := obj[head].(map[string]any)
		if !ok {
			return nil, false
		}
		obj, name = sub, rest
	}
}

func jsonSeconds(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}
