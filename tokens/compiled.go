package tokens

import (
	"fmt"
	"strings"
)

// What options do to the payload's shape, and what a preset's Check sees of
// a compiled config beyond its claims and options.

// shapeObjects applies the options that rename an object of claims
// (Option.Names) or write it as a JSON string (Option.Stringify). It runs at
// Compile, after the payload's tree is built.
func shapeObjects(p *Preset, t *Template) error {
	// Nodes are found by the schema's names before any is renamed.
	type change struct {
		n    *node
		name string // the new member name, or ""
	}
	var changes []change
	for _, o := range p.Options {
		v := t.options[o.Name]
		if o.Names != "" && v != "" {
			n := findNode(t.root, o.Names)
			if n == nil {
				return fmt.Errorf("%s: option %s names object %q, which the schema lacks", p.Name, o.Name, o.Names)
			}
			changes = append(changes, change{n: n, name: v})
		}
		if obj, ok := o.Stringify[v]; ok {
			n := findNode(t.root, obj)
			if n == nil || n.slot >= 0 {
				return fmt.Errorf("%s: option %s %s stringifies %q, which is not an object of claims", p.Name, o.Name, v, obj)
			}
			changes = append(changes, change{n: n})
		}
	}
	for _, c := range changes {
		if c.name != "" {
			c.n.key = appendKey(nil, c.name)
		} else {
			c.n.text = true
		}
	}
	return checkMemberNames(t.root)
}

// findNode returns the node of a dotted schema path, matched by the names
// the schema gives (before any renaming).
func findNode(nodes []node, path string) *node {
	head, rest, nested := strings.Cut(path, ".")
	key := string(appendKey(nil, head))
	for i := range nodes {
		if string(nodes[i].key) == key {
			if !nested {
				return &nodes[i]
			}
			return findNode(nodes[i].children, rest)
		}
	}
	return nil
}

// checkMemberNames refuses a payload object that would name a member twice
// (an option's name that repeats a claim's).
func checkMemberNames(nodes []node) error {
	seen := map[string]bool{}
	for i := range nodes {
		k := string(nodes[i].key)
		if seen[k] {
			return fmt.Errorf("the payload would name member %s twice; choose another name", strings.TrimSuffix(k, ":"))
		}
		seen[k] = true
		if err := checkMemberNames(nodes[i].children); err != nil {
			return err
		}
	}
	return nil
}

// Alg returns the signing algorithm.
func (c *Compiled) Alg() string { return c.t.alg }

// HasKID reports whether tokens carry a kid: the configured one, or, with
// a key ring, the signing key's id.
func (c *Compiled) HasKID() bool {
	if c.t.keys != nil {
		return true
	}
	st := c.t.state.Load()
	return st != nil && st.kid != ""
}

// Asymmetric reports whether tokens are signed with a private key (RS*,
// PS*, ES*, EdDSA), whose public half a verifier holds or fetches as a JWKS.
func (c *Compiled) Asymmetric() bool { return !strings.HasPrefix(c.Alg(), "HS") }

// Value returns a claim's configured value when it does not depend on the
// request (a literal or the default), and whether it has one.
func (c *Compiled) Value(name string) (Value, bool) {
	i, ok := c.t.index[name]
	if !ok {
		return Value{}, false
	}
	s := &c.t.slots[i]
	if s.src != srcConst && s.src != srcKey {
		return Value{}, false
	}
	return s.val, true
}

// Claims lists the names of the claims the config or the preset's
// defaults give a value, generated ones aside, in payload order.
func (c *Compiled) Claims() []string {
	var out []string
	for _, s := range c.t.slots {
		if s.src != srcNone && s.claim.Gen == GenNone {
			out = append(out, s.claim.Name)
		}
	}
	return out
}
