package probetest

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

var (
	appleV4  = netip.MustParseAddr("17.32.194.2")
	appleV4b = netip.MustParseAddr("17.32.194.99")
	appleV6  = netip.MustParseAddr("2620:149:a44::1")
)

func TestDNSServerResolver(t *testing.T) {
	s := NewDNSServer(t)
	s.Set("AppleID.Apple.com.", Answer{Addrs: []netip.Addr{appleV4, appleV6, appleV4b}})
	s.Set("v4only.apple.com", Answer{Addrs: []netip.Addr{appleV4}})
	s.Set("v6only.apple.com", Answer{Addrs: []netip.Addr{appleV6}})
	s.Set("empty.apple.com", Answer{})
	s.Set("servfail.apple.com", Answer{Rcode: dnsmessage.RCodeServerFailure})
	s.Set("refused.apple.com", Answer{Rcode: dnsmessage.RCodeRefused})
	s.Set("nx.apple.com", Answer{Rcode: dnsmessage.RCodeNameError})
	s.Set("drop.apple.com", Answer{Drop: true})

	tests := []struct {
		name, host, network string
		want                []netip.Addr
		notFound, timeout   bool
		temporary           bool
	}{
		{name: "A records", host: "appleid.apple.com", network: "ip4", want: []netip.Addr{appleV4, appleV4b}},
		{name: "AAAA records", host: "appleid.apple.com", network: "ip6", want: []netip.Addr{appleV6}},
		{name: "both families", host: "appleid.apple.com", network: "ip", want: []netip.Addr{appleV4, appleV4b, appleV6}},
		{name: "case-insensitive", host: "APPLEID.apple.COM", network: "ip4", want: []netip.Addr{appleV4, appleV4b}},
		{name: "A only, asked for both", host: "v4only.apple.com", network: "ip", want: []netip.Addr{appleV4}},
		{name: "AAAA only, asked for both", host: "v6only.apple.com", network: "ip", want: []netip.Addr{appleV6}},
		{name: "A only, asked for AAAA", host: "v4only.apple.com", network: "ip6", notFound: true},
		{name: "no records", host: "empty.apple.com", network: "ip", notFound: true},
		{name: "NXDOMAIN set", host: "nx.apple.com", network: "ip", notFound: true},
		{name: "NXDOMAIN default", host: "unknown.apple.com", network: "ip", notFound: true},
		{name: "SERVFAIL", host: "servfail.apple.com", network: "ip", temporary: true},
		{name: "REFUSED", host: "refused.apple.com", network: "ip"},
		{name: "drop", host: "drop.apple.com", network: "ip", timeout: true, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if tt.timeout {
				ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
			}
			defer cancel()
			before := s.QueriesFor(tt.host)
			got, err := s.Resolver().LookupNetIP(ctx, tt.network, tt.host)
			if s.QueriesFor(tt.host) <= before {
				t.Errorf("server saw no query for %s", tt.host)
			}
			if tt.want != nil {
				if err != nil {
					t.Fatalf("LookupNetIP: %v", err)
				}
				slices.SortFunc(got, netip.Addr.Compare)
				want := slices.Clone(tt.want)
				slices.SortFunc(want, netip.Addr.Compare)
				if !slices.Equal(got, want) {
					t.Fatalf("LookupNetIP = %v, want %v", got, want)
				}
				return
			}
			var dnsErr *net.DNSError
			if !errors.As(err, &dnsErr) {
				t.Fatalf("LookupNetIP = %v, %v; want a *net.DNSError", got, err)
			}
			if dnsErr.IsNotFound != tt.notFound || dnsErr.IsTimeout != tt.timeout {
				t.Errorf("err %q: IsNotFound=%v IsTimeout=%v, want %v %v", err, dnsErr.IsNotFound, dnsErr.IsTimeout, tt.notFound, tt.timeout)
			}
			if tt.temporary && !dnsErr.IsTemporary {
				t.Errorf("err %q: IsTemporary=false, want true", err)
			}
		})
	}
	if s.Queries() < len(tests) {
		t.Errorf("Queries() = %d, want at least %d", s.Queries(), len(tests))
	}
}

func TestDNSServerSetDefault(t *testing.T) {
	s := NewDNSServer(t)
	s.SetDefault(Answer{Addrs: []netip.Addr{appleV4}})
	got, err := s.Resolver().LookupNetIP(context.Background(), "ip4", "anything.example")
	if err != nil || !slices.Equal(got, []netip.Addr{appleV4}) {
		t.Fatalf("LookupNetIP = %v, %v; want [%v]", got, err, appleV4)
	}
	// A Set name wins over the default.
	s.Set("anything.example", Answer{Rcode: dnsmessage.RCodeNameError})
	_, err = s.Resolver().LookupNetIP(context.Background(), "ip4", "anything.example")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("err = %v, want NXDOMAIN", err)
	}
}

// SetRateLimit answers that many queries in a window, then none: the next
// lookup times out, and lifting the limit answers again.
func TestDNSServerRateLimit(t *testing.T) {
	s := NewDNSServer(t)
	s.SetDefault(Answer{Addrs: []netip.Addr{appleV4}})
	s.SetRateLimit(1, time.Hour)
	ask := func(timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_, err := s.Resolver().LookupNetIP(ctx, "ip4", "a.example")
		return err
	}
	if err := ask(5 * time.Second); err != nil {
		t.Fatalf("first query: %v", err)
	}
	var dnsErr *net.DNSError
	if err := ask(300 * time.Millisecond); !errors.As(err, &dnsErr) || !dnsErr.IsTimeout {
		t.Fatalf("over the limit: %v, want a timeout", err)
	}
	if n := s.QueriesFor("a.example"); n < 2 {
		t.Errorf("QueriesFor = %d: a dropped query counts too", n)
	}
	s.SetRateLimit(-1, 0)
	if err := ask(5 * time.Second); err != nil {
		t.Fatalf("limit lifted: %v", err)
	}
}

// A long answer is truncated over UDP; the Go resolver then retries over TCP
// on the same port and gets all of it.
func TestDNSServerTruncatesToTCP(t *testing.T) {
	s := NewDNSServer(t)
	var many []netip.Addr
	for i := range 100 {
		many = append(many, netip.AddrFrom16([16]byte{0x26, 0x20, 0x01, 0x49, 15: byte(i)}))
	}
	s.Set("big.apple.com", Answer{Addrs: many})
	got, err := s.Resolver().LookupNetIP(context.Background(), "ip6", "big.apple.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(many) {
		t.Fatalf("got %d addresses, want %d", len(got), len(many))
	}
	if n := s.QueriesFor("big.apple.com"); n < 2 {
		t.Fatalf("QueriesFor = %d, want a UDP and a TCP query", n)
	}
}

// exchange sends one raw query over network and parses the reply.
func exchange(t *testing.T, network, addr, name string, qtype dnsmessage.Type) (dnsmessage.Header, []dnsmessage.Resource) {
	t.Helper()
	q := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: 4242, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName(name), Type: qtype, Class: dnsmessage.ClassINET}},
	}
	msg, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 65536)
	var n int
	if network == "tcp" {
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:2]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint16(buf))
		if _, err := io.ReadFull(c, buf[:n]); err != nil {
			t.Fatal(err)
		}
	} else {
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		if n, err = c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	var resp dnsmessage.Message
	if err := resp.Unpack(buf[:n]); err != nil {
		t.Fatal(err)
	}
	if resp.ID != 4242 || !resp.Response || len(resp.Questions) != 1 || resp.Questions[0] != q.Questions[0] {
		t.Fatalf("reply does not match the query: %+v", resp)
	}
	return resp.Header, resp.Answers
}

func TestDNSServerWire(t *testing.T) {
	s := NewDNSServer(t)
	s.Set("appleid.apple.com", Answer{Addrs: []netip.Addr{appleV4}})
	s.Set("servfail.apple.com", Answer{Rcode: dnsmessage.RCodeServerFailure})
	tests := []struct {
		name     string
		qtype    dnsmessage.Type
		rcode    dnsmessage.RCode
		wantA    int
		wantAAAA int
	}{
		{"appleid.apple.com.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, 1, 0},
		// The name exists but has no AAAA: NOERROR, empty answer (NODATA).
		{"appleid.apple.com.", dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, 0, 0},
		{"appleid.apple.com.", dnsmessage.TypeMX, dnsmessage.RCodeSuccess, 0, 0},
		{"nope.apple.com.", dnsmessage.TypeA, dnsmessage.RCodeNameError, 0, 0},
		{"servfail.apple.com.", dnsmessage.TypeA, dnsmessage.RCodeServerFailure, 0, 0},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tt := range tests {
			t.Run(network+" "+tt.name+" "+tt.qtype.String(), func(t *testing.T) {
				h, answers := exchange(t, network, s.Addr(), tt.name, tt.qtype)
				if h.RCode != tt.rcode {
					t.Errorf("rcode = %v, want %v", h.RCode, tt.rcode)
				}
				if !h.Authoritative || !h.RecursionAvailable {
					t.Errorf("header = %+v, want AA and RA set", h)
				}
				var a, aaaa int
				for _, r := range answers {
					switch r.Header.Type {
					case dnsmessage.TypeA:
						a++
					case dnsmessage.TypeAAAA:
						aaaa++
					}
				}
				if a != tt.wantA || aaaa != tt.wantAAAA || len(answers) != a+aaaa {
					t.Errorf("answers = %v, want %d A and %d AAAA", answers, tt.wantA, tt.wantAAAA)
				}
			})
		}
	}
}

func TestDNSServerConcurrentSet(t *testing.T) {
	s := NewDNSServer(t)
	flapConcurrently(func(flip bool) {
		if flip {
			s.Set("flap.apple.com", Answer{Addrs: []netip.Addr{appleV4}})
		} else {
			s.Set("flap.apple.com", Answer{Rcode: dnsmessage.RCodeNameError})
		}
		s.SetDefault(Answer{})
		s.Resolver().LookupNetIP(context.Background(), "ip4", "flap.apple.com")
	})
	if s.Queries() == 0 {
		t.Fatal("no queries counted")
	}
}
