// Package servers checks that real provider servers accept tokenmint's
// tokens: Centrifugo v6 and LiveKit server, built from the Go module proxy
// into a cache folder outside the repository, and a Mercure hub built into
// the same Caddy as tokenmint with xcaddy. Each test starts tokenmint's
// Caddy from a Caddyfile it writes, gets tokens over HTTP as a front end
// does, and has the server accept them and refuse the wrong ones.
//
// Run it with ./run. It is a module of its own so that the servers' client
// libraries stay out of the plugin's and the SDK interop's dependency graphs.
package servers
