//go:build linux || darwin

package probes

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// SmallSegmentsControl makes a socket advertise SmallMSS in its SYN, before
// connect, so that the peer never sends a segment larger than that: a path
// that drops large packets (a VPN, PPPoE or a router with a broken MTU)
// then carries the connection. It is a net.Dialer Control function.
func SmallSegmentsControl(_, _ string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG, SmallMSS)
	}); err != nil {
		return err
	}
	return serr
}

// smallSegmentsSupported: Linux and macOS both honour TCP_MAXSEG before connect.
const smallSegmentsSupported = true
