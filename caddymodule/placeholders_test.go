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
