package tokens

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Describe and CheckToken read a preset's data for people: the first says
// what its tokens look like (caddy provider-token presets), the second where
// a given token departs from that (caddy provider-token inspect --preset).
// Neither mints, and neither reads the clock.

// PresetInfo describes a preset. Its JSON is what `caddy provider-token
// presets --json` prints.
type PresetInfo struct {
	Name       string   `json:"name"`
	Summary    string   `json:"summary"`
	Algorithms []string `json:"algorithms"` // the first is the default
	// Header lists the header fields beside alg: typ and the preset's own.
	Header []HeaderFieldInfo `json:"header"`
	Key    *KeyInfo          `json:"key,omitempty"` // nil: the preset takes no key
	Claims []ClaimInfo       `json:"claims"`
	// FreeForm presets take claims the schema does not list; with
	// FreeFormPrivileged those grant rights (allow lists apply).
	FreeForm           bool     `json:"free_form,omitempty"`
	FreeFormPrivileged bool     `json:"free_form_privileged,omitempty"`
	TTL                *TTLInfo `json:"ttl,omitempty"` // nil: the tokens carry no exp
	// Request lists the request fields the endpoint reads, in schema order.
	Request []RequestFieldInfo `json:"request"`
	// OwnRules is set when the preset applies cross-field rules of its own
	// (a Finish hook), which may read further request fields.
	OwnRules bool         `json:"own_rules,omitempty"`
	Response ResponseInfo `json:"response"`
	// Options are the preset's settings beyond claims (`option <name>
	// <value>`).
	Options []OptionInfo `json:"options,omitempty"`
	Guide   string       `json:"guide,omitempty"`
	Sources []string     `json:"sources,omitempty"`
}

// OptionInfo describes one of a preset's options.
type OptionInfo struct {
	Name     string   `json:"name"`
	Doc      string   `json:"doc,omitempty"`
	Default  string   `json:"default,omitempty"`
	Values   []string `json:"values,omitempty"` // the allowed values, if limited
	Required bool     `json:"required,omitempty"`
}

// HeaderFieldInfo is one JOSE header field and its JSON value.
type HeaderFieldInfo struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
	// Source is "key" for a field the config's key fills (Value "<key>"),
	// "config" for one the config must set (Value "<required>"), and empty
	// for a value the preset fixes.
	Source string `json:"source,omitempty"`
}

// KeyInfo says what the config's key is for.
type KeyInfo struct {
	Claim    string `json:"claim,omitempty"` // the claim that carries it, if any
	Required bool   `json:"required"`
	Doc      string `json:"doc,omitempty"`
}

// Claim sources, in ClaimInfo.Source.
const (
	SourceKey       = "key"       // the config's key
	SourceUser      = "user"      // the authenticated user (config or request when anonymous)
	SourceRequest   = "request"   // a request field, or the config
	SourceConfig    = "config"    // the config (claim), or its default
	SourceConst     = "const"     // fixed by the provider
	SourceGenerated = "generated" // made by the minter: times, jti
	SourceObject    = "object"    // an object of the claims named <name>.*
)

// ClaimInfo describes one claim of a preset's schema.
type ClaimInfo struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Doc  string `json:"doc,omitempty"`
	// Required claims are in every token: required by the schema, fixed by
	// the provider, or generated.
	Required bool   `json:"required"`
	Source   string `json:"source"`
	// Generated says how a generated value is made: "now", "iat + ttl".
	Generated     string   `json:"generated,omitempty"`
	RequestFields []string `json:"request_fields,omitempty"`
	// Default is the value, typed as in the token, when the config sets none.
	Default json.RawMessage `json:"default,omitempty"`
	// Privileged claims grant rights: a request may choose only among the
	// values the config's allow lists.
	Privileged bool        `json:"privileged,omitempty"`
	Limits     *LimitsInfo `json:"limits,omitempty"`
}

// LimitsInfo is a claim's Limits for people.
type LimitsInfo struct {
	MaxLength int        `json:"max_length,omitempty"` // characters (of each element)
	Charset   string     `json:"charset,omitempty"`
	Prefixes  []string   `json:"prefixes,omitempty"`
	Enum      []string   `json:"enum,omitempty"`
	Range     *RangeInfo `json:"range,omitempty"`
	MaxItems  int        `json:"max_items,omitempty"`
}

// RangeInfo is an inclusive integer range.
type RangeInfo struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// String writes the limits on one line: "max 128 chars; letters, digits".
func (l *LimitsInfo) String() string {
	if l == nil {
		return ""
	}
	var parts []string
	if l.MaxLength > 0 {
		parts = append(parts, "max "+strconv.Itoa(l.MaxLength)+" chars")
	}
	if l.Charset != "" {
		parts = append(parts, l.Charset)
	}
	if len(l.Prefixes) > 0 {
		parts = append(parts, "starts with "+strings.Join(l.Prefixes, " or "))
	}
	if len(l.Enum) > 0 {
		parts = append(parts, "one of "+strings.Join(l.Enum, ", "))
	}
	if l.Range != nil {
		parts = append(parts, "range "+strconv.FormatInt(l.Range.Min, 10)+".."+strconv.FormatInt(l.Range.Max, 10))
	}
	if l.MaxItems > 0 {
		parts = append(parts, "at most "+strconv.Itoa(l.MaxItems)+" items")
	}
	return strings.Join(parts, "; ")
}

// TTLInfo is a preset's lifetime rules, as text ("24h", "30d") and seconds.
type TTLInfo struct {
	Default        string `json:"default"`
	Min            string `json:"min,omitempty"`
	Max            string `json:"max,omitempty"`
	DefaultSeconds int64  `json:"default_seconds"`
	MinSeconds     int64  `json:"min_seconds,omitempty"`
	MaxSeconds     int64  `json:"max_seconds,omitempty"`
	// RequestField, in seconds, lets a request shorten the configured ttl.
	RequestField string `json:"request_field,omitempty"`
}

// RequestFieldInfo maps a request field to the claim it fills.
type RequestFieldInfo struct {
	Field string `json:"field"`
	Claim string `json:"claim,omitempty"` // "" for a field the preset's own rules read
	Note  string `json:"note,omitempty"`
}

// ResponseInfo is the endpoint's answer: an example success body holding
// the token "<token>", and an example refusal.
type ResponseInfo struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Example     string `json:"example"`
	// InBand envelopes answer refusals in their own shape, always.
	InBand         bool   `json:"refusals_in_band,omitempty"`
	RefusalStatus  int    `json:"refusal_status"`
	RefusalExample string `json:"refusal_example"`
}

// exampleIssuedAt is the iat of example bodies: 2026-01-01T00:00:00Z.
const exampleIssuedAt = 1767225600

// Describe returns the preset's description.
func (p *Preset) Describe() PresetInfo {
	info := PresetInfo{
		Name:       p.Name,
		Summary:    p.Summary,
		Algorithms: p.algorithms(),
		Header:     []HeaderFieldInfo{{Name: "typ", Value: json.RawMessage(`"JWT"`)}},
		FreeForm:   p.FreeForm,
		OwnRules:   p.Finish != nil,
		Request:    []RequestFieldInfo{},
		Guide:      p.Guide,
		Sources:    p.Sources,
	}
	for _, o := range p.Options {
		info.Options = append(info.Options, OptionInfo{Name: o.Name, Doc: o.Doc, Default: o.Default, Values: o.Enum, Required: o.Required})
	}
	info.FreeFormPrivileged = p.FreeForm && p.FreeFormPrivileged
	for _, f := range p.Header {
		if f.Value == "" { // a default field the preset drops (typ)
			info.Header = slices.DeleteFunc(info.Header, func(h HeaderFieldInfo) bool { return h.Name == f.Name })
			continue
		}
		info.Header = append(info.Header, HeaderFieldInfo{Name: f.Name, Value: json.RawMessage(f.Value)})
	}
	if p.KeyHeader != "" {
		info.Header = append(info.Header, HeaderFieldInfo{Name: p.KeyHeader, Value: json.RawMessage(`"<key>"`), Source: SourceKey})
	}
	for _, name := range p.RequireHeader {
		info.Header = append(info.Header, HeaderFieldInfo{Name: name, Value: json.RawMessage(`"<required>"`), Source: SourceConfig})
	}
	if p.RequiresKey || p.KeyHeader != "" {
		// A key that fills a header field is required (Compile says so).
		info.Key = &KeyInfo{Required: true, Doc: p.KeyDoc}
	}
	for _, c := range p.Claims {
		ci := p.describeClaim(&c)
		info.Claims = append(info.Claims, ci)
		if c.Key {
			if info.Key == nil {
				info.Key = &KeyInfo{}
			}
			if info.Key.Claim != "" { // a key that fills several claims (their parts)
				info.Key.Claim += ", "
			}
			info.Key.Claim, info.Key.Required = info.Key.Claim+c.Name, info.Key.Required || c.Required
			if info.Key.Doc == "" {
				info.Key.Doc = c.Doc
			}
		}
		for _, f := range c.Param {
			rf := RequestFieldInfo{Field: f, Claim: c.Name}
			switch {
			case c.User:
				rf.Note = "only when the session is anonymous, or within allow"
			case c.Privileged:
				rf.Note = "only values the config's allow lists"
			}
			info.Request = append(info.Request, rf)
		}
	}
	if p.HasExpiry() {
		t := p.TTL
		info.TTL = &TTLInfo{
			Default: DurationText(t.Default), DefaultSeconds: int64(t.Default / time.Second),
			RequestField: t.Param,
		}
		if t.Min > 0 {
			info.TTL.Min, info.TTL.MinSeconds = DurationText(t.Min), int64(t.Min/time.Second)
		}
		if t.Max > 0 {
			info.TTL.Max, info.TTL.MaxSeconds = DurationText(t.Max), int64(t.Max/time.Second)
		}
		if t.Param != "" {
			info.Request = append(info.Request, RequestFieldInfo{Field: t.Param, Claim: "exp",
				Note: "seconds, within the ttl limits; may shorten the configured ttl, never lengthen it"})
		}
	}

	for _, f := range p.Fields {
		info.Request = append(info.Request, RequestFieldInfo{Field: f.Name, Note: f.Doc})
	}

	// The example answer uses each option's default, "<name>" for a
	// required one (LiveKit's server_url, Metabase's site_url), "<key>"
	// where the answer repeats the key (Zoom Meeting's sdkKey) and
	// "<claim>" for a claim it echoes (a session id the envelope writes back).
	options := map[string]string{}
	for _, o := range p.Options {
		options[o.Name] = o.Default
		if o.Default == "" && o.Required {
			options[o.Name] = "<" + o.Name + ">"
		}
	}
	m := Minted{Token: "<token>", Key: "<key>", IssuedAt: exampleIssuedAt, tmpl: &Template{preset: p, options: options}}
	for _, name := range p.Envelope.Echo {
		m.echo = append(m.echo, "<"+name+">")
	}
	if p.HasExpiry() {
		m.Expires = exampleIssuedAt + int64(p.TTL.Default/time.Second)
	}
	body, status, ctype := p.Answer(nil, &m)
	refusal, rstatus, _ := p.Refuse(nil, p.exampleRefusal())
	info.Response = ResponseInfo{
		Status: status, ContentType: ctype,
		// Envelopes escape <, > and & as JSON does; the example reads
		// better plain, and stays valid JSON.
		Example:        exampleUnescaper.Replace(string(body)),
		InBand:         p.Envelope.InBand,
		RefusalStatus:  rstatus,
		RefusalExample: string(refusal),
	}
	return info
}

var exampleUnescaper = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// exampleRefusal is the refusal of a request without its first required
// request field, or, for presets without one, of an anonymous caller.
func (p *Preset) exampleRefusal() *Error {
	for _, c := range p.Claims {
		if c.Required && len(c.Param) > 0 && !c.User && !c.Privileged && c.Default == nil {
			return Invalid(c.Name, c.Param[0], "is required")
		}
	}
	return Unauthenticated("this endpoint needs an authenticated user")
}

func (p *Preset) describeClaim(c *Claim) ClaimInfo {
	ci := ClaimInfo{
		Name: c.Name, Type: c.Type.String(), Doc: c.Doc,
		Required:      c.Required || c.Const || c.Gen != GenNone,
		RequestFields: c.Param,
		Privileged:    c.Privileged,
	}
	switch {
	case c.Gen != GenNone:
		ci.Source = SourceGenerated
		switch c.Gen {
		case GenIssuedAt:
			ci.Generated = "now"
			if p.IssuedAtSkew > 0 {
				ci.Generated = "now - " + DurationText(p.IssuedAtSkew)
			}
		case GenNotBefore:
			ci.Generated = "iat"
		case GenExpiry:
			ci.Generated = "iat + ttl"
		case GenUUID:
			ci.Generated = "random UUIDv4"
		case GenKeyIssuedAt:
			ci.Generated = "key-iat"
		}
		if c.Gen == GenNotBefore && p.NotBeforeSkew > 0 {
			ci.Generated = "iat - " + DurationText(p.NotBeforeSkew)
		}
	case p.isContainer(c.Name):
		ci.Source = SourceObject
	case c.Const:
		ci.Source = SourceConst
	case c.Key:
		ci.Source = SourceKey
	case c.User:
		ci.Source = SourceUser
	case len(c.Param) > 0 && !c.Privileged:
		ci.Source = SourceRequest
	default:
		ci.Source = SourceConfig
	}
	if c.Default != nil && !p.isContainer(c.Name) {
		if v, reason := check(c.Type, configValue(c.Type, c.Default)); reason == "" {
			ci.Default = appendValue(nil, c.Type, v)
		}
	}
	l := c.Limits
	li := LimitsInfo{MaxLength: l.MaxLen, Prefixes: l.Prefixes, Enum: l.Enum, MaxItems: l.MaxItems}
	if l.Chars != nil {
		li.Charset = l.Chars.Doc
	}
	if l.HasRange {
		li.Range = &RangeInfo{Min: l.Min, Max: l.Max}
	}
	if !reflect.ValueOf(li).IsZero() {
		ci.Limits = &li
	}
	return ci
}

func (p *Preset) algorithms() []string {
	if len(p.Algorithms) == 0 {
		return []string{"HS256"}
	}
	return p.Algorithms
}

// DurationText writes d as a config would: "24h", "90m", "1h30m", and whole
// days from a week up: "30d".
func DurationText(d time.Duration) string {
	if d < 0 {
		return "-" + DurationText(-d)
	}
	const day = 24 * time.Hour
	if d >= 7*day && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
