// Package netmon tells the agent when the network configuration may have
// changed (an interface came up, an address or the default route changed),
// so it re-checks at once instead of waiting for the next poll. Signals are
// hints, not descriptions: every one means "re-probe now", and bursts are
// coalesced here and should be debounced by the consumer.
//
// Linux listens on a NETLINK_ROUTE socket and macOS on a PF_ROUTE socket,
// both without cgo and without polling; other systems compare a fingerprint
// of the interfaces every 10 s.
package netmon

import (
	"log/slog"
	"sync"
	"sync/atomic"
)

// Monitor watches for network changes until Close.
type Monitor struct {
	logger  *slog.Logger
	changes chan struct{}
	closing atomic.Bool
	done    chan struct{} // closed when the watching goroutine has returned

	stop      func() error // ends the watching goroutine (closes its socket)
	closeOnce sync.Once
	closeErr  error
}

func newMonitor(logger *slog.Logger) *Monitor {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Monitor{
		logger:  logger,
		changes: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
}

// Changes delivers a value after the network changed. It holds at most one
// pending value: a burst of kernel messages (a Wi-Fi join produces dozens)
// becomes one signal, and a slow consumer never blocks the monitor.
//
// The channel is never closed, not even by Close, so a select loop cannot
// spin on it; stop receiving when you close the Monitor.
func (m *Monitor) Changes() <-chan struct{} { return m.changes }

// signal records a change without blocking; one pending signal is enough.
func (m *Monitor) signal() {
	select {
	case m.changes <- struct{}{}:
	default:
	}
}

// Close stops watching and waits until the watcher has returned. It is safe
// to call more than once.
func (m *Monitor) Close() error {
	m.closeOnce.Do(func() {
		m.closing.Store(true)
		if m.stop != nil {
			m.closeErr = m.stop()
		}
		<-m.done
	})
	return m.closeErr
}
