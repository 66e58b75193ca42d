package identity

import (
	"encoding/json"
	"slices"
	"strconv"
)

// scalarText renders a string or number claim as the user id.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// claimText renders a claim for publishing: scalars as text, arrays and
// objects as JSON.
func claimText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// holdsOneOf reports whether a claim equals one of want or, as an array,
// contains one of them.
func holdsOneOf(v any, want []string) bool {
	if arr, ok := v.([]any); ok {
		for _, it := range arr {
			if slices.Contains(want, claimText(it)) {
				return true
			}
		}
		return false
	}
	if v == nil {
		return false
	}
	return slices.Contains(want, claimText(v))
}
