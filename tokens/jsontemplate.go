package tokens

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// Part is a piece of a config string: literal text, or a placeholder that
// the Request renders (Text is then the placeholder as written, braces
// included, for Request.Expand).
type Part struct {
	Text        string
	Placeholder bool
}

// splitDefault splits s at the placeholders placeholderRE finds: the
// default for a Config without Parts.
func splitDefault(s string) []Part {
	var out []Part
	last := 0
	for _, m := range placeholderRE.FindAllStringIndex(s, -1) {
		if m[0] > last {
			out = append(out, Part{Text: s[last:m[0]]})
		}
		out = append(out, Part{Text: s[m[0]:m[1]], Placeholder: true})
		last = m[1]
	}
	if last < len(s) {
		out = append(out, Part{Text: s[last:]})
	}
	return out
}

// wholePlaceholder reports whether parts are one placeholder, white space
// aside: its rendered text is then the claim's whole value, parsed as the
// claim's type.
func wholePlaceholder(parts []Part) bool {
	n := 0
	for _, p := range parts {
		switch {
		case p.Placeholder:
			n++
		case strings.TrimSpace(p.Text) != "":
			return false
		}
	}
	return n == 1
}

// jsonTemplate is JSON text with placeholders, compiled at load. A
// placeholder inside a JSON string (a member name or a value) renders as
// that string's escaped content; a placeholder that stands where a JSON
// value goes renders as a JSON string. Either way a value is data: it can
// never close a string, add a member or change a type, so the structure of
// every rendered document is the template's.
type jsonTemplate struct {
	lits  []string   // lits[i] precedes holes[i]; one more lit than holes
	holes []jsonHole //
	// keys is set when a placeholder is part of a member name: the rendered
	// document is then checked for a member named twice (a client's name
	// that repeats a configured one would override it in most parsers).
	keys bool
}

type jsonHole struct {
	text  string // the placeholder, for Request.Expand
	quote bool   // a whole value: written as a JSON string
}

// compileJSONTemplate compiles parts as JSON text. It fails when a
// placeholder stands where neither a string's content nor a whole value
// can go ({"a": 1{x}}), or when the text is not JSON of type t with its
// placeholders filled.
func compileJSONTemplate(parts []Part, t Type) (*jsonTemplate, error) {
	jt := &jsonTemplate{}
	var lit strings.Builder
	inString, escaped := false, false
	stringHoles := 0 // holes in the string being scanned
	prev := byte(0)  // the last significant character outside strings
	pendingValue := false
	for i, p := range parts {
		if p.Placeholder {
			if inString {
				stringHoles++
				jt.lits = append(jt.lits, lit.String())
				jt.holes = append(jt.holes, jsonHole{text: p.Text})
				lit.Reset()
				continue
			}
			if prev != 0 && prev != ':' && prev != '[' && prev != ',' {
				return nil, errors.New("a placeholder in JSON must be a whole value or sit inside a string")
			}
			jt.lits = append(jt.lits, lit.String())
			jt.holes = append(jt.holes, jsonHole{text: p.Text, quote: true})
			lit.Reset()
			prev, pendingValue = 'v', true
			continue
		}
		s := p.Text
		for j := 0; j < len(s); j++ {
			c := s[j]
			if inString {
				switch {
				case escaped:
					escaped = false
				case c == '\\':
					escaped = true
				case c == '"':
					inString = false
					prev = '"'
					if stringHoles > 0 && nextSignificant(parts, i, s, j+1) == ':' {
						jt.keys = true
					}
				}
				continue
			}
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			case '"':
				inString, stringHoles = true, 0
			}
			if pendingValue && c != ',' && c != '}' && c != ']' {
				return nil, errors.New("a placeholder in JSON must be a whole value or sit inside a string")
			}
			pendingValue = false
			if c != '"' {
				prev = c
			}
		}
		lit.WriteString(s)
	}
	jt.lits = append(jt.lits, lit.String())
	if inString {
		return nil, errors.New("a JSON string is not closed")
	}
	// The text must be JSON of the claim's type whatever the values: try
	// it with a sample in every hole.
	sample, _ := jt.render(nil, func(string) string { return "x" })
	if _, reason := check(t, Value{Kind: Raw, Str: string(sample)}); reason != "" {
		return nil, errors.New(reason + " once its placeholders are filled")
	}
	return jt, nil
}

// nextSignificant returns the first character after s[j:] (and the parts
// after part i) that is not JSON white space, or 0.
func nextSignificant(parts []Part, i int, s string, j int) byte {
	for {
		for ; j < len(s); j++ {
			switch s[j] {
			case ' ', '\t', '\n', '\r':
				continue
			}
			return s[j]
		}
		i++
		if i >= len(parts) {
			return 0
		}
		if parts[i].Placeholder {
			return '{'
		}
		s, j = parts[i].Text, 0
	}
}

// render appends the document with every placeholder expanded and encoded
// as data. It returns a reason when a value cannot be claim text (control
// characters, invalid UTF-8).
func (jt *jsonTemplate) render(dst []byte, expand func(string) string) ([]byte, string) {
	for i, h := range jt.holes {
		dst = append(dst, jt.lits[i]...)
		v := expand(h.text)
		if reason := checkText(v); reason != "" {
			return dst, reason
		}
		if h.quote {
			dst = appendString(dst, v)
		} else {
			dst = appendStringContent(dst, v)
		}
	}
	return append(dst, jt.lits[len(jt.lits)-1]...), ""
}

// duplicateMember reports whether the valid JSON text names a member twice
// in one object.
func duplicateMember(text string) bool {
	dec := json.NewDecoder(strings.NewReader(text))
	type frame struct {
		object bool
		names  map[string]bool
		key    bool // the next token of this object is a member name
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return false // not reached for valid JSON
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			top := &stack[n-1]
			if top.key {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:n-1]
					continue
				}
				name := tok.(string)
				if top.names[name] {
					return true
				}
				top.names[name] = true
				top.key = false
				continue
			}
			top.key = true // after this value, a name (or the end)
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, names: map[string]bool{}, key: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}
