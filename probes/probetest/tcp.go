package probetest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// TCPListener accepts TCP connections and counts them. The plain one holds
// every connection open (reading and discarding what the client sends) until
// the client closes it or the test ends; the reset one aborts each connection
// with an RST.
type TCPListener struct {
	srv *connServer

	mu      sync.Mutex
	accepts int
}

// NewTCPListener starts a listener on Loopback that accepts and holds
// connections (APNs on 5223, control targets on 443, ...).
func NewTCPListener(t testing.TB) *TCPListener {
	t.Helper()
	return NewTCPListenerOn(t, Listen(t, Loopback))
}

// NewTCPListenerOn is NewTCPListener accepting on ln, a listener the caller
// opened; ln is closed at cleanup.
func NewTCPListenerOn(t testing.TB, ln net.Listener) *TCPListener {
	t.Helper()
	l := &TCPListener{srv: newConnServer(ln)}
	l.srv.serve(t, func(c net.Conn) {
		l.count()
		io.Copy(io.Discard, c)
	})
	return l
}

// NewResetListener starts a listener on Loopback that accepts each
// connection and closes it with SO_LINGER 0, so the client sees a real RST:
// the dial succeeds and the client's next read fails with ECONNRESET. The RST
// is sent as soon as the client's first bytes arrive (or after a short grace
// period for a client that only reads); see abort.
func NewResetListener(t testing.TB) *TCPListener {
	t.Helper()
	l := &TCPListener{}
	l.srv = startConnServer(t, "reset listener", Loopback, func(c net.Conn) {
		l.count()
		abort(c)
	})
	return l
}

// Addr is the listener's "ip:port".
func (l *TCPListener) Addr() string { return l.srv.Addr() }

// Accepts is the number of connections accepted.
func (l *TCPListener) Accepts() int { return load(&l.mu, &l.accepts) }

func (l *TCPListener) count() {
	l.mu.Lock()
	l.accepts++
	l.mu.Unlock()
}

// resetGrace is how long a reset listener waits for the client's first bytes
// before resetting anyway.
const resetGrace = 100 * time.Millisecond

// abort resets c once the client has sent something (a TLS ClientHello, an
// HTTP request), closed its side, or stayed quiet for resetGrace. Resetting at
// once would race the client's connect on loopback, so the dial itself would
// sometimes fail; waiting makes the RST land on the client's read, as with a
// middlebox that lets the handshake through and kills the session.
func abort(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(resetGrace))
	c.Read(make([]byte, 1))
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
}
