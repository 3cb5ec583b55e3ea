package probetest

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestTCPListenerHolds(t *testing.T) {
	l := NewTCPListener(t)
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", l.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	waitFor(t, "three accepts", func() bool { return l.Accepts() == 3 })
	// Held open: writes go through and a read finds no data and no EOF, only
	// the deadline we set.
	c := conns[0]
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err := c.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read = %v, want our deadline (connection held open)", err)
	}
}

// The listener closes the connections it holds when the test ends.
func TestTCPListenerClosesAtCleanup(t *testing.T) {
	var c net.Conn
	t.Run("inner", func(t *testing.T) {
		l := NewTCPListener(t)
		var err error
		if c, err = net.Dial("tcp", l.Addr()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the accept", func() bool { return l.Accepts() == 1 })
	})
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read after cleanup = %v, want EOF", err)
	}
}

func TestResetListener(t *testing.T) {
	l := NewResetListener(t)
	for _, write := range []bool{true, false} {
		c, err := net.Dial("tcp", l.Addr())
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		if write {
			// Like a TLS client sending its ClientHello.
			c.Write([]byte("\x16\x03\x01"))
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Read(make([]byte, 1))
		if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
			t.Fatalf("write=%v: read = %v, want ECONNRESET or EOF", write, err)
		}
	}
	if l.Accepts() != 2 {
		t.Fatalf("Accepts() = %d, want 2", l.Accepts())
	}
}

func TestClosedPort(t *testing.T) {
	addr := ClosedPort(t)
	for range 2 { // still refused the second time: the port stays reserved
		_, err := net.Dial("tcp", addr)
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial %s = %v, want ECONNREFUSED", addr, err)
		}
	}
	// No one else can listen there while the test runs.
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Fatalf("listening on the closed port %s succeeded", addr)
	}
}
