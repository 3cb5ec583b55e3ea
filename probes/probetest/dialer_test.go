package probetest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

func TestMapDialer(t *testing.T) {
	dns := NewDNSServer(t)
	dns.Set("1-courier.push.apple.com", Answer{Addrs: []netip.Addr{netip.MustParseAddr("17.57.146.20")}})
	dns.Set("appleid.apple.com", Answer{Addrs: []netip.Addr{netip.MustParseAddr("17.32.194.2"), netip.MustParseAddr("17.32.194.99")}})
	dns.Set("v6.apple.com", Answer{Addrs: []netip.Addr{netip.MustParseAddr("2620:149:a44::1")}})
	dns.Set("servfail.apple.com", Answer{Rcode: dnsmessage.RCodeServerFailure})

	push := NewTCPListener(t)
	web := NewTCPListener(t)
	v6 := NewTCPListener(t)
	reset := NewResetListener(t)
	ntp := NewNTPServer(t)

	d := NewMapDialer(dns.Resolver())
	d.Set("tcp", "17.57.146.20:5223", Route{To: push.Addr()})
	d.Set("tcp", "17.32.194.2:443", Route{Unreachable: true})
	d.Set("tcp", "17.32.194.99:*", Route{To: web.Addr()})
	d.Set("tcp", "[2620:149:a44::1]:443", Route{To: v6.Addr()})
	d.Set("tcp", "17.253.144.10:443", Route{Drop: true})
	d.Set("tcp", "1.1.1.1:443", Route{To: ClosedPort(t)})
	d.Set("tcp", "8.8.8.8:443", Route{To: reset.Addr()})
	d.Set("udp", "17.253.34.253:123", Route{To: ntp.Addr()})

	isTCP := func(t *testing.T, c net.Conn, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*net.TCPConn); !ok {
			t.Fatalf("conn is %T, want *net.TCPConn", c)
		}
	}
	timeout := func(t *testing.T, _ net.Conn, err error) {
		t.Helper()
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("err = %v, want a timeout", err)
		}
		var op *net.OpError
		if !errors.As(err, &op) || op.Op != "dial" {
			t.Fatalf("err = %#v, want a dial *net.OpError", err)
		}
	}
	notFound := func(t *testing.T, _ net.Conn, err error) {
		t.Helper()
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound {
			t.Fatalf("err = %v, want a not-found *net.DNSError", err)
		}
	}
	errIs := func(target error) func(*testing.T, net.Conn, error) {
		return func(t *testing.T, _ net.Conn, err error) {
			t.Helper()
			if !errors.Is(err, target) {
				t.Fatalf("err = %v, want %v", err, target)
			}
		}
	}
	tests := []struct {
		name, network, addr string
		ctxTimeout          time.Duration
		check               func(*testing.T, net.Conn, error)
		attempts            []string
	}{
		{name: "IP literal to listener", network: "tcp", addr: "17.57.146.20:5223", check: isTCP},
		{name: "name to listener", network: "tcp", addr: "1-courier.push.apple.com:5223", check: isTCP},
		{name: "tcp4", network: "tcp4", addr: "1-courier.push.apple.com:5223", check: isTCP},
		{name: "second address after an unreachable one", network: "tcp", addr: "appleid.apple.com:443", check: isTCP,
			attempts: []string{"tcp 17.32.194.2:443", "tcp 17.32.194.99:443"}},
		{name: "wildcard port", network: "tcp", addr: "17.32.194.99:8443", check: isTCP},
		{name: "service name port", network: "tcp", addr: "17.32.194.99:https", check: isTCP},
		{name: "IPv6 name", network: "tcp", addr: "v6.apple.com:443", check: isTCP},
		{name: "IPv6 name on tcp6", network: "tcp6", addr: "v6.apple.com:443", check: isTCP},
		// As with net.Dialer: the tcp4 lookup asks for A records only.
		{name: "IPv6 name on tcp4", network: "tcp4", addr: "v6.apple.com:443", check: notFound},
		{name: "IPv6 literal on tcp4", network: "tcp4", addr: "[2620:149:a44::1]:443", check: func(t *testing.T, _ net.Conn, err error) {
			var ae *net.AddrError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *net.AddrError", err)
			}
		}},
		{name: "drop", network: "tcp", addr: "17.253.144.10:443", ctxTimeout: 100 * time.Millisecond, check: timeout},
		{name: "unreachable", network: "tcp", addr: "17.32.194.2:443", check: func(t *testing.T, c net.Conn, err error) {
			errIs(syscall.ENETUNREACH)(t, c, err)
			var se *os.SyscallError
			if !errors.As(err, &se) || se.Syscall != "connect" {
				t.Fatalf("err = %#v, want a connect *os.SyscallError", err)
			}
		}},
		{name: "unmapped is unreachable", network: "tcp", addr: "203.0.113.7:443", check: errIs(syscall.ENETUNREACH)},
		{name: "unmapped network", network: "udp", addr: "17.57.146.20:5223", check: errIs(syscall.ENETUNREACH)},
		{name: "refused", network: "tcp", addr: "1.1.1.1:443", check: errIs(syscall.ECONNREFUSED)},
		{name: "reset", network: "tcp", addr: "8.8.8.8:443", check: func(t *testing.T, c net.Conn, err error) {
			isTCP(t, c, err)
			c.Write([]byte("\x16\x03\x01"))
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err = c.Read(make([]byte, 1))
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
				t.Fatalf("read = %v, want ECONNRESET or EOF", err)
			}
		}},
		{name: "udp", network: "udp", addr: "17.253.34.253:123", check: func(t *testing.T, c net.Conn, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := c.(*net.UDPConn); !ok {
				t.Fatalf("conn is %T, want *net.UDPConn", c)
			}
		}},
		{name: "udp4", network: "udp4", addr: "17.253.34.253:123", check: func(t *testing.T, c net.Conn, err error) {
			if _, ok := c.(*net.UDPConn); err != nil || !ok {
				t.Fatalf("conn %T, err %v; want *net.UDPConn", c, err)
			}
		}},
		{name: "NXDOMAIN", network: "tcp", addr: "nope.apple.com:443", check: notFound},
		{name: "SERVFAIL", network: "tcp", addr: "servfail.apple.com:443", check: func(t *testing.T, _ net.Conn, err error) {
			var de *net.DNSError
			if !errors.As(err, &de) || de.IsNotFound || de.IsTimeout {
				t.Fatalf("err = %v, want a SERVFAIL *net.DNSError", err)
			}
		}},
		{name: "bad network", network: "ip", addr: "17.57.146.20:5223", check: func(t *testing.T, _ net.Conn, err error) {
			var une net.UnknownNetworkError
			if !errors.As(err, &une) {
				t.Fatalf("err = %v, want net.UnknownNetworkError", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if tt.ctxTimeout > 0 {
				ctx, cancel = context.WithTimeout(context.Background(), tt.ctxTimeout)
			}
			defer cancel()
			before := len(d.Attempts())
			c, err := d.DialContext(ctx, tt.network, tt.addr)
			if c != nil {
				defer c.Close()
			}
			t.Logf("%s %s → %T %v", tt.network, tt.addr, c, err)
			tt.check(t, c, err)
			if tt.attempts != nil {
				if got := d.Attempts()[before:]; !slices.Equal(got, tt.attempts) {
					t.Fatalf("attempts = %v, want %v", got, tt.attempts)
				}
			}
		})
	}
	if d.Dials() != len(tests) {
		t.Errorf("Dials() = %d, want %d", d.Dials(), len(tests))
	}
	waitFor(t, "push accepts", func() bool { return push.Accepts() == 3 })
}

func TestMapDialerDropCancelled(t *testing.T) {
	d := NewMapDialer(nil)
	d.SetDefault(Route{Drop: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := d.DialContext(ctx, "tcp", "17.253.144.10:443")
		done <- err
	}()
	waitFor(t, "the dial to start", func() bool { return d.Dials() == 1 })
	select {
	case err := <-done:
		t.Fatalf("dropped dial returned before ctx was done: %v", err)
	default:
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestMapDialerDefaultAndNilResolver(t *testing.T) {
	l := NewTCPListener(t)
	d := NewMapDialer(nil)
	d.SetDefault(Route{To: l.Addr()})
	c, err := d.DialContext(context.Background(), "tcp", "192.0.2.1:1234")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	_, err = d.DialContext(context.Background(), "tcp", "appleid.apple.com:443")
	var de *net.DNSError
	if !errors.As(err, &de) {
		t.Fatalf("name with nil resolver: err = %v, want a *net.DNSError", err)
	}
	// A route set later for one address overrides the default for it.
	d.Set("tcp", "192.0.2.1:1234", Route{Unreachable: true})
	if _, err := d.DialContext(context.Background(), "tcp", "192.0.2.1:1234"); !errors.Is(err, syscall.ENETUNREACH) {
		t.Fatalf("err = %v, want ENETUNREACH", err)
	}
	// IPv4-mapped IPv6 literals match their IPv4 route.
	if _, err := d.DialContext(context.Background(), "tcp", "[::ffff:192.0.2.1]:1234"); !errors.Is(err, syscall.ENETUNREACH) {
		t.Fatalf("err = %v, want ENETUNREACH", err)
	}
}

func TestMapDialerSetPanics(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{
		{"ip", "1.1.1.1:53"},
		{"tcp", "1.1.1.1"},
		{"tcp", "dns.google:53"},
		{"udp", "1.1.1.1:port"},
		{"udp", "1.1.1.1:70000"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Set(%q, %q) did not panic", tc.network, tc.addr)
				}
			}()
			NewMapDialer(nil).Set(tc.network, tc.addr, Route{})
		}()
	}
}

func TestMapDialerConcurrent(t *testing.T) {
	l := NewTCPListener(t)
	d := NewMapDialer(nil)
	flapConcurrently(func(flip bool) {
		if flip {
			d.Set("tcp", "17.1.1.1:443", Route{To: l.Addr()})
		} else {
			d.Set("tcp", "17.1.1.1:*", Route{Unreachable: true})
		}
		d.SetDefault(Route{Unreachable: true})
		if c, err := d.DialContext(context.Background(), "tcp", "17.1.1.1:443"); err == nil {
			c.Close()
		}
		d.Attempts()
	})
	if d.Dials() != 80 {
		t.Fatalf("Dials() = %d, want 80", d.Dials())
	}
}
