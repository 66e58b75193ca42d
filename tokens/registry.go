package tokens

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

var (
	registryMu sync.RWMutex
	registry   = map[string]*Preset{}
)

// Register makes a preset available by its name. Like database/sql's
// Register, it panics on an empty or duplicate name, or on a schema that
// contradicts itself, so a broken preset fails at init, not in production.
func Register(p *Preset) {
	if p == nil || p.Name == "" {
		panic("tokens: Register of a preset without a name")
	}
	if err := p.selfCheck(); err != nil {
		panic("tokens: preset " + p.Name + ": " + err.Error())
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[p.Name]; dup {
		panic("tokens: Register called twice for preset " + p.Name)
	}
	registry[p.Name] = p
}

// Lookup returns the preset registered as name. An unknown name is an error
// that lists the known ones.
func Lookup(name string) (*Preset, error) {
	registryMu.RLock()
	p, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown preset %q; known presets: %s", name, strings.Join(Names(), ", "))
	}
	return p, nil
}

// Names lists the registered presets, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// selfCheck catches schema mistakes that would otherwise surface as odd
// tokens: duplicate names, defaults of the wrong type, a ttl default outside
// the preset's own limits.
func (p *Preset) selfCheck() error {
	seen := map[string]bool{}
	for _, c := range p.Claims {
		if c.Name == "" || seen[c.Name] {
			return fmt.Errorf("claim %q is empty or listed twice", c.Name)
		}
		seen[c.Name] = true
		if c.Default != nil && !p.isContainer(c.Name) {
			if _, reason := check(c.Type, configValue(c.Type, c.Default)); reason != "" {
				return fmt.Errorf("default of %s %s", c.Name, reason)
			}
		}
		if c.Const && c.Default == nil {
			return fmt.Errorf("const claim %s has no default", c.Name)
		}
	}
	if p.HasExpiry() && p.TTL.Default > 0 {
		if err := p.CheckTTL(p.TTL.Default); err != nil {
			return err
		}
	}
	if p.Envelope.Token == nil {
		return fmt.Errorf("no envelope")
	}
	return nil
}

// configValue turns the strings a config gives for a claim into a Value:
// several strings, or any number for an array claim, make a list.
func configValue(t Type, vals []string) Value {
	if t == Strings && (len(vals) != 1 || !strings.HasPrefix(strings.TrimSpace(vals[0]), "[")) {
		return Value{Kind: List, List: vals}
	}
	if len(vals) == 1 {
		return S(vals[0])
	}
	return Value{Kind: List, List: vals}
}
