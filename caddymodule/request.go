package caddymodule

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/caddyserver/caddy/v2"
	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// request adapts one HTTP request to tokens.Request: the preset's request
// fields from the body (JSON or form) and the query, and Caddy placeholders,
// {body.*} among them. The body is read at most once, and only if a field
// or placeholder asks for it.
type request struct {
	r      *http.Request
	repl   *caddy.Replacer
	h      *Handler
	loaded bool
	err    *tokens.Error
	fields map[string]json.RawMessage // a JSON body's members
	form   url.Values                 // a form body
	query  url.Values
}

func (q *request) Expand(s string) string { return q.repl.ReplaceAll(s, "") }

func (q *request) Param(name string) (tokens.Value, bool, *tokens.Error) {
	if err := q.load(); err != nil {
		return tokens.Value{}, false, err
	}
	if raw, ok := q.fields[name]; ok {
		if v, ok := rawValue(raw); ok {
			return v, true, nil
		}
		return tokens.Value{}, false, nil
	}
	if vals, ok := q.form[name]; ok {
		return listOrScalar(vals), true, nil
	}
	if q.query == nil {
		q.query = q.r.URL.Query()
	}
	if vals, ok := q.query[name]; ok {
		return listOrScalar(vals), true, nil
	}
	return tokens.Value{}, false, nil
}

func listOrScalar(vals []string) tokens.Value {
	if len(vals) == 1 {
		return tokens.S(vals[0])
	}
	return tokens.L(vals...)
}

// rawValue converts a JSON member to a Value: strings, numbers and booleans
// as their text, arrays of those as lists, objects and other arrays as raw
// JSON. null is absent.
func rawValue(raw json.RawMessage) (tokens.Value, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return tokens.Value{}, false
	}
	switch raw[0] {
	case 'n':
		return tokens.Value{}, false
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return tokens.Value{}, false
		}
		return tokens.S(s), true
	case '{':
		return tokens.Value{Kind: tokens.Raw, Str: string(raw)}, true
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			list := make([]string, 0, len(items))
			for _, it := range items {
				v, ok := rawValue(it)
				if !ok || v.Kind != tokens.Scalar {
					return tokens.Value{Kind: tokens.Raw, Str: string(raw)}, true
				}
				list = append(list, v.Str)
			}
			return tokens.L(list...), true
		}
		return tokens.Value{Kind: tokens.Raw, Str: string(raw)}, true
	}
	return tokens.S(string(raw)), true // a number or a boolean
}

// load reads and parses the body once. The body is capped at the handler's
// max_body; in inject mode it is put back for the upstream.
func (q *request) load() *tokens.Error {
	if q.loaded {
		return q.err
	}
	q.loaded = true
	r := q.r
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, q.h.maxBody+1))
	if q.h.Inject != nil {
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), r.Body))
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			q.err = &tokens.Error{Status: http.StatusRequestEntityTooLarge, Reason: "the request body is too large"}
		} else {
			q.err = &tokens.Error{Status: http.StatusBadRequest, Reason: "the request body could not be read"}
		}
		return q.err
	}
	if int64(len(data)) > q.h.maxBody {
		q.err = &tokens.Error{Status: http.StatusRequestEntityTooLarge, Reason: "the request body is larger than " + sizeText(q.h.maxBody)}
		return q.err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if !utf8.Valid(data) {
		q.err = tokens.Invalid("", "", "the request body is not valid UTF-8")
		return q.err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		q.fields, q.err = parseJSONObject(data)
	case (mt == "" || mt == "text/plain") && bytes.HasPrefix(bytes.TrimLeft(data, jsonSpace), []byte("{")):
		// fetch(url, {body: JSON.stringify(...)}) without a Content-Type
		// sends text/plain: several providers' own front ends do.
		q.fields, q.err = parseJSONObject(data)
	case mt == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(data))
		if err != nil {
			q.err = tokens.Invalid("", "", "the form body is malformed")
		}
		for k, vals := range form {
			for _, v := range append(vals, k) {
				if !utf8.ValidString(v) {
					q.err = tokens.Invalid("", "", "the form body is not valid UTF-8")
				}
			}
		}
		q.form = form
	default:
		q.err = &tokens.Error{Status: http.StatusUnsupportedMediaType,
			Reason: "send the body as application/json or application/x-www-form-urlencoded"}
	}
	return q.err
}

// jsonSpace is the white space JSON allows (RFC 8259), narrower than
// unicode.IsSpace.
const jsonSpace = " \t\r\n"

// parseJSONObject reads the members of a JSON object, refusing anything
// else, duplicate members and trailing data.
func parseJSONObject(data []byte) (map[string]json.RawMessage, *tokens.Error) {
	trimmed := bytes.Trim(data, jsonSpace)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, tokens.Invalid("", "", "the body must be a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		return nil, tokens.Invalid("", "", "the body is not valid JSON")
	}
	// encoding/json keeps the last of duplicate members; a body that
	// names one twice is ambiguous, so it is refused.
	if n := countMembers(trimmed); n != len(fields) {
		return nil, tokens.Invalid("", "", "the body has a member twice")
	}
	return fields, nil
}

// countMembers counts the members of the valid JSON object data, without
// allocating: the strings at depth 1 that are followed by a colon.
func countMembers(data []byte) int {
	depth, n := 0, 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if depth == 1 {
				k := j + 1
				for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\n' || data[k] == '\r') {
					k++
				}
				if k < len(data) && data[k] == ':' {
					n++
				}
			}
			i = j
		}
	}
	return n
}

// bodyPlaceholder provides {body.<field>} and {body.<a>.<b>}: a field of a
// JSON or form body, scalars as text, arrays and objects as JSON.
func (q *request) bodyPlaceholder(key string) (any, bool) {
	path, ok := strings.CutPrefix(key, "body.")
	if !ok {
		return nil, false
	}
	if err := q.load(); err != nil {
		return "", true
	}
	if vals, ok := q.form[path]; ok {
		return listOrScalar(vals).Text(), true
	}
	fields := q.fields
	for fields != nil {
		if raw, ok := fields[path]; ok {
			v, _ := rawValue(raw)
			return v.Text(), true
		}
		head, rest, found := strings.Cut(path, ".")
		raw, ok := fields[head]
		if !found || !ok {
			break
		}
		fields = nil
		if json.Unmarshal(raw, &fields) != nil {
			break
		}
		path = rest
	}
	return "", true
}

func sizeText(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return itoa(n>>20) + " MiB"
	case n%(1<<10) == 0:
		return itoa(n>>10) + " KiB"
	}
	return itoa(n) + " bytes"
}
