//go:build unix

package probetest

import (
	"fmt"
	"syscall"
	"testing"
)

// ClosedPort returns "127.0.0.1:port" with nothing listening on it, so that a
// connect gets a real ECONNREFUSED. The port stays reserved by a bound socket
// that never listens (and has no SO_REUSEADDR), so no other test's listener
// can take it before the test ends.
func ClosedPort(t testing.TB) string {
	t.Helper()
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatalf("probetest: closed port: socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("probetest: closed port: bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("probetest: closed port: getsockname: %v", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		t.Fatalf("probetest: closed port: unexpected socket address %T", sa)
	}
	return fmt.Sprintf("127.0.0.1:%d", in4.Port)
}
