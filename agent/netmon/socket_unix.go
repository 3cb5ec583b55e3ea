//go:build linux || darwin

package netmon

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// recvFunc reads one batch of messages from fd. It returns nil, nil for
// data to ignore (not from the kernel) and io.EOF when the socket is done.
type recvFunc func(fd int, buf []byte) ([]byte, error)

// watchFD is a Monitor of fd: it takes ownership of fd and reads it on a
// goroutine until Close.
//
// The goroutine blocks in the Go runtime's poller (epoll/kqueue), not in a
// raw recvfrom: shutdown(2) is not supported on netlink sockets
// (EOPNOTSUPP) and closing an fd does not wake a thread blocked reading it,
// whereas closing a pollable *os.File wakes its pending read at once.
func watchFD(logger *slog.Logger, fd int, name string, recv recvFunc, interesting func([]byte) bool) (*Monitor, error) {
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s socket: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), name) // non-blocking fd: registered with the poller
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s socket: %w", name, err)
	}
	m := newMonitor(logger)
	m.stop = f.Close
	go m.readLoop(rc, recv, interesting)
	return m, nil
}

func (m *Monitor) readLoop(rc syscall.RawConn, recv recvFunc, interesting func([]byte) bool) {
	defer close(m.done)
	buf := make([]byte, 64<<10) // larger than any single netlink/route batch
	for {
		var msg []byte
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			for {
				msg, rerr = recv(int(fd), buf)
				if !errors.Is(rerr, unix.EINTR) {
					break
				}
			}
			// false: nothing to read yet, park in the poller until readable.
			return !errors.Is(rerr, unix.EAGAIN)
		})
		if m.closing.Load() {
			return // Close woke the read; any error is the close itself
		}
		switch {
		case err != nil:
			m.fail(err)
			return
		case errors.Is(rerr, unix.ENOBUFS):
			// The socket buffer overflowed and the kernel dropped messages:
			// what changed is unknown, so assume something did.
			m.logger.Debug("network change messages dropped by the kernel")
			m.signal()
		case rerr != nil:
			m.fail(rerr)
			return
		case msg != nil && interesting(msg):
			m.signal()
		}
	}
}

// fail stops watching after an unexpected error. The consumer gets one last
// signal (the error may hide a change) and falls back to its periodic poll.
func (m *Monitor) fail(err error) {
	m.logger.Warn("network change monitor stopped; relying on periodic checks", "err", err)
	m.signal()
}
