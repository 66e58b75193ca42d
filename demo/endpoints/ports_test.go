package main

import (
	"net"
	"strings"
	"testing"
)

func TestBusy(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, freePort, _ := net.SplitHostPort(free.Addr().String())
	free.Close()

	// A listener on 127.0.0.1 makes the wildcard bind Caddy does fail too.
	msgs := Busy([]Port{{"TOKENMINT_PORT", ":" + port}, {"TOKENMINT_FRONT_PORT", ":" + freePort}})
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], "port "+port+" (TOKENMINT_PORT) is in use; pick another, e.g. TOKENMINT_PORT=") {
		t.Errorf("one busy port: got %q", msgs)
	}
	msgs = Busy([]Port{{"TOKENMINT_ADMIN", "127.0.0.1:" + port}})
	if len(msgs) != 1 || !strings.Contains(msgs[0], "e.g. TOKENMINT_ADMIN=127.0.0.1:") {
		t.Errorf("a busy address: got %q", msgs)
	}
	if msgs := Busy([]Port{{"TOKENMINT_PORT", ":" + freePort}}); len(msgs) != 0 {
		t.Errorf("a free port: got %q", msgs)
	}
	msgs = Busy([]Port{{"TOKENMINT_PORT", ":" + freePort}, {"TOKENMINT_FRONT_PORT", ":" + freePort}})
	if len(msgs) != 1 || !strings.Contains(msgs[0], "TOKENMINT_PORT and TOKENMINT_FRONT_PORT both name port") {
		t.Errorf("the same port twice: got %q", msgs)
	}
}
