package probetest

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Loopback is the address the plain constructors listen on: a free port on
// 127.0.0.1. The ...On constructors serve on a socket the caller opened
// instead: with Listen, ListenPacket or ListenDNS on any address (a fake
// public address inside a network namespace, cmd/idpulse/e2e), or inside
// another namespace (probetest/pathlab).
const Loopback = "127.0.0.1:0"

// The plumbing every fake shares: bind, serve until the test ends, then close
// and wait, so that no goroutine of a fake outlives its test.

// Listen binds a TCP listener on addr for a fake, or fails t.
func Listen(t testing.TB, addr string) net.Listener {
	t.Helper()
	return bind(t, "listen", net.Listen, "tcp", addr)
}

// ListenPacket binds a UDP socket on addr for a fake, or fails t.
func ListenPacket(t testing.TB, addr string) net.PacketConn {
	t.Helper()
	return bind(t, "listen", net.ListenPacket, "udp", addr)
}

// bind is listen's and listenPacket's: the socket, or t failed.
func bind[S any](t testing.TB, what string, listen func(network, addr string) (S, error), network, addr string) S {
	t.Helper()
	s, err := listen(network, addr)
	if err != nil {
		t.Fatalf("probetest: %s: %v", what, err)
	}
	return s
}

// serveHTTPOn serves h on ln (over TLS when cfg is set) until t ends.
func serveHTTPOn(t testing.TB, ln net.Listener, h http.Handler, cfg *tls.Config) net.Listener {
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         cfg,
		ReadHeaderTimeout: time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if cfg != nil {
			srv.ServeTLS(ln, "", "")
		} else {
			srv.Serve(ln)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln
}

// connServer is a TCP accept loop: each connection goes to handle on its own
// goroutine and is closed when handle returns. It tracks the open
// connections so that close can cut them, and close waits for every
// goroutine it started.
type connServer struct {
	ln net.Listener
	wg sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

// startConnServer serves handle on addr until t ends.
func startConnServer(t testing.TB, what, addr string, handle func(net.Conn)) *connServer {
	t.Helper()
	s := newConnServer(Listen(t, addr))
	s.serve(t, handle)
	return s
}

// newConnServer is a connServer on ln that accepts nothing until serve. A
// fake whose handler uses the server (track, for its upstream connections)
// stores it first: assigning startConnServer's result would race the first
// connection's handler.
func newConnServer(ln net.Listener) *connServer {
	return &connServer{ln: ln, conns: map[net.Conn]struct{}{}}
}

// serve accepts connections for handle until t ends.
func (s *connServer) serve(t testing.TB, handle func(net.Conn)) {
	s.wg.Add(1)
	go s.accept(handle)
	t.Cleanup(s.close)
}

// Addr is the listener's "ip:port".
func (s *connServer) Addr() string { return s.ln.Addr().String() }

func (s *connServer) accept(handle func(net.Conn)) {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue // a transient accept error (EMFILE, an aborted handshake)
		}
		if !s.track(c) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			handle(c)
		}()
	}
}

// track registers c (an accepted or an upstream connection) for closing at
// cleanup; false means the server is closed already.
func (s *connServer) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// untrack forgets c and closes it.
func (s *connServer) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

func (s *connServer) close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

// servePackets reads datagrams on pc until t ends and hands each to handle,
// which answers through pc. The buffer handle gets is reused for the next
// datagram.
func servePackets(t testing.TB, pc net.PacketConn, handle func(pc net.PacketConn, b []byte, from net.Addr)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				continue // an ICMP error from an earlier reply, for example
			}
			handle(pc, buf[:n], from)
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		<-done
	})
}

// The fakes' setters and getters: one field, read or written under the
// fake's mutex, because probes and tests use a fake from many goroutines.

func load[T any](mu *sync.Mutex, p *T) T {
	mu.Lock()
	defer mu.Unlock()
	return *p
}

// loadCopy returns a copy of the slice, nil when it is empty.
func loadCopy[T any](mu *sync.Mutex, p *[]T) []T {
	mu.Lock()
	defer mu.Unlock()
	return append([]T(nil), *p...)
}

func store[T any](mu *sync.Mutex, p *T, v T) {
	mu.Lock()
	defer mu.Unlock()
	*p = v
}
