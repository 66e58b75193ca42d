package tokens

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Type is the JSON type a claim has in the token.
type Type uint8

// The claim types. Whatever the source of a value (a literal in the config,
// a placeholder, a request field), it is converted to its claim's type.
const (
	String     Type = iota // JSON string
	Int                    // JSON integer
	Number                 // JSON number
	Bool                   // JSON true or false
	Strings                // JSON array of strings
	Object                 // JSON object
	JSON                   // any JSON value
	JSONString             // a JSON string whose text is itself JSON (Ably's capability)
	Time                   // NumericDate, generated from the clock (iat, nbf, exp)
)

var typeNames = [...]string{
	String: "string", Int: "integer", Number: "number", Bool: "boolean",
	Strings: "array", Object: "object", JSON: "json", JSONString: "json_string",
	Time: "time",
}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// ParseType reads a type name as written in a config (the jwt preset's
// free-form claims). "int" and "bool" are accepted as short forms.
func ParseType(s string) (Type, error) {
	switch s {
	case "int":
		return Int, nil
	case "bool":
		return Bool, nil
	case "strings":
		return Strings, nil
	}
	for t, n := range typeNames {
		if n == s && Type(t) != Time {
			return Type(t), nil
		}
	}
	return 0, fmt.Errorf("unknown claim type %q (want string, integer, number, boolean, array, object, json or json_string)", s)
}

// Kind says what shape a Value has.
type Kind uint8

// Value kinds.
const (
	Scalar Kind = iota // Str holds text (a JSON number or boolean arrives as its text)
	List               // List holds the elements
	Raw                // Str holds a JSON object or array, as text
)

// Value is one untyped input to a claim: a config literal, a rendered
// placeholder, or a field of the request. It is converted to the claim's
// Type when the token is built.
type Value struct {
	Kind Kind
	Str  string
	List []string
}

// S returns a scalar Value.
func S(s string) Value { return Value{Str: s} }

// L returns a list Value.
func L(items ...string) Value { return Value{Kind: List, List: items} }

// Empty reports whether the value holds nothing: an empty string or an
// empty list.
func (v Value) Empty() bool {
	if v.Kind == List {
		return len(v.List) == 0
	}
	return v.Str == ""
}

// Text renders the value as one string: scalars as is, lists and raw JSON as
// JSON text.
func (v Value) Text() string {
	if v.Kind == List {
		b, _ := json.Marshal(v.List)
		return string(b)
	}
	return v.Str
}

// items returns the value as a list of strings: a list as is, a scalar that
// holds a JSON array of strings as its elements, any other scalar as one
// element.
func (v Value) items() ([]string, bool) {
	switch v.Kind {
	case List:
		return v.List, true
	case Raw:
		var out []string
		if json.Unmarshal([]byte(v.Str), &out) != nil {
			return nil, false
		}
		return out, true
	}
	s := strings.TrimSpace(v.Str)
	if strings.HasPrefix(s, "[") {
		var out []string
		if json.Unmarshal([]byte(s), &out) != nil {
			return nil, false
		}
		return out, true
	}
	return []string{v.Str}, true
}

// jsonNumbersFit reports whether every number in the valid JSON text fits a
// float64: 1E700 is valid JSON that golang-jwt, and providers' parsers,
// cannot read.
func jsonNumbersFit(text string) bool {
	if !strings.ContainsAny(text, "0123456789") {
		return true
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return err == io.EOF
		}
		if n, ok := tok.(json.Number); ok {
			if _, err := strconv.ParseFloat(string(n), 64); err != nil {
				return false
			}
		}
	}
}

// checkText refuses what no claim text should hold: invalid UTF-8 and
// control characters (a newline or a NUL in a claim breaks some providers'
// parsers and every log line that shows it).
func checkText(s string) string {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f {
			return "must not hold control characters"
		}
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8 text"
	}
	return ""
}

// check converts v to t and reports a reason when it cannot be. The
// returned Value is normalized: integers and numbers in canonical text,
// booleans as "true"/"false", arrays as lists, JSON as compact text.
func check(t Type, v Value) (Value, string) {
	switch t {
	case String:
		if v.Kind != Scalar {
			return v, "must be a string"
		}
		if reason := checkText(v.Str); reason != "" {
			return v, reason
		}
		return v, ""
	case Int:
		if v.Kind != Scalar {
			return v, "must be an integer"
		}
		s := strings.TrimSpace(v.Str)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			// A JSON body may carry 1.0 or 1e0; accept integral numbers only.
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
				return v, "must be an integer"
			}
			n = int64(f)
		}
		return S(strconv.FormatInt(n, 10)), ""
	case Number:
		if v.Kind != Scalar {
			return v, "must be a number"
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64)
		if err != nil || f != f || f > 1e300 || f < -1e300 {
			return v, "must be a number"
		}
		return S(strconv.FormatFloat(f, 'f', -1, 64)), ""
	case Bool:
		if v.Kind != Scalar {
			return v, "must be true or false"
		}
		switch strings.TrimSpace(v.Str) {
		case "true":
			return S("true"), ""
		case "false":
			return S("false"), ""
		}
		return v, "must be true or false"
	case Strings:
		items, ok := v.items()
		if !ok {
			return v, "must be an array of strings"
		}
		for _, s := range items {
			if reason := checkText(s); reason != "" {
				return v, reason
			}
		}
		return Value{Kind: List, List: items}, ""
	case Object, JSON, JSONString:
		text := v.Str
		if v.Kind == List {
			text = v.Text()
		}
		text = strings.TrimSpace(text)
		if !utf8.ValidString(text) {
			return v, "must be valid UTF-8 text"
		}
		if !json.Valid([]byte(text)) {
			if t == JSONString || t == JSON {
				return v, "must be valid JSON"
			}
			return v, "must be a JSON object"
		}
		if t == Object && !strings.HasPrefix(text, "{") {
			return v, "must be a JSON object"
		}
		if !jsonNumbersFit(text) {
			return v, "has a number too large for a JSON parser"
		}
		var buf strings.Builder
		if err := compactJSON(&buf, text); err != nil {
			return v, "must be valid JSON"
		}
		return Value{Kind: Raw, Str: buf.String()}, ""
	}
	return v, "has an unsupported type"
}

// compactJSON writes text compacted and HTML-escaped, as encoding/json
// writes a json.RawMessage.
func compactJSON(dst *strings.Builder, text string) error {
	b, err := json.Marshal(json.RawMessage(text))
	if err != nil {
		return err
	}
	dst.Write(b)
	return nil
}

// appendValue appends the JSON encoding of an already checked value.
func appendValue(dst []byte, t Type, v Value) []byte {
	switch t {
	case Int, Number, Bool:
		return append(dst, v.Str...)
	case Strings:
		dst = append(dst, '[')
		for i, s := range v.List {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']')
	case Object, JSON:
		return append(dst, v.Str...)
	case JSONString:
		return appendString(dst, v.Str)
	}
	return appendString(dst, v.Str)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped exactly as encoding/json
// does (HTML-safe, U+2028/U+2029 escaped, invalid UTF-8 replaced), so that
// tokens built here are byte-for-byte those of golang-jwt.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	return append(appendStringContent(dst, s), '"')
}

// appendStringContent appends s escaped as the inside of a JSON string.
func appendStringContent(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}
