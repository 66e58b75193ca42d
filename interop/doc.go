// Package interop checks tokenmint's tokens with the providers' own code:
// LiveKit's and Twilio's Go SDKs parse and verify them, and Stream's are
// compared with tokens made by Stream's Node SDK. It is a module of its
// own, so that the SDKs never enter the plugin's dependency graph.
//
// Run it with ./run (go test ./... inside this directory).
package interop
