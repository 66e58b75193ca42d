package tokens

import "strconv"

// TokenJSON is the success body {"<field>": "<token>"}, the shape most
// providers' samples answer with.
func TokenJSON(field string) func([]byte, *Minted) []byte {
	key := appendKey([]byte{'{'}, field)
	return func(dst []byte, t *Minted) []byte {
		dst = append(dst, key...)
		dst = appendString(dst, t.Token)
		return append(dst, '}')
	}
}

// TextEnvelope answers the bare token as text/plain, for clients whose
// callback takes the response text as the token; a refusal is one line,
// "<code>: <why>".
var TextEnvelope = Envelope{
	ContentType: "text/plain; charset=utf-8",
	Token: func(dst []byte, t *Minted) []byte {
		return append(dst, t.Token...)
	},
	Refusal: func(dst []byte, e *Error) ([]byte, int) {
		dst = append(dst, e.Code()...)
		dst = append(dst, ": "...)
		return append(dst, e.Error()...), e.Status
	},
}

// ErrorJSON is the default refusal body:
// {"error": "<code>", "error_description": "<why>", "field": "<field>"}.
func ErrorJSON(dst []byte, e *Error) ([]byte, int) {
	dst = append(dst, `{"error":`...)
	dst = appendString(dst, e.Code())
	dst = append(dst, `,"error_description":`...)
	dst = appendString(dst, e.Error())
	if f := e.Field(); f != "" {
		dst = append(dst, `,"field":`...)
		dst = appendString(dst, f)
	}
	return append(dst, '}'), e.Status
}

// Refuse renders e with the preset's envelope and returns the body, the
// status and the content type.
func (p *Preset) Refuse(dst []byte, e *Error) ([]byte, int, string) {
	r := p.Envelope.Refusal
	if r == nil {
		r = ErrorJSON
	}
	dst, status := r(dst, e)
	return dst, status, p.contentType()
}

// Answer renders a minted token with the preset's envelope and returns the
// body, the status and the content type.
func (p *Preset) Answer(dst []byte, t *Minted) ([]byte, int, string) {
	status := p.Envelope.Status
	if p.Envelope.StatusFor != nil {
		status = p.Envelope.StatusFor(t)
	}
	if status == 0 {
		status = 200
	}
	ctype := p.contentType()
	if p.Envelope.ContentTypeFor != nil {
		ctype = p.Envelope.ContentTypeFor(t)
	}
	return p.Envelope.Token(dst, t), status, ctype
}

func (p *Preset) contentType() string {
	if p.Envelope.ContentType != "" {
		return p.Envelope.ContentType
	}
	return "application/json"
}

// appendInt is strconv.AppendInt for envelopes.
func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// echo copies the values of the claims (or request fields) that the
// envelope writes into the minted token, before the Mint is reused.
func (m *Mint) echo(out *Minted) {
	names := m.t.preset.Envelope.Echo
	if len(names) == 0 {
		return
	}
	out.echo = make([]string, len(names))
	for i, name := range names {
		if v, ok := m.Get(name); ok {
			out.echo[i] = v.Text()
		} else if _, claim := m.t.index[name]; !claim {
			if v, ok, _ := m.Param(name); ok {
				out.echo[i] = v.Text()
			}
		}
	}
}
