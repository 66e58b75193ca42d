package docgen

import (
	"path/filepath"

	"github.com/tokenmint/caddy-tokenmint/internal/endpoints"
)

// Call is one curl line of the demo for a preset, and the status it gets.
type Call struct {
	Curl   string
	Status int
}

// demoVars fill an entry's {{...}} as the demo's defaults do, so that the
// pages' curl lines run as written against ./xcaddy.sh run (.ci/smoke runs
// every curl line of docs/ and checks its status).
var demoVars = map[string]string{
	"user": "demo", "sid": "s1", "databridges_app_key": "demo-databridges-app-key", "origin": "http://localhost:8080",
}

// readEndpoints reads the demo's requests (demo/endpoints.json) as curl
// lines, by preset.
func readEndpoints(root string) (map[string][]Call, error) {
	f, err := endpoints.Load(filepath.Join(root, "demo", "endpoints.json"))
	if err != nil {
		return nil, err
	}
	out := map[string][]Call{}
	for _, e := range f.Endpoints() {
		line, err := e.CurlLine("http://localhost:8080", "demo:tokenmint-demo", demoVars)
		if err != nil {
			return nil, err
		}
		out[e.Preset] = append(out[e.Preset], Call{Curl: line, Status: e.Status})
	}
	return out, nil
}
