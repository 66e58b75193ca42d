// Package tokenmint plugs the provider_token handler into Caddy: importing
// it (as xcaddy build --with github.com/tokenmint/caddy-tokenmint does)
// registers the module and its Caddyfile directive.
package tokenmint

import (
	// The Caddy module and Caddyfile directive provider_token.
	_ "github.com/tokenmint/caddy-tokenmint/caddymodule"
)
