//go:build linux

package pathlab

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// testTimeout bounds each test's network work.
const testTimeout = 20 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// families are the two address families every path test runs over.
var families = []struct {
	name    string
	network string
	server  func(*Lab) netip.Addr
}{
	{"ipv4", "tcp4", func(l *Lab) netip.Addr { return l.Server.IPv4 }},
	{"ipv6", "tcp6", func(l *Lab) netip.Addr { return l.Server.IPv6 }},
}

func TestPacketFate(t *testing.T) {
	v4 := func(size int) []byte {
		p := make([]byte, size)
		p[0] = 0x45
		p[2], p[3] = byte(size>>8), byte(size)
		return p
	}
	v6 := func(size int) []byte {
		p := make([]byte, size)
		p[0] = 0x60
		p[4], p[5] = byte((size-40)>>8), byte(size-40)
		return p
	}
	black := Faults{DropLargerThan: 1200}
	tests := []struct {
		name   string
		packet []byte
		dir    Direction
		faults Faults
		want   fate
	}{
		{"plain wire v4", v4(1500), ServerToClient, Faults{}, forward},
		{"plain wire v6", v6(1500), ClientToServer, Faults{}, forward},
		{"v4 at the limit", v4(1200), ServerToClient, black, forward},
		{"v4 over the limit", v4(1201), ServerToClient, black, dropLarge},
		{"v6 over the limit, header counted", v6(1201), ServerToClient, black, dropLarge},
		{"v6 at the limit", v6(1200), ServerToClient, black, forward},
		{"large to the server passes", v4(1500), ClientToServer, black, forward},
		{"v6 dropped to the server", v6(60), ClientToServer, Faults{DropIPv6: true}, dropIPv6},
		{"v6 dropped from the server", v6(60), ServerToClient, Faults{DropIPv6: true}, dropIPv6},
		{"v4 untouched by DropIPv6", v4(60), ClientToServer, Faults{DropIPv6: true}, forward},
		{"empty", nil, ClientToServer, Faults{}, dropMalformed},
		{"short v4", v4(20)[:19], ClientToServer, Faults{}, dropMalformed},
		{"short v6", v6(40)[:39], ClientToServer, Faults{}, dropMalformed},
		{"not IP", []byte{0x20, 0, 0, 0}, ClientToServer, Faults{}, dropMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := packetFate(tt.packet, tt.dir, tt.faults); got != tt.want {
				t.Errorf("packetFate(%s) = %d, want %d", tt.dir, got, tt.want)
			}
		})
	}
}

func TestNFTRuleset(t *testing.T) {
	tests := []struct {
		name        string
		faults      Faults
		want, avoid []string
	}{
		{"nothing to drop: only the delete", Faults{Delay: time.Second},
			[]string{"delete table inet pathlab"}, []string{"chain"}},
		{"black hole", Faults{DropLargerThan: 1200},
			[]string{`iifname "plab0" ip length > 1200 counter drop`, `iifname "plab0" ip6 length > 1160 counter drop`, "hook prerouting priority raw"},
			[]string{"nfproto ipv6", "chain output"}},
		{"broken IPv6", Faults{DropIPv6: true},
			[]string{`iifname "plab0" meta nfproto ipv6 counter drop`, `oifname "plab0" meta nfproto ipv6 counter drop`},
			[]string{"length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nftRuleset(tt.faults)
			if !strings.HasPrefix(got, "table inet pathlab\ndelete table inet pathlab\n") {
				t.Errorf("ruleset does not replace the table first:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("ruleset lacks %q:\n%s", w, got)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(got, a) {
					t.Errorf("ruleset has %q:\n%s", a, got)
				}
			}
		})
	}
}

func TestFaultsValidate(t *testing.T) {
	for _, f := range []Faults{{Delay: -1}, {DropLargerThan: -1}, {DropLargerThan: 100}} {
		if err := f.validate(); err == nil {
			t.Errorf("%+v: no error", f)
		}
	}
	if err := (Faults{Delay: time.Second, DropLargerThan: 1200, DropIPv6: true}).validate(); err != nil {
		t.Error(err)
	}
}

// TestLab checks the wiring: addresses, routes, resolv.conf, Do, Command,
// Listen and AddAddress, over a plain wire.
func TestLab(t *testing.T) {
	const resolv = "nameserver 10.86.0.1\n"
	l := New(t, Options{ResolvConf: resolv})
	ctx := testContext(t)

	out, err := l.Client.Command(ctx, "cat", "/etc/resolv.conf").Output()
	if err != nil || string(out) != resolv {
		t.Errorf("client /etc/resolv.conf = %q, %v; want %q", out, err, resolv)
	}
	for _, fam := range []string{"-4", "-6"} {
		out, err := l.Client.Run(ctx, nil, "ip", fam, "route", "show", "default")
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		via := l.Server.IPv4.String()
		if fam == "-6" {
			via = l.Server.IPv6.String()
		}
		if !strings.Contains(string(out), "via "+via+" dev "+LinkName) {
			t.Errorf("client ip %s route show default = %q, want via %s", fam, out, via)
		}
		if out, _ := l.Server.Run(ctx, nil, "ip", fam, "route", "show", "default"); len(out) > 0 {
			t.Errorf("server namespace has a default route: %s", out)
		}
	}

	// The link exists inside Do only: the thread goes back to the host's
	// namespace, and so do the threads that ran many Do calls.
	for range 20 {
		if err := l.Client.Do(func() error {
			_, err := net.InterfaceByName(LinkName)
			return err
		}); err != nil {
			t.Fatalf("inside Do: %v", err)
		}
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := net.InterfaceByName(LinkName); err == nil {
				t.Errorf("the host namespace has %s after Do", LinkName)
			}
		})
	}
	wg.Wait()

	// A fake Internet address on the server's lo answers the client.
	extra := netip.MustParsePrefix("192.0.2.10/32")
	if err := l.Server.AddAddress(extra); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{
		net.JoinHostPort(l.Server.IPv4.String(), "0"),
		net.JoinHostPort(l.Server.IPv6.String(), "0"),
		net.JoinHostPort(extra.Addr().String(), "0"),
	} {
		ln, err := l.Server.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		go echoOnce(ln)
		c, err := l.Client.Dial(ctx, nil, "tcp", ln.Addr().String())
		if err != nil {
			t.Fatalf("dial %s: %v", ln.Addr(), err)
		}
		c.SetDeadline(time.Now().Add(testTimeout))
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
			t.Errorf("echo from %s: %q, %v", ln.Addr(), buf, err)
		}
		c.Close()
	}
	// UDP too (a DNS server's socket).
	pc, err := l.Server.ListenPacket("udp", net.JoinHostPort(extra.Addr().String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 512)
		n, from, err := pc.ReadFrom(buf)
		if err == nil {
			pc.WriteTo(buf[:n], from)
		}
	}()
	uc, err := l.Client.Dial(ctx, nil, "udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	uc.SetDeadline(time.Now().Add(testTimeout))
	uc.Write([]byte("query"))
	buf := make([]byte, 16)
	if n, err := uc.Read(buf); err != nil || string(buf[:n]) != "query" {
		t.Errorf("UDP echo from %s: %q, %v", pc.LocalAddr(), buf[:n], err)
	}
	uc.Close()

	if _, err := l.Client.Dial(ctx, nil, "tcp", "localhost:80"); err == nil {
		t.Error("Dial accepted a host name")
	}
	if s := l.Stats(); s.ClientToServer.Forwarded == 0 || s.ServerToClient.Forwarded == 0 {
		t.Errorf("relay stats %+v: nothing forwarded", s)
	}
}

func echoOnce(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	io.Copy(c, c)
}

// TestCleanup checks that a lab's namespaces and /etc/netns files are gone
// after its test, and that New sweeps those of a test process that died.
func TestCleanup(t *testing.T) {
	Require(t, FilterRelay)
	// A pid that no process has: a child that has exited and been reaped.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	stale := fmt.Sprintf("%s%d-deadbeef-c", namePrefix, cmd.Process.Pid)
	if out, err := Run(context.Background(), nil, "ip", "netns", "add", stale); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { Run(context.Background(), nil, "ip", "netns", "del", stale) })

	var names []string
	t.Run("lab", func(t *testing.T) {
		l := New(t, Options{ResolvConf: "nameserver 10.86.0.1\n"})
		names = []string{l.Client.Name, l.Server.Name}
	})
	for _, name := range append(names, stale) {
		for _, p := range []string{filepath.Join(runNetns, name), filepath.Join(etcNetns, name)} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s still there (stat: %v)", p, err)
			}
		}
	}
}

// TestLatency checks that a delayed link really delays: a TCP connect
// takes at least one round trip (2×Delay) and an HTTP request on a new
// connection at least two. Lower bounds only: a slow machine may take
// longer, never less.
func TestLatency(t *testing.T) {
	const delay = 150 * time.Millisecond
	l := New(t, Options{Faults: Faults{Delay: delay}})
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			ctx := testContext(t)
			ln, err := l.Server.Listen(fam.network, net.JoinHostPort(fam.server(l).String(), "0"))
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{
				Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }),
				ReadHeaderTimeout: testTimeout,
			}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })

			start := time.Now()
			c, err := l.Client.Dial(ctx, nil, fam.network, ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took < 2*delay {
				t.Errorf("connect took %s, less than one round trip (%s)", took, 2*delay)
			}
			c.Close()

			client := &http.Client{Transport: &http.Transport{
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					return l.Client.Dial(ctx, nil, network, addr)
				},
				DisableKeepAlives: true,
			}}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ln.Addr().String()+"/", nil)
			if err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			took := time.Since(start)
			if err != nil || string(body) != "ok" {
				t.Fatalf("GET: %q, %v", body, err)
			}
			if took < 4*delay {
				t.Errorf("HTTP request on a new connection took %s, less than two round trips (%s)", took, 4*delay)
			}
			t.Logf("connect + GET over a %s link: %s", delay, took)
		})
	}
}

// bigChain is a server certificate for the lab's server under five
// intermediates: a Certificate message of several full-size segments.
func bigChain(t *testing.T, l *Lab) (tls.Certificate, *probetest.CA) {
	root := probetest.NewRootCA(t, "Pathlab Root", "pathlab")
	ca := root
	for i := range 5 {
		ca = ca.Intermediate(t, fmt.Sprintf("Pathlab Intermediate %d", i+1), "pathlab")
	}
	return ca.ValidLeaf(t, l.Server.IPv4.String(), l.Server.IPv6.String()), root
}

// dialMSS is a dialer that clamps its SYN's MSS to probes.SmallMSS (the
// product's own MTU retry) when mss is set, 0 meaning the default.
func dialMSS(mss int) *net.Dialer {
	d := &net.Dialer{}
	if mss > 0 {
		if mss != probes.SmallMSS {
			panic(fmt.Sprintf("dialMSS(%d): only probes.SmallMSS (%d) is supported", mss, probes.SmallMSS))
		}
		d.Control = probes.SmallSegmentsControl
	}
	return d
}

// TestMTUBlackhole: with large server→client packets dropped, a TLS
// handshake against a server with a long chain stalls at the default MSS and
// completes with TCP_MAXSEG 536, with the drops in the relay and in nft.
func TestMTUBlackhole(t *testing.T) {
	for _, filter := range []Filter{FilterRelay, FilterNFT} {
		t.Run(filter.String(), func(t *testing.T) {
			l := New(t, Options{Faults: Faults{DropLargerThan: 1200}, Filter: filter})
			cert, root := bigChain(t, l)
			for _, fam := range families {
				t.Run(fam.name, func(t *testing.T) {
					ln, err := l.Server.Listen(fam.network, net.JoinHostPort(fam.server(l).String(), "0"))
					if err != nil {
						t.Fatal(err)
					}
					go serveTLS(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}))

					handshake := func(mss int, budget time.Duration) error {
						ctx, cancel := context.WithTimeout(testContext(t), budget)
						defer cancel()
						c, err := l.Client.Dial(ctx, dialMSS(mss), fam.network, ln.Addr().String())
						if err != nil {
							return fmt.Errorf("connect: %w", err)
						}
						defer c.Close()
						tc := tls.Client(c, &tls.Config{RootCAs: root.Pool(), ServerName: fam.server(l).String()})
						return tc.HandshakeContext(ctx)
					}
					before := l.Stats().ServerToClient.DroppedLarge
					// A black hole never answers: the budget only says how
					// long to watch it not answer.
					err = handshake(0, 2*time.Second)
					if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
						t.Errorf("default MSS: handshake error %v, want a stall (deadline exceeded)", err)
					}
					if filter == FilterRelay && l.Stats().ServerToClient.DroppedLarge == before {
						t.Error("default MSS: the relay dropped no large packet")
					}
					if err := handshake(536, testTimeout); err != nil {
						t.Errorf("TCP_MAXSEG 536: handshake: %v", err)
					}
				})
			}
			if filter == FilterNFT {
				if s := l.Stats().ServerToClient; s.DroppedLarge != 0 {
					t.Errorf("FilterNFT: the relay dropped %d packets itself", s.DroppedLarge)
				}
				if s := l.Stats().ServerToClient; s.Largest <= 1200 {
					t.Errorf("FilterNFT: the largest packet relayed was %d bytes: nft saw nothing to drop", s.Largest)
				}
			}
		})
	}
}

// acceptEach hands every connection ln accepts to handle, in turn, until ln
// is closed.
func acceptEach(ln net.Listener, handle func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		handle(c)
	}
}

func serveTLS(ln net.Listener) {
	acceptEach(ln, func(c net.Conn) {
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(testTimeout))
			if err := c.(*tls.Conn).Handshake(); err != nil {
				return
			}
			io.Copy(io.Discard, c)
		}()
	})
}

// TestBrokenIPv6: with IPv6 dropped, the client keeps its IPv6 address and
// default route, an IPv6 connect times out and an IPv4 one succeeds; and
// SetFaults mends it.
func TestBrokenIPv6(t *testing.T) {
	for _, filter := range []Filter{FilterRelay, FilterNFT} {
		t.Run(filter.String(), func(t *testing.T) {
			l := New(t, Options{Faults: Faults{DropIPv6: true}, Filter: filter})
			ctx := testContext(t)
			out, err := l.Client.Run(ctx, nil, "ip", "-6", "route", "get", l.Server.IPv6.String())
			if err != nil || !strings.Contains(string(out), "dev "+LinkName) {
				t.Errorf("client has no IPv6 route to the server: %s (%v)", out, err)
			}
			ln, err := l.Server.Listen("tcp", ":0") // both families
			if err != nil {
				t.Fatal(err)
			}
			go acceptEach(ln, func(c net.Conn) { c.Close() })
			_, port, _ := net.SplitHostPort(ln.Addr().String())
			connect := func(addr netip.Addr, budget time.Duration) error {
				ctx, cancel := context.WithTimeout(ctx, budget)
				defer cancel()
				c, err := l.Client.Dial(ctx, nil, "tcp", net.JoinHostPort(addr.String(), port))
				if err == nil {
					c.Close()
				}
				return err
			}

			if err := connect(l.Server.IPv4, testTimeout); err != nil {
				t.Errorf("IPv4 connect: %v", err)
			}
			var ne net.Error
			if err := connect(l.Server.IPv6, time.Second); !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("IPv6 connect: %v, want a timeout", err)
			}
			if filter == FilterRelay && l.Stats().ClientToServer.DroppedIPv6 == 0 {
				t.Error("the relay dropped no IPv6 packet")
			}

			if err := l.SetFaults(Faults{}); err != nil {
				t.Fatal(err)
			}
			if got := l.Faults(); got != (Faults{}) {
				t.Errorf("Faults() = %+v after SetFaults(Faults{})", got)
			}
			if err := connect(l.Server.IPv6, testTimeout); err != nil {
				t.Errorf("IPv6 connect after SetFaults(Faults{}): %v", err)
			}
		})
	}
}

// TestCommandReachesServer runs a program in the client namespace, as an
// end-to-end test runs the binary: it resolves a name through the client's
// /etc/hosts (Options.Hosts) to a fake Internet address on the server's lo
// and reads a greeting from a listener the test process opened there.
func TestCommandReachesServer(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skipf("no bash for /dev/tcp: %v", err)
	}
	const name = "fake.apple.test"
	apple := netip.MustParsePrefix("17.253.144.10/32")
	l := New(t, Options{
		Faults: Faults{Delay: 50 * time.Millisecond},
		Hosts:  "127.0.0.1\tlocalhost\n" + apple.Addr().String() + "\t" + name + "\n",
	})
	if err := l.Server.AddAddress(apple); err != nil {
		t.Fatal(err)
	}
	ln, err := l.Server.Listen("tcp", net.JoinHostPort(apple.Addr().String(), "0"))
	if err != nil {
		t.Fatal(err)
	}
	go acceptEach(ln, func(c net.Conn) {
		io.WriteString(c, "hello\n")
		c.Close()
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	script := fmt.Sprintf("exec 3<>/dev/tcp/%s/%s && read -r line <&3 && echo \"$line\"", name, port)
	out, err := l.Client.Command(testContext(t), bash, "-c", script).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "hello" {
		t.Errorf("bash in the client namespace: %q, %v", out, err)
	}
}
