package probetest

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// Answer is how the DNSServer answers one name.
type Answer struct {
	// Addrs are the A and AAAA records; a query gets those of its type. A name
	// with no record of the asked type gets NOERROR with an empty answer section.
	Addrs []netip.Addr
	// Rcode is the response code, for example dnsmessage.RCodeNameError
	// (NXDOMAIN) or dnsmessage.RCodeServerFailure; zero is success.
	Rcode dnsmessage.RCode
	// Drop means never answer: the client times out.
	Drop bool
	// DropFirst leaves the name's first DropFirst queries unanswered, as a
	// lossy link or a rate-limiting resolver does; later ones are answered.
	DropFirst int
}

// DNSServer is an authoritative-style DNS server answering over UDP and TCP on
// the same port.
type DNSServer struct {
	addr string
	res  *net.Resolver

	mu      sync.Mutex
	answers map[string]Answer
	def     Answer
	queries int
	byName  map[string]int
	// SetRateLimit's: at most rate queries answered per window of per,
	// the current window opened at windowStart with answered so far.
	rate        int
	per         time.Duration
	windowStart time.Time
	answered    int
}

// NewDNSServer starts a DNS server on Loopback (UDP and TCP, one port). It
// answers NXDOMAIN for every name until told otherwise.
func NewDNSServer(t testing.TB) *DNSServer {
	t.Helper()
	pc, ln := ListenDNS(t, Loopback)
	return NewDNSServerOn(t, pc, ln)
}

// ListenDNS binds UDP and TCP on one port of addr for a DNS server (":0"
// picks a port free for both), or fails t.
func ListenDNS(t testing.TB, addr string) (net.PacketConn, net.Listener) {
	t.Helper()
	pc, ln, err := listenUDPAndTCP(addr)
	if err != nil {
		t.Fatalf("probetest: DNS server: %v", err)
	}
	return pc, ln
}

// NewDNSServerOn is NewDNSServer answering on pc (UDP) and ln (TCP), which
// the caller opened on the same address (inside another network namespace,
// say); both are closed at cleanup.
func NewDNSServerOn(t testing.TB, pc net.PacketConn, ln net.Listener) *DNSServer {
	t.Helper()
	s := &DNSServer{
		addr:    pc.LocalAddr().String(),
		answers: map[string]Answer{},
		def:     Answer{Rcode: dnsmessage.RCodeNameError},
		rate:    -1,
		byName:  map[string]int{},
	}
	s.res = &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, baseNetwork(network), s.addr)
		},
	}
	servePackets(t, pc, func(pc net.PacketConn, query []byte, from net.Addr) {
		if resp, ok := s.respond(query, 1232); ok {
			pc.WriteTo(resp, from)
		}
	})
	newConnServer(ln).serve(t, s.serveConn)
	return s
}

// listenUDPAndTCP binds a UDP socket on addr and a TCP listener on the same
// port. For port 0 it retries when the TCP side of the chosen port is taken.
func listenUDPAndTCP(addr string) (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
		if _, port, _ := net.SplitHostPort(addr); port != "0" {
			break // a fixed port: another try finds it taken again
		}
	}
	return nil, nil, lastErr
}

// Addr is the server's "ip:port", the same for UDP and TCP.
func (s *DNSServer) Addr() string { return s.addr }

// Set fixes the answer for name (without trailing dot, case-insensitive).
func (s *DNSServer) Set(name string, a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[canonicalName(name)] = cloneAnswer(a)
}

// SetDefault fixes the answer for names not Set. The initial default is NXDOMAIN.
func (s *DNSServer) SetDefault(a Answer) { store(&s.mu, &s.def, cloneAnswer(a)) }

// SetRateLimit makes the server answer at most n queries, whatever their
// names, in each window of per (the first opens with the next query), and
// drop the others unanswered, as a resolver that rate-limits bursts does
// (some drop queries after 20–25 in a row). n < 0 lifts the limit.
func (s *DNSServer) SetRateLimit(n int, per time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate, s.per, s.windowStart, s.answered = n, per, time.Time{}, 0
}

// overLimit counts one query against SetRateLimit's window and reports
// whether it must go unanswered. s.mu must be held.
func (s *DNSServer) overLimit(now time.Time) bool {
	if s.rate < 0 || s.per <= 0 {
		return false
	}
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= s.per {
		s.windowStart, s.answered = now, 0
	}
	if s.answered >= s.rate {
		return true
	}
	s.answered++
	return false
}

// Queries is the number of queries received, answered or not.
func (s *DNSServer) Queries() int { return load(&s.mu, &s.queries) }

// QueriesFor is the number of queries received for name (any type).
func (s *DNSServer) QueriesFor(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byName[canonicalName(name)]
}

// Resolver is a pure-Go resolver that sends every query, over UDP or TCP, to
// this server. Like any Go resolver it still reads /etc/hosts first and applies
// resolv.conf's search list, ndots, timeout and attempts, and its errors name
// resolv.conf's server in DNSError.Server, not this one.
func (s *DNSServer) Resolver() *net.Resolver { return s.res }

func canonicalName(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

func cloneAnswer(a Answer) Answer {
	a.Addrs = append([]netip.Addr(nil), a.Addrs...)
	return a
}

// lookup is the answer for name and how many queries for it have come,
// this one included.
func (s *DNSServer) lookup(name string) (Answer, int) {
	key := canonicalName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byName[key]++
	if a, ok := s.answers[key]; ok {
		return a, s.byName[key]
	}
	return s.def, s.byName[key]
}

// serveConn answers length-prefixed queries on one TCP connection. A dropped
// query leaves the connection open and silent.
func (s *DNSServer) serveConn(c net.Conn) {
	var lenBuf [2]byte
	for {
		if _, err := io.ReadFull(c, lenBuf[:]); err != nil {
			return
		}
		msg := make([]byte, binary.BigEndian.Uint16(lenBuf[:]))
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		resp, ok := s.respond(msg, 65535)
		if !ok {
			continue
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

// respond builds the reply to one query; false means send nothing.
func (s *DNSServer) respond(query []byte, maxSize int) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil || h.Response {
		return nil, false
	}
	s.mu.Lock()
	s.queries++
	overLimit := s.overLimit(time.Now())
	s.mu.Unlock()
	q, err := p.Question()
	if err != nil {
		return reply(h, nil, dnsmessage.RCodeFormatError, nil, maxSize), !overLimit
	}
	a, n := s.lookup(q.Name.String())
	if overLimit || a.Drop || n <= a.DropFirst {
		return nil, false
	}
	return reply(h, &q, a.Rcode, a.Addrs, maxSize), true
}

func reply(qh dnsmessage.Header, q *dnsmessage.Question, rcode dnsmessage.RCode, addrs []netip.Addr, maxSize int) []byte {
	h := dnsmessage.Header{
		ID:                 qh.ID,
		Response:           true,
		OpCode:             qh.OpCode,
		Authoritative:      true,
		RecursionDesired:   qh.RecursionDesired,
		RecursionAvailable: true,
		RCode:              rcode,
	}
	build := func(h dnsmessage.Header, withAnswers bool) ([]byte, error) {
		b := dnsmessage.NewBuilder(make([]byte, 0, 512), h)
		b.EnableCompression()
		if q == nil {
			return b.Finish()
		}
		if err := b.StartQuestions(); err != nil {
			return nil, err
		}
		if err := b.Question(*q); err != nil {
			return nil, err
		}
		if !withAnswers || rcode != dnsmessage.RCodeSuccess {
			return b.Finish()
		}
		if err := b.StartAnswers(); err != nil {
			return nil, err
		}
		rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
		for _, ip := range addrs {
			ip = ip.Unmap()
			switch {
			case q.Type == dnsmessage.TypeA && ip.Is4():
				if err := b.AResource(rh, dnsmessage.AResource{A: ip.As4()}); err != nil {
					return nil, err
				}
			case q.Type == dnsmessage.TypeAAAA && ip.Is6():
				if err := b.AAAAResource(rh, dnsmessage.AAAAResource{AAAA: ip.As16()}); err != nil {
					return nil, err
				}
			}
		}
		return b.Finish()
	}
	msg, err := build(h, true)
	if err == nil && len(msg) > maxSize {
		h.Truncated = true
		msg, err = build(h, false)
	}
	if err != nil {
		msg, _ = build(dnsmessage.Header{ID: qh.ID, Response: true, RCode: dnsmessage.RCodeServerFailure}, false)
	}
	return msg
}

// baseNetwork maps tcp4/tcp6/udp4/udp6 to tcp/udp.
func baseNetwork(network string) string {
	return strings.TrimRight(network, "46")
}
