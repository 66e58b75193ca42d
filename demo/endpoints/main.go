// Command endpoints reads demo/endpoints.json, the demo's list of requests
// (demo/README.md describes it; internal/endpoints reads it), for
// ./xcaddy.sh run:
//
//	go run ./demo/endpoints check                      # the file is well-formed
//	go run ./demo/endpoints curl -base http://localhost:8080 -login demo:pw -var sid=s1 ...
//	go run ./demo/endpoints ports TOKENMINT_PORT=:8080 TOKENMINT_ADMIN=localhost:2019 ...
//
// curl prints every endpoint as a curl line, grouped; ports prints a line
// for each address that cannot be bound, saying what to choose instead, and
// nothing when all are free.
// Only the standard library and internal/endpoints: it runs before Caddy
// is built.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tokenmint/caddy-tokenmint/internal/endpoints"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	file := fs.String("file", "demo/endpoints.json", "the endpoints file")
	switch cmd {
	case "check":
		fs.Parse(args)
		f, err := endpoints.Load(*file)
		if err != nil {
			fail(err)
		}
		fmt.Printf("%s: %d endpoints in %d groups\n", *file, len(f.Endpoints()), len(f.Groups))
	case "curl":
		base := fs.String("base", "http://localhost:8080", "the demo's origin")
		login := fs.String("login", "", "user:password for curl -u")
		vars := map[string]string{}
		fs.Func("var", "name=value for a {{name}} placeholder (repeatable); user comes from -login, origin from -base", func(s string) error {
			name, value, ok := strings.Cut(s, "=")
			if !ok {
				return fmt.Errorf("want name=value")
			}
			vars[name] = value
			return nil
		})
		fs.Parse(args)
		user, _, ok := strings.Cut(*login, ":")
		if !ok {
			fail(fmt.Errorf("-login user:password is required"))
		}
		vars["user"] = user
		vars["origin"] = strings.TrimSuffix(*base, "/")
		f, err := endpoints.Load(*file)
		if err != nil {
			fail(err)
		}
		if err := f.WriteCurl(os.Stdout, strings.TrimSuffix(*base, "/"), *login, vars); err != nil {
			fail(err)
		}
	case "ports":
		fs.Parse(args)
		var ports []Port
		for _, a := range fs.Args() {
			name, addr, ok := strings.Cut(a, "=")
			if !ok {
				fail(fmt.Errorf("%q: want NAME=ADDRESS", a))
			}
			ports = append(ports, Port{Var: name, Addr: addr})
		}
		// What is busy goes to stdout, one line each, and the exit status
		// stays 0: go run would add its own "exit status 1" line.
		for _, m := range Busy(ports) {
			fmt.Println(m)
		}
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: endpoints check|curl|ports [flags] (see go doc ./demo/endpoints)")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "endpoints:", err)
	os.Exit(1)
}
