package caddymodule

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/caddyserver/caddy/v2"

	"github.com/tokenmint/caddy-tokenmint/tokens"
)

// fuzzBodyTypes are the Content-Types FuzzBodyReader sends.
var fuzzBodyTypes = []string{"application/json", "application/x-www-form-urlencoded", "text/plain",
	"application/json; charset=utf-8", "application/x-www-form-urlencoded; charset=utf-8", ""}

// fuzzCountingReader counts the bytes read through it and ends the body
// with end instead of io.EOF (a broken connection, Caddy's request_body
// limit).
type fuzzCountingReader struct {
	r   io.Reader
	n   int64
	end error
}

func (c *fuzzCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF && c.end != nil {
		err = c.end
	}
	return n, err
}

// FuzzBodyReader reads request fields and {body.*} placeholders from a body
// of the fuzzer's bytes, with a max_body of 1 KiB. flags: bit 0 inject
// mode, bit 1 one-byte reads, bits 2-3 how the body ends (EOF, a read
// error, an http.MaxBytesError).
//
// Properties: no more than max_body+1 bytes are ever read (which bounds the
// memory a request can make the handler hold); a body over max_body, or one
// cut by a MaxBytesError, is a 413 *tokens.Error; any other error is a 400
// or a 415 (415 only for a readable body that is neither JSON nor a form),
// the same one for every field; every Value and placeholder text is valid
// UTF-8; fields agree with encoding/json and net/url decoding of the same
// body (JSON also as text/plain or without a type), then the query; an accepted JSON body names no member twice; and in
// inject mode the upstream gets the body byte for byte.
func FuzzBodyReader(f *testing.F) {
	for _, body := range []string{
		`{"a":{"b":"x"},"room_id":"633fcdd84208780bf665346a","role":"viewer"}`, `{"a":"plain"}`, `{"a":null}`, `{"a":[1,"two",true]}`,
		`{"a":{"b":[{"c":1}]}}`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"a\"":1,"a":2}`, `{"a":"\ud800"}`, `{"a":"x"} trailing`,
		`["a"]`, `{`, `  `, ``, `{"role":"` + string(make([]byte, 1100)) + `"}`,
		`a=1&room_id=r&role=viewer`, `a=1&a=2`, `a=%`, `a.b=x`, `a=%E2%80%A8`, "a=\xff", "{\"a\":\"\xff\"}",
		"hello", string(bytes.Repeat([]byte("x"), 1024)), string(bytes.Repeat([]byte("x"), 1025)), string(bytes.Repeat([]byte(" "), 2000)),
	} {
		for ct := range fuzzBodyTypes[:3] {
			f.Add([]byte(body), uint8(ct), uint8(0), "a")
		}
	}
	for flags := uint8(1); flags < 16; flags++ {
		f.Add([]byte(`{"a":{"b":"x"}}`), uint8(0), flags, "a")
		f.Add([]byte(`a=1`), uint8(1), flags, "a")
	}
	f.Add([]byte(`{"":1}`), uint8(0), uint8(0), "")
	f.Add([]byte(`{"x.y":{"z":1}}`), uint8(0), uint8(0), "x.y")

	const maxBody = 1024
	f.Fuzz(func(t *testing.T, body []byte, ct, flags uint8, name string) {
		ctype := fuzzBodyTypes[int(ct)%len(fuzzBodyTypes)]
		var end error
		switch (flags >> 2) & 3 {
		case 1:
			end = io.ErrUnexpectedEOF
		case 2:
			end = &http.MaxBytesError{Limit: int64(len(body))}
		}
		counter := &fuzzCountingReader{r: bytes.NewReader(body), end: end}
		var rd io.Reader = counter
		if flags&2 != 0 {
			rd = iotest.OneByteReader(counter)
		}
		req := httptest.NewRequest("POST", "/t?a=from-query&q=1", nil)
		req.Body = io.NopCloser(rd)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		h := &Handler{maxBody: maxBody}
		if flags&1 != 0 {
			h.Inject = &Inject{Header: "Authorization"}
		}
		q := &request{r: req, repl: caddy.NewReplacer(), h: h}

		names := []string{"a", "room_id", "role", "q", name}
		vals := make([]tokens.Value, len(names))
		oks := make([]bool, len(names))
		var firstErr *tokens.Error
		for i, n := range names {
			v, ok, err := q.Param(n)
			if i == 0 {
				firstErr = err
			} else if err != firstErr {
				t.Fatalf("Param(%q) error %v, want the first field's %v again", n, err, firstErr)
			}
			if err != nil && (ok || !v.Empty()) {
				t.Fatalf("Param(%q) = %q, %v with error %v", n, v, ok, err)
			}
			if !fuzzValidValue(v) {
				t.Fatalf("Param(%q) = %q: not valid UTF-8; body %q (%s)", n, v, body, ctype)
			}
			vals[i], oks[i] = v, ok
		}
		for _, key := range []string{"body.a.b", "body.a", "body." + name} {
			got, ok := q.bodyPlaceholder(key)
			s, isString := got.(string)
			if !ok || !isString || !utf8.ValidString(s) {
				t.Fatalf("bodyPlaceholder(%q) = %#v, %v: want valid UTF-8 text; body %q (%s)", key, got, ok, body, ctype)
			}
		}
		if counter.n > maxBody+1 {
			t.Fatalf("read %d bytes of a %d-byte body, want at most max_body+1 = %d", counter.n, len(body), maxBody+1)
		}

		var mbe *http.MaxBytesError
		tooLarge := len(body) > maxBody || (errors.As(end, &mbe) && len(body) <= maxBody)
		switch {
		case tooLarge:
			if firstErr == nil || firstErr.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("body of %d bytes (max %d, end %v): error %v, want a 413", len(body), maxBody, end, firstErr)
			}
		case end != nil:
			if firstErr == nil || firstErr.Status != http.StatusBadRequest {
				t.Fatalf("a body cut by %v: error %v, want a 400", end, firstErr)
			}
		case firstErr != nil:
			if firstErr.Status != http.StatusBadRequest && firstErr.Status != http.StatusUnsupportedMediaType {
				t.Fatalf("body %q (%s): status %d, want 400 or 415", body, ctype, firstErr.Status)
			}
			if firstErr.Status == http.StatusUnsupportedMediaType && (q.fields != nil || q.form != nil || !utf8.Valid(body)) {
				t.Fatalf("body %q (%s): 415 for a body that parsed, or that is not even UTF-8", body, ctype)
			}
		}
		if firstErr != nil && firstErr.Reason == "" {
			t.Fatalf("error %d without a reason", firstErr.Status)
		}

		if firstErr == nil && end == nil {
			fuzzAgrees(t, body, ctype, names, vals, oks)
		}
		if firstErr != nil && firstErr.Reason == "the body has a member twice" && fuzzDuplicateTopMember(body) == "" {
			t.Fatalf("body %q refused for a member twice, but encoding/json sees none", body)
		}
		if h.Inject != nil && end == nil && len(body) <= maxBody {
			rest, err := io.ReadAll(req.Body)
			if err != nil || !bytes.Equal(rest, body) {
				t.Fatalf("inject mode passes on %q (%v), want the body %q intact", rest, err, body)
			}
		}
	})
}

func fuzzValidValue(v tokens.Value) bool {
	if !utf8.ValidString(v.Str) {
		return false
	}
	for _, s := range v.List {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// fuzzAgrees checks fields against the standard library's reading of the
// same body: JSON members (strings as text, null as absent), form values,
// and the query when the body lacks the field.
func fuzzAgrees(t *testing.T, body []byte, ctype string, names []string, vals []tokens.Value, oks []bool) {
	t.Helper()
	query := url.Values{"a": {"from-query"}, "q": {"1"}}
	mt := ctype
	if i := bytes.IndexByte([]byte(ctype), ';'); i >= 0 {
		mt = ctype[:i]
	}
	// JSON sent without a Content-Type or as text/plain is read too (as
	// fetch() sends JSON.stringify's text, which some providers' front ends
	// do).
	if (mt == "" || mt == "text/plain") && bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		mt = "application/json"
	}
	var members map[string]any
	var form url.Values
	if len(bytes.TrimSpace(body)) > 0 {
		switch mt {
		case "application/json":
			if err := json.Unmarshal(body, &members); err != nil || members == nil {
				t.Fatalf("JSON body %q accepted, but encoding/json reads no object: %v", body, err)
			}
			if dup := fuzzDuplicateTopMember(body); dup != "" {
				t.Fatalf("JSON body %q accepted with member %q twice", body, dup)
			}
		case "application/x-www-form-urlencoded":
			var err error
			if form, err = url.ParseQuery(string(body)); err != nil {
				t.Fatalf("form body %q accepted, but net/url refuses it: %v", body, err)
			}
		default:
			t.Fatalf("body %q (%q) accepted: want 415", body, ctype)
		}
	}
	for i, n := range names {
		v, ok := vals[i], oks[i]
		if m, in := members[n]; members != nil && in {
			switch x := m.(type) {
			case nil:
				if ok {
					t.Fatalf("JSON %q: field %q = %q, want null to be absent", body, n, v)
				}
			case string:
				if !ok || v.Kind != tokens.Scalar || v.Str != x {
					t.Fatalf("JSON %q: field %q = %q (%v), want the string %q", body, n, v, ok, x)
				}
			default:
				if !ok {
					t.Fatalf("JSON %q: field %q is absent, want %v", body, n, x)
				}
			}
			continue
		}
		want, in := form[n]
		if !in {
			want, in = query[n]
		}
		if !in {
			if ok {
				t.Fatalf("body %q (%s): field %q = %q, want absent", body, ctype, n, v)
			}
			continue
		}
		got := v.List
		if v.Kind == tokens.Scalar {
			got = []string{v.Str}
		}
		// net/url keeps invalid UTF-8 that the handler may not: compare
		// only where the standard library's values are text.
		if !ok || (fuzzValidValue(tokens.L(want...)) && !slices.Equal(got, want)) {
			t.Fatalf("body %q (%s): field %q = %q (%v), want %q", body, ctype, n, v, ok, want)
		}
	}
}

// fuzzDuplicateTopMember returns a member name that the JSON object body
// holds twice at its top level, as encoding/json decodes names, or "".
func fuzzDuplicateTopMember(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	seen := map[string]bool{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		key, _ := k.(string)
		if seen[key] {
			return key
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}
