//go:build !unix

package probetest

import (
	"net"
	"testing"
)

// ClosedPort returns "127.0.0.1:port" with nothing listening on it, so that a
// connect is refused. Here the port is only free, not reserved: another
// listener could take it later.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: closed port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
