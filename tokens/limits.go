package tokens

import (
	"strings"
	"unicode/utf8"
)

// Charset is a set of characters a claim may hold, checked byte by byte
// (no regular expression on the hot path).
type Charset struct {
	ascii [utf8.RuneSelf]bool
	// other allows characters beyond ASCII, except C1 controls and
	// U+2028/U+2029.
	other bool
	// Doc says in words what the set allows, for error messages.
	Doc string
}

// NewCharset allows the ASCII characters in ascii (a-z, A-Z and 0-9 may be
// written as ranges "a-z", "A-Z", "0-9"), and, if other is set, every
// printable character beyond ASCII.
func NewCharset(doc, ascii string, other bool) *Charset {
	c := &Charset{Doc: doc, other: other}
	for _, r := range []string{"a-z", "A-Z", "0-9"} {
		if strings.Contains(ascii, r) {
			for b := r[0]; b <= r[2]; b++ {
				c.ascii[b] = true
			}
			ascii = strings.Replace(ascii, r, "", 1)
		}
	}
	for i := 0; i < len(ascii); i++ {
		if ascii[i] >= utf8.RuneSelf {
			panic("tokens: NewCharset takes ASCII only")
		}
		c.ascii[ascii[i]] = true
	}
	return c
}

// Allows reports whether every character of s is in the set.
func (c *Charset) Allows(s string) bool {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if !c.ascii[b] {
				return false
			}
			i++
			continue
		}
		if !c.other {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return false
		}
		i += size
	}
	return true
}

// printableASCII is every ASCII character but the controls.
func printableASCII() string {
	var b strings.Builder
	for c := byte(0x20); c < 0x7f; c++ {
		b.WriteByte(c)
	}
	return b.String()
}

// Character sets shared by presets.
var (
	// printable refuses control characters: they have no place in an id or
	// a name, and some providers' parsers choke on them.
	printable = NewCharset("printable characters (no control characters)", printableASCII(), true)
	// idChars is the conservative set for ids that providers generate.
	idChars = NewCharset("letters, digits and . _ : @ -", "a-zA-Z0-9._:@-", false)
)
