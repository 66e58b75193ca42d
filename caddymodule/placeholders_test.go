package caddymodule

import (
	"reflect"
	"testing"
)

func TestPlaceholderKeys(t *testing.T) {
	for _, c := range []struct {
		in             string
		keys           []string
		dynamic, chose bool
	}{
		{"plain", nil, false, false},
		{"{env.SECRET}", []string{"env.SECRET"}, false, false},
		{"{file./run/secrets/x}", []string{"file./run/secrets/x"}, false, false},
		{"{http.auth.user.id}", []string{"http.auth.user.id"}, true, false},
		{"room-{http.request.uri.query.room}", []string{"http.request.uri.query.room"}, true, true},
		{"{body.room}", []string{"body.room"}, true, true},
		{`{"a":1}`, nil, false, false},
		{`\{not.one}`, nil, false, false},
		{"{env.A}{http.request.header.X}", []string{"env.A", "http.request.header.X"}, true, true},
		{"{unclosed", nil, false, false},
	} {
		keys := placeholderKeys(c.in)
		d, chose := classify(c.in)
		if !reflect.DeepEqual(keys, c.keys) || d != c.dynamic || chose != c.chose {
			t.Errorf("%q: keys %q dynamic %v client-chosen %v; want %q %v %v", c.in, keys, d, chose, c.keys, c.dynamic, c.chose)
		}
	}
}

func TestParseJSONObject(t *testing.T) {
	for _, c := range []struct {
		body string
		ok   bool
	}{
		{`{"a":1,"b":"x"}`, true},
		{` {"a":{"a":1,"a":2},"b":[{"a":1},{"a":2}]} `, true}, // nested repeats are the app's business
		{`{"a\"b":1,"a":2}`, true},
		{`{"k":"has \"quotes\" and : colons","k2":"\\"}`, true},
		{`{"a":1,"a":2}`, false},
		{`{"a":1, "b":2 , "a" :3}`, false},
		{`[{"a":1}]`, false},
		{`{"a":1} {"b":2}`, false},
		{`{"a":1`, false},
		{`"a"`, false},
	} {
		_, err := parseJSONObject([]byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok=%v", c.body, err, c.ok)
		}
	}
}
