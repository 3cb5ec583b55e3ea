package probetest

import (
	"net"

	"golang.org/x/sys/unix"
)

// segmentSize is the MSS negotiated on an accepted connection: at most what
// the client advertised in its SYN. 0 when it cannot be read.
func segmentSize(c net.Conn) int {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return 0
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return 0
	}
	mss := 0
	rc.Control(func(fd uintptr) { mss, _ = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_MAXSEG) })
	return mss
}
