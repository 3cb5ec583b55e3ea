package netmon

import (
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"syscall"

	"golang.org/x/sys/unix"
)

// groups are the rtnetlink multicast groups that describe connectivity:
// links, IPv4/IPv6 addresses and routes.
const groups = unix.RTMGRP_LINK |
	unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR |
	unix.RTMGRP_IPV4_ROUTE | unix.RTMGRP_IPV6_ROUTE

// New starts watching rtnetlink. Unprivileged processes may listen to these
// groups; no capability is needed.
func New(logger *slog.Logger) (*Monitor, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlink bind: %w", err)
	}
	return watchFD(logger, fd, "netlink", recvKernel, interesting)
}

// recvKernel reads one datagram and drops it unless the kernel (port 0) sent it.
func recvKernel(fd int, buf []byte) ([]byte, error) {
	n, from, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, io.EOF
	}
	if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
		return nil, nil
	}
	return buf[:n], nil
}

// interesting reports whether a netlink datagram describes a change worth a
// re-check. Wireless extension events (RTM_NEWLINK carrying IFLA_WIRELESS,
// sent for every scan) and cloned/cache routes are noise; anything that
// cannot be parsed counts as a change.
func interesting(b []byte) bool {
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil {
		return true
	}
	for i := range msgs {
		m := &msgs[i]
		switch m.Header.Type {
		case unix.RTM_NEWLINK:
			if !wirelessEvent(m) {
				return true
			}
		case unix.RTM_DELLINK, unix.RTM_NEWADDR, unix.RTM_DELADDR:
			return true
		case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
			if !clonedRoute(m) {
				return true
			}
		}
	}
	return false
}

func wirelessEvent(m *syscall.NetlinkMessage) bool {
	attrs, err := syscall.ParseNetlinkRouteAttr(m)
	if err != nil {
		return false
	}
	for _, a := range attrs {
		if a.Attr.Type == unix.IFLA_WIRELESS {
			return true
		}
	}
	return false
}

// clonedRoute reads rtm_flags (struct rtmsg: eight one-byte fields, then a
// native-endian uint32) for RTM_F_CLONED, the route cache.
func clonedRoute(m *syscall.NetlinkMessage) bool {
	if len(m.Data) < unix.SizeofRtMsg {
		return false
	}
	return binary.NativeEndian.Uint32(m.Data[8:12])&unix.RTM_F_CLONED != 0
}
