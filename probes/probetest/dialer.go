package probetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Route is what a MapDialer does with one destination. Set exactly one field;
// the zero Route is unreachable.
type Route struct {
	// To dials this "127.0.0.1:port" instead, on the same network.
	To string
	// Delay, with To, holds each dial that long before it connects: the
	// TCP handshake's round trip on a slow path. (The bytes that follow are
	// delayed by a DelayRelay in front of the server.)
	Delay time.Duration
	// Drop is a black hole: the dial blocks until ctx is done, then fails as
	// net.Dialer does: a *net.OpError wrapping os.ErrDeadlineExceeded (so
	// Timeout() is true) when ctx's deadline passed, or one wrapping
	// context.Canceled when ctx was cancelled. For UDP, where a real dial never
	// blocks, a realistic black hole is To a server that never answers (an
	// NTPServer with Silent, a DNSServer answering Drop).
	Drop bool
	// Unreachable fails at once with ENETUNREACH, like a machine with no route.
	Unreachable bool
}

// wildcardPort in a routeKey matches any port ("ip:*").
const wildcardPort = -1

type routeKey struct {
	network string // "tcp" or "udp"
	ip      netip.Addr
	port    int
}

// MapDialer is a probes.Dialer that maps the addresses Apple's names resolve to
// onto loopback servers. Real routes return the real *net.TCPConn or
// *net.UDPConn of a dial to the loopback server.
type MapDialer struct {
	resolver *net.Resolver

	mu       sync.Mutex
	routes   map[routeKey]Route
	def      Route
	dials    int
	attempts []string
}

// NewMapDialer makes a dialer that resolves host names in dial addresses with
// resolver; with a nil resolver only IP literals can be dialled. Unmapped
// addresses are unreachable until SetDefault says otherwise.
func NewMapDialer(resolver *net.Resolver) *MapDialer {
	return &MapDialer{
		resolver: resolver,
		routes:   map[routeKey]Route{},
		def:      Route{Unreachable: true},
	}
}

// Set routes dials on network ("tcp" or "udp") to addr ("ip:port", or "ip:*"
// for every port of ip). It panics on a malformed network or address.
func (d *MapDialer) Set(network, addr string, r Route) {
	k, err := parseRouteKey(network, addr)
	if err != nil {
		panic("probetest: MapDialer.Set: " + err.Error())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.routes[k] = r
}

// To is where a dial on network to addr ("ip:port") goes now ("" when it
// is not routed to a server).
func (d *MapDialer) To(network, addr string) string {
	k, err := parseRouteKey(network, addr)
	if err != nil {
		panic("probetest: MapDialer.To: " + err.Error())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.routes[k].To
}

// SetDefault is the route for addresses not Set. The initial default is
// Unreachable.
func (d *MapDialer) SetDefault(r Route) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.def = r
}

// Dials is the number of DialContext calls.
func (d *MapDialer) Dials() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dials
}

// Attempts lists every address a dial tried, in order, as "network ip:port"
// (for example "tcp 17.253.144.10:443"); a name resolving to two addresses can
// make two attempts in one dial.
func (d *MapDialer) Attempts() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.attempts...)
}

func parseRouteKey(network, addr string) (routeKey, error) {
	base := baseNetwork(network)
	if base != "tcp" && base != "udp" {
		return routeKey{}, fmt.Errorf("network %q is not tcp or udp", network)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return routeKey{}, fmt.Errorf("address %q: %v", addr, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return routeKey{}, fmt.Errorf("address %q: host is not an IP literal", addr)
	}
	k := routeKey{network: base, ip: ip.Unmap().WithZone(""), port: wildcardPort}
	if port != "*" {
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return routeKey{}, fmt.Errorf("address %q: port is not a number or *", addr)
		}
		k.port = int(p)
	}
	return k, nil
}

// route picks the route for one destination and records the attempt.
func (d *MapDialer) route(network string, ap netip.AddrPort) Route {
	k := routeKey{network: network, ip: ap.Addr().Unmap().WithZone(""), port: int(ap.Port())}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.attempts = keepLast(d.attempts, network+" "+ap.String())
	if r, ok := d.routes[k]; ok {
		return r
	}
	k.port = wildcardPort
	if r, ok := d.routes[k]; ok {
		return r
	}
	return d.def
}

// DialContext dials address as a net.Dialer would, but through the routes:
// host names are resolved first and each address is tried in order until one
// connects. network may be tcp, tcp4, tcp6, udp, udp4 or udp6.
func (d *MapDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return d.dial(ctx, &net.Dialer{}, network, address)
}

// WithControl is a view of d whose loopback connections are made with
// control as the net.Dialer's Control function (routes, records and counts
// are shared): probes.SmallSegmentsControl, for instance.
func (d *MapDialer) WithControl(control func(network, address string, c syscall.RawConn) error) ControlDialer {
	return ControlDialer{d: d, nd: &net.Dialer{Control: control}}
}

// ControlDialer is a MapDialer dialling with a Control function.
type ControlDialer struct {
	d  *MapDialer
	nd *net.Dialer
}

// DialContext dials as MapDialer.DialContext does.
func (c ControlDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return c.d.dial(ctx, c.nd, network, address)
}

func (d *MapDialer) dial(ctx context.Context, nd *net.Dialer, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.dials++
	d.mu.Unlock()

	base := baseNetwork(network)
	if base != "tcp" && base != "udp" {
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	port, err := net.DefaultResolver.LookupPort(ctx, base, portStr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	ips, err := d.resolve(ctx, network, host)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	var first error
	for _, ip := range ips {
		c, err := d.dialOne(ctx, nd, network, base, netip.AddrPortFrom(ip, uint16(port)))
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// resolve turns host into the addresses to try, keeping those of network's family.
func (d *MapDialer) resolve(ctx context.Context, network, host string) ([]netip.Addr, error) {
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		if d.resolver == nil {
			return nil, &net.DNSError{Err: "probetest: MapDialer has no resolver, dial IP literals only", Name: host}
		}
		ipNet := "ip"
		switch network[len(network)-1] {
		case '4':
			ipNet = "ip4"
		case '6':
			ipNet = "ip6"
		}
		ips, err = d.resolver.LookupNetIP(ctx, ipNet, host)
		if err != nil {
			return nil, err
		}
	}
	var out []netip.Addr
	for _, ip := range ips {
		ip = ip.Unmap()
		switch network[len(network)-1] {
		case '4':
			if !ip.Is4() {
				continue
			}
		case '6':
			if !ip.Is6() {
				continue
			}
		}
		out = append(out, ip)
	}
	if len(out) == 0 {
		return nil, &net.AddrError{Err: "no suitable address found", Addr: host}
	}
	return out, nil
}

func (d *MapDialer) dialOne(ctx context.Context, nd *net.Dialer, network, base string, dst netip.AddrPort) (net.Conn, error) {
	var addr net.Addr = net.TCPAddrFromAddrPort(dst)
	if base == "udp" {
		addr = net.UDPAddrFromAddrPort(dst)
	}
	r := d.route(base, dst)
	switch {
	case r.To != "":
		if r.Delay > 0 {
			// The handshake's round trip: SYN out, SYN-ACK back.
			select {
			case <-time.After(r.Delay):
			case <-ctx.Done():
				return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: os.ErrDeadlineExceeded}
			}
		}
		return nd.DialContext(ctx, base, r.To)
	case r.Drop:
		<-ctx.Done()
		err := error(os.ErrDeadlineExceeded)
		if errors.Is(ctx.Err(), context.Canceled) {
			err = ctx.Err()
		}
		return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: err}
	default: // Unreachable, or an empty Route
		return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}
	}
}
