package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Port is an address the demo binds and the variable that chooses it.
type Port struct {
	Var  string // TOKENMINT_PORT, ...
	Addr string // as Caddy binds it: ":8080", "127.0.0.1:8081", "localhost:2019"
}

// Busy reports, for each address that cannot be bound now, why, and which
// value of its variable would be free: the check ./xcaddy.sh run makes
// before it builds and again before it starts Caddy, so that it never
// announces a port it cannot serve. Two variables that name the same port
// are reported too.
func Busy(ports []Port) []string {
	var msgs []string
	seen := map[string]string{}
	for _, p := range ports {
		host, port, err := net.SplitHostPort(p.Addr)
		if err != nil {
			msgs = append(msgs, fmt.Sprintf("%s=%s: %v", p.Var, p.Addr, err))
			continue
		}
		if other, dup := seen[port]; dup {
			msgs = append(msgs, fmt.Sprintf("%s and %s both name port %s: give each its own", other, p.Var, port))
			continue
		}
		seen[port] = p.Var
		l, err := net.Listen("tcp", p.Addr)
		if err == nil {
			l.Close()
			continue
		}
		msg := fmt.Sprintf("port %s (%s) is in use", port, p.Var)
		if strings.Contains(err.Error(), "permission denied") {
			msg = fmt.Sprintf("port %s (%s) needs privileges to bind", port, p.Var)
		}
		if alt := freeNear(host, port); alt != "" {
			value := alt
			if !isPortOnly(p.Var) {
				value = net.JoinHostPort(hostOr(host, "localhost"), alt)
			}
			msg += fmt.Sprintf("; pick another, e.g. %s=%s ./xcaddy.sh run", p.Var, value)
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

// isPortOnly tells the variables that hold a port from those that hold an
// address (TOKENMINT_ADMIN).
func isPortOnly(v string) bool { return strings.HasSuffix(v, "PORT") }

func hostOr(host, def string) string {
	if host == "" {
		return def
	}
	return host
}

// freeNear finds a free port 10000 above port (18080 for 8080), or near it.
func freeNear(host, port string) string {
	n, err := strconv.Atoi(port)
	if err != nil {
		return ""
	}
	start := n + 10000
	if start > 65000 {
		start = 20000 + n%1000
	}
	for p := start; p < start+50; p++ {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			l.Close()
			return strconv.Itoa(p)
		}
	}
	return ""
}
