package netmon

import (
	"fmt"
	"io"
	"log/slog"
	"syscall"

	"golang.org/x/net/route"
	"golang.org/x/sys/unix"
)

// New starts watching the PF_ROUTE socket, where the kernel announces
// interface, address and route changes to every listener. Pure Go: builds
// with CGO_ENABLED=0.
func New(logger *slog.Logger) (*Monitor, error) {
	// darwin has no SOCK_CLOEXEC: hold ForkLock like package net does, so an
	// exec on another goroutine (osascript) cannot inherit the socket.
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("route socket: %w", err)
	}
	return watchFD(logger, fd, "route", recvRoute, interesting)
}

// recvRoute reads one routing message (a route socket returns one per read).
func recvRoute(fd int, buf []byte) ([]byte, error) {
	n, err := unix.Read(fd, buf)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, io.EOF
	}
	return buf[:n], nil
}

// interesting reports whether routing messages describe a change worth a
// re-check; a message x/net/route cannot parse counts as one.
func interesting(b []byte) bool {
	msgs, err := route.ParseRIB(route.RIBTypeRoute, b)
	if err != nil {
		return true
	}
	return anyInteresting(msgs)
}

func anyInteresting(msgs []route.Message) bool {
	for _, m := range msgs {
		switch m := m.(type) {
		case *route.RouteMessage:
			if !routeNoise(m) {
				return true
			}
		case *route.InterfaceMessage, *route.InterfaceAddrMessage:
			return true
		}
		// Multicast group membership (InterfaceMulticastAddrMessage) is not connectivity.
	}
	return false
}

// routeNoise is the traffic a busy Mac's route socket carries that says
// nothing about connectivity: lookups and misses by other processes, and the
// host routes the kernel clones per destination and per ARP/NDP neighbour.
func routeNoise(m *route.RouteMessage) bool {
	switch m.Type {
	case unix.RTM_GET, unix.RTM_GET2, unix.RTM_MISS, unix.RTM_LOSING, unix.RTM_RESOLVE, unix.RTM_LOCK:
		return true
	}
	return m.Flags&(unix.RTF_WASCLONED|unix.RTF_LLINFO) != 0
}
