package probetest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// TCPListener accepts TCP connections on loopback and counts them. The plain
// one holds every connection open (reading and discarding what the client
// sends) until the client closes it or the test ends; the reset one aborts
// each connection with an RST.
type TCPListener struct {
	ln    net.Listener
	reset bool
	wg    sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	accepts int
	conns   map[net.Conn]struct{}
}

// NewTCPListener starts a listener on 127.0.0.1:0 that accepts and holds
// connections (APNs on 5223, control targets on 443, ...).
func NewTCPListener(t testing.TB) *TCPListener {
	t.Helper()
	return newTCPListener(t, false)
}

// NewResetListener starts a listener on 127.0.0.1:0 that accepts each
// connection and closes it with SO_LINGER 0, so the client sees a real RST:
// the dial succeeds and the client's next read fails with ECONNRESET. The RST
// is sent as soon as the client's first bytes arrive (or after a short grace
// period for a client that only reads); see abort.
func NewResetListener(t testing.TB) *TCPListener {
	t.Helper()
	return newTCPListener(t, true)
}

func newTCPListener(t testing.TB, reset bool) *TCPListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: TCP listener: %v", err)
	}
	l := &TCPListener{ln: ln, reset: reset, conns: map[net.Conn]struct{}{}}
	l.wg.Add(1)
	go l.serve()
	t.Cleanup(l.close)
	return l
}

// Addr is the listener's "127.0.0.1:port".
func (l *TCPListener) Addr() string { return l.ln.Addr().String() }

// Accepts is the number of connections accepted.
func (l *TCPListener) Accepts() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.accepts
}

func (l *TCPListener) close() {
	l.mu.Lock()
	l.closed = true
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.ln.Close()
	l.wg.Wait()
}

func (l *TCPListener) serve() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			l.mu.Lock()
			closed := l.closed
			l.mu.Unlock()
			if closed {
				return
			}
			continue
		}
		l.mu.Lock()
		l.accepts++
		if l.closed {
			l.mu.Unlock()
			c.Close()
			return
		}
		l.conns[c] = struct{}{}
		l.mu.Unlock()
		l.wg.Add(1)
		if l.reset {
			go l.abort(c)
		} else {
			go l.hold(c)
		}
	}
}

// resetGrace is how long a reset listener waits for the client's first bytes
// before resetting anyway.
const resetGrace = 100 * time.Millisecond

// abort resets c once the client has sent something (a TLS ClientHello, an
// HTTP request), closed its side, or stayed quiet for resetGrace. Resetting at
// once would race the client's connect on loopback, so the dial itself would
// sometimes fail; waiting makes the RST land on the client's read, as with a
// middlebox that lets the handshake through and kills the session.
func (l *TCPListener) abort(c net.Conn) {
	defer l.wg.Done()
	c.SetReadDeadline(time.Now().Add(resetGrace))
	c.Read(make([]byte, 1))
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
	c.Close()
}

func (l *TCPListener) hold(c net.Conn) {
	defer l.wg.Done()
	io.Copy(io.Discard, c)
	l.mu.Lock()
	delete(l.conns, c)
	l.mu.Unlock()
	c.Close()
}
