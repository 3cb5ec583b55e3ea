package probetest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Relay is a TCP relay on loopback in front of an upstream server that
// models a bad path between the Mac and Apple: one that adds latency to
// every byte (Delay), or one that drops every packet larger than a few
// hundred bytes (an MTU black hole: MaxSegment). Route a host To its Addr.
type Relay struct {
	srv      *connServer
	upstream string
	opts     RelayOptions
}

// RelayOptions say what the path does.
type RelayOptions struct {
	// Delay is the one-way latency added to the bytes in each direction,
	// so a request and its answer take 2 × Delay longer. (A MapDialer
	// Route.Delay adds the TCP handshake's share.)
	Delay time.Duration
	// MaxSegment, when set, models an MTU black hole: a connection whose
	// negotiated MSS is above it is accepted (small packets pass, so the
	// TCP handshake and the client's first bytes get through) but nothing
	// comes back, as if the server's large segments were dropped on the
	// way. A client that advertises a small MSS (TCP_MAXSEG before
	// connect) is relayed normally. Linux only: the relay reads the MSS
	// with getsockopt.
	MaxSegment int
}

// NewRelay starts a relay to upstream ("127.0.0.1:port").
func NewRelay(t testing.TB, upstream string, opts RelayOptions) *Relay {
	t.Helper()
	r := &Relay{srv: newConnServer(Listen(t, Loopback)), upstream: upstream, opts: opts}
	r.srv.serve(t, r.handle)
	return r
}

// Addr is the relay's "127.0.0.1:port".
func (r *Relay) Addr() string { return r.srv.Addr() }

func (r *Relay) handle(c net.Conn) {
	if r.opts.MaxSegment > 0 && segmentSize(c) > r.opts.MaxSegment {
		// The black hole: read what the client sends, answer nothing.
		io.Copy(io.Discard, c)
		return
	}
	up, err := net.Dial("tcp", r.upstream)
	if err != nil {
		return
	}
	if !r.srv.track(up) {
		up.Close()
		return
	}
	defer r.srv.untrack(up)
	var wg sync.WaitGroup
	wg.Go(func() { r.pipe(up, c) })
	r.pipe(c, up)
	wg.Wait()
}

// pipe copies src to dst, each chunk Delay later than it arrived, keeping
// order; it closes dst's write side at src's end, and both on an error.
func (r *Relay) pipe(dst, src net.Conn) {
	if r.opts.Delay <= 0 {
		io.Copy(dst, src)
		closeWrite(dst)
		return
	}
	type chunk struct {
		due  time.Time
		data []byte
	}
	queue := make(chan chunk, 64)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer closeWrite(dst)
		for ch := range queue {
			time.Sleep(time.Until(ch.due))
			if _, err := dst.Write(ch.data); err != nil {
				dst.Close()
				src.Close()
				for range queue {
				}
				return
			}
		}
	})
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			queue <- chunk{due: time.Now().Add(r.opts.Delay), data: append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			break
		}
	}
	close(queue)
	wg.Wait()
}
