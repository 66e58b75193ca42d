package tokens

import "regexp"

// Patterns shared by presets.
var (
	// printable refuses control characters: they have no place in an id or
	// a name, and some providers' parsers choke on them.
	printable = regexp.MustCompile(`^[^\x00-\x1f\x7f]*$`)
	// idChars is the conservative set for ids that providers generate.
	idChars = regexp.MustCompile(`^[A-Za-z0-9._:@-]*$`)
)

const (
	printableDoc = "printable characters (no control characters)"
	idCharsDoc   = "letters, digits and . _ : @ -"
)
