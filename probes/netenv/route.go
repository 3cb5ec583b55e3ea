package netenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/idpulse/idpulse/probes/command"
)

// ErrNoDefaultRoute means the machine has no default route: it is offline as
// far as the internet is concerned, whatever the Wi-Fi icon says.
var ErrNoDefaultRoute = errors.New("no default route")

// DefaultRoute is where traffic to the internet leaves the machine.
type DefaultRoute struct {
	// Gateway is the next hop; empty for a point-to-point default (a VPN's
	// utun or ppp interface often has none).
	Gateway   string `json:"gateway,omitempty"`
	Interface string `json:"interface"`
}

// routeNotInTable is route(8)'s wording when the kernel has no such route.
// It arrives on stderr with exit status 1, so callers see it in the error.
const routeNotInTable = "not in table"

// ParseRouteGetDefault reads macOS `route -n get default`:
//
//	   route to: default
//	destination: default
//	    gateway: 192.168.1.1
//	  interface: en0
//	      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING>
//
// followed by a metrics table. Output saying "not in table" (when stderr was
// captured too) yields ErrNoDefaultRoute.
func ParseRouteGetDefault(out []byte) (DefaultRoute, error) {
	r, err := parseRouteGet(out, "route -n get default", ErrNoDefaultRoute)
	if err != nil {
		return DefaultRoute{}, err
	}
	return DefaultRoute{Gateway: r.Gateway, Interface: r.Interface}, nil
}

// Linux route flags (include/uapi/linux/route.h).
const (
	rtfUp      = 0x1
	rtfGateway = 0x2
	rtfReject  = 0x200 // unreachable, prohibit, blackhole
)

// ParseProcNetRoute returns the IPv4 default routes in Linux's
// /proc/net/route, lowest metric (the one the kernel uses) first.
func ParseProcNetRoute(out []byte) ([]DefaultRoute, error) {
	table, err := ParseProcNetRouteTable(out)
	if err != nil {
		return nil, err
	}
	routes := []DefaultRoute{}
	for _, r := range table {
		if r.Prefix.Bits() != 0 || r.Reject {
			continue
		}
		routes = append(routes, r.DefaultRoute())
	}
	return routes, nil
}

// ParseProcNetRouteTable returns every route that is up in Linux's
// /proc/net/route (the main table), lowest metric first, ties in file order.
// Columns are found by their header names. Addresses are the kernel's __be32
// printed as a host-order integer, i.e. little-endian on every machine
// idpulse ships for (amd64, arm64). A row whose mask is not a prefix is
// skipped: the kernel never prints one, so it is not a route to match.
func ParseProcNetRouteTable(out []byte) ([]TableRoute, error) {
	var (
		cols   map[string]int
		routes []TableRoute
		n      int
	)
	for line := range strings.Lines(string(out)) {
		n++
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if cols == nil {
			cols = make(map[string]int, len(f))
			for i, name := range f {
				cols[name] = i
			}
			for _, need := range []string{"Iface", "Destination", "Gateway", "Flags", "Mask"} {
				if _, ok := cols[need]; !ok {
					return nil, fmt.Errorf("parse /proc/net/route: header has no %s column: %q", need, clip(strings.TrimSpace(line)))
				}
			}
			continue
		}
		field := func(name string) (string, error) {
			i, ok := cols[name]
			if !ok {
				return "", nil
			}
			if i >= len(f) {
				return "", fmt.Errorf("parse /proc/net/route: line %d has no %s field", n, name)
			}
			return f[i], nil
		}
		var vals [6]string
		for i, name := range []string{"Iface", "Destination", "Gateway", "Flags", "Mask", "Metric"} {
			v, err := field(name)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
		dst, err1 := strconv.ParseUint(vals[1], 16, 32)
		gw, err2 := strconv.ParseUint(vals[2], 16, 32)
		flags, err3 := strconv.ParseUint(vals[3], 16, 32)
		mask, err4 := strconv.ParseUint(vals[4], 16, 32)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("parse /proc/net/route: line %d: %w", n, err)
		}
		var metric uint64
		if vals[5] != "" {
			m, err := strconv.ParseUint(vals[5], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("parse /proc/net/route: line %d: metric: %w", n, err)
			}
			metric = m
		}
		if flags&rtfUp == 0 {
			continue
		}
		bits, ok := maskBits(leIPv4(uint32(mask)).AsSlice())
		if !ok {
			continue
		}
		p, err := leIPv4(uint32(dst)).Prefix(bits)
		if err != nil {
			continue
		}
		r := TableRoute{Prefix: p, Interface: vals[0], Metric: uint32(metric), Reject: flags&rtfReject != 0}
		if flags&rtfGateway != 0 && gw != 0 {
			r.Gateway = leIPv4(uint32(gw))
		}
		routes = append(routes, r)
	}
	if cols == nil {
		return nil, errors.New("parse /proc/net/route: empty, no header line")
	}
	slices.SortStableFunc(routes, func(a, b TableRoute) int { return cmp.Compare(a.Metric, b.Metric) })
	return routes, nil
}

func leIPv4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
}

// ReadDefaultRoute returns the route the kernel uses for the internet. On
// darwin it asks route(8); on Linux it reads procRoute ("" means
// /proc/net/route). No default route is reported as ErrNoDefaultRoute.
func ReadDefaultRoute(ctx context.Context, r command.Runner, goos string, procRoute string) (DefaultRoute, error) {
	switch goos {
	case "darwin":
		out, err := run(ctx, r, routePath, "-n", "get", "default")
		if err != nil {
			// route(8) says "not in table" on stderr and exits 1; that text,
			// carried in the error (see RunError), is the only signal.
			if strings.Contains(string(out), routeNotInTable) || strings.Contains(err.Error(), routeNotInTable) {
				return DefaultRoute{}, fmt.Errorf("read default route: %w", ErrNoDefaultRoute)
			}
			return DefaultRoute{}, fmt.Errorf("read default route: %w", err)
		}
		rt, err := ParseRouteGetDefault(out)
		if err != nil {
			return DefaultRoute{}, fmt.Errorf("read default route: %w", err)
		}
		return rt, nil
	case "linux", "android":
		if procRoute == "" {
			procRoute = "/proc/net/route"
		}
		b, err := os.ReadFile(procRoute)
		if err != nil {
			return DefaultRoute{}, fmt.Errorf("read default route: %w", err)
		}
		routes, err := ParseProcNetRoute(b)
		if err != nil {
			return DefaultRoute{}, fmt.Errorf("read default route: %w", err)
		}
		if len(routes) == 0 {
			return DefaultRoute{}, fmt.Errorf("read default route: %w", ErrNoDefaultRoute)
		}
		return routes[0], nil
	}
	return DefaultRoute{}, fmt.Errorf("read default route: not supported on %q", goos)
}

// RouteTo is how the kernel sends traffic to one destination: the route it
// matched, and whether that route leaves through a tunnel. A VPN that does not
// own the default route still carries Apple's traffic when it installs split
// defaults (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1) or a route to Apple's
// block (17.0.0.0/8); only the route to the destination itself tells.
type RouteTo struct {
	Dest string `json:"dest"`
	// Prefix is the route the kernel matched ("0.0.0.0/1", "17.0.0.0/8",
	// "0.0.0.0/0"); empty when the OS did not say.
	Prefix    string `json:"prefix,omitempty"`
	Interface string `json:"interface,omitempty"`
	Gateway   string `json:"gateway,omitempty"`
	// Table is the Linux routing table when it is not main (policy routing,
	// as wg-quick and Tailscale use).
	Table  string `json:"table,omitempty"`
	Tunnel bool   `json:"tunnel"`
	// Source is RouteSourceDefault, RouteSourceSplit or RouteSourceSpecific.
	Source string `json:"source,omitempty"`
	// Via is how the route was found: "route" (macOS route(8)), "ip"
	// (Linux iproute2, policy rules included) or "proc" (the /proc tables).
	Via   string `json:"via,omitempty"`
	Error string `json:"error,omitempty"`
}

// Where a destination's route comes from.
const (
	RouteSourceDefault  = "default"  // the default route, ::/0 or 0.0.0.0/0
	RouteSourceSplit    = "split"    // a slice of the whole Internet: /1 to /4
	RouteSourceSpecific = "specific" // a route to a network or host, such as 17.0.0.0/8
)

// splitMaxBits is the longest prefix still counted as a split default.
// OpenVPN's redirect-gateway def1 installs /1 halves, and its IPv6 variant
// ::/3 and 2000::/4; a longer prefix is a route to somebody's network.
const splitMaxBits = 4

// RouteSourceOf names what kind of route p is.
func RouteSourceOf(p netip.Prefix) string {
	switch b := p.Bits(); {
	case b == 0:
		return RouteSourceDefault
	case b > 0 && b <= splitMaxBits:
		return RouteSourceSplit
	}
	return RouteSourceSpecific
}

// TableRoute is one row of a Linux routing table file.
type TableRoute struct {
	Prefix    netip.Prefix
	Gateway   netip.Addr // invalid when the route has no next hop
	Interface string
	Metric    uint32
	// Reject: unreachable, prohibit or blackhole; traffic goes nowhere.
	Reject bool
}

// DefaultRoute is the row as the default-route reader reports it.
func (r TableRoute) DefaultRoute() DefaultRoute {
	d := DefaultRoute{Interface: r.Interface}
	if r.Gateway.IsValid() {
		d.Gateway = r.Gateway.String()
	}
	return d
}

// LookupRoute does what the kernel's FIB does for one table: the longest
// prefix containing dst wins, then the lowest metric, then file order. The
// /proc files list main-table routes only (IPv4) or every table merged (IPv6)
// and no policy rules, so this is exact only without policy routing; ReadRouteTo
// asks iproute2 first for that reason.
func LookupRoute(table []TableRoute, dst netip.Addr) (TableRoute, bool) {
	dst = dst.Unmap()
	best, found := TableRoute{}, false
	for _, r := range table {
		if !r.Prefix.Contains(dst) {
			continue
		}
		if !found || r.Prefix.Bits() > best.Prefix.Bits() ||
			r.Prefix.Bits() == best.Prefix.Bits() && r.Metric < best.Metric {
			best, found = r, true
		}
	}
	return best, found
}

// IPv6 route flags (include/uapi/linux/ipv6_route.h).
const (
	rtf6Cache = 0x01000000 // a cloned entry, not a configured route
)

// ParseProcNetIPv6Route reads Linux's /proc/net/ipv6_route. Each line is
// printed by ipv6_route_native_seq_show as
//
//	dest(32 hex) plen(2 hex) src(32 hex) srclen(2 hex) nexthop(32 hex)
//	metric(8 hex) refcnt use flags(8 hex) iface
//
// with no header. Routes of every table are listed (main and local alike).
// Cached clones and source-specific routes (srclen > 0, which apply only to
// some sources) are left out; routes that are not up too.
func ParseProcNetIPv6Route(out []byte) ([]TableRoute, error) {
	routes := []TableRoute{}
	n := 0
	for line := range strings.Lines(string(out)) {
		n++
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 10 {
			return nil, fmt.Errorf("parse /proc/net/ipv6_route: line %d: %d fields, want 10", n, len(f))
		}
		dst, err1 := hexIPv6(f[0])
		plen, err2 := strconv.ParseUint(f[1], 16, 8)
		srclen, err3 := strconv.ParseUint(f[3], 16, 8)
		hop, err4 := hexIPv6(f[4])
		metric, err5 := strconv.ParseUint(f[5], 16, 32)
		flags, err6 := strconv.ParseUint(f[8], 16, 32)
		if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
			return nil, fmt.Errorf("parse /proc/net/ipv6_route: line %d: %w", n, err)
		}
		if plen > 128 {
			return nil, fmt.Errorf("parse /proc/net/ipv6_route: line %d: prefix length %d", n, plen)
		}
		if flags&rtfUp == 0 || flags&rtf6Cache != 0 || srclen != 0 {
			continue
		}
		p, _ := dst.Prefix(int(plen)) // plen ≤ 128 cannot fail
		r := TableRoute{Prefix: p, Interface: f[9], Metric: uint32(metric), Reject: flags&rtfReject != 0}
		if flags&rtfGateway != 0 && !hop.IsUnspecified() {
			r.Gateway = hop
		}
		routes = append(routes, r)
	}
	return routes, nil
}

func hexIPv6(s string) (netip.Addr, error) {
	if len(s) != 32 {
		return netip.Addr{}, fmt.Errorf("address %q is not 32 hex digits", clip(s))
	}
	var a [16]byte
	for i := range a {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("address %q: %w", clip(s), err)
		}
		a[i] = byte(v)
	}
	return netip.AddrFrom16(a), nil
}

// maskBits is the prefix length of a contiguous netmask.
func maskBits(mask []byte) (int, bool) {
	n := 0
	for i, b := range mask {
		if b == 0xff {
			n += 8
			continue
		}
		ones := bits.LeadingZeros8(^b)
		if b<<ones != 0 {
			return 0, false
		}
		for _, rest := range mask[i+1:] {
			if rest != 0 {
				return 0, false
			}
		}
		return n + ones, true
	}
	return n, true
}

// RouteGet is macOS `route -n get <destination>`: the route the kernel
// matched for the destination.
type RouteGet struct {
	// Destination and Mask as route(8) prints them: routename() writes
	// 0.0.0.0 as "default" (so the split half 0.0.0.0/1 reads "destination:
	// default, mask: 128.0.0.0"), an empty mask as "default", and a host
	// route has no mask line at all.
	Destination, Mask string
	Gateway           string
	Interface         string
	Flags             []string
}

// ParseRouteGet reads macOS `route -n get [-inet6] <ip>`, the same layout as
// `route -n get default` (see ParseRouteGetDefault). Output saying "not in
// table" yields ErrNoRoute.
func ParseRouteGet(out []byte) (RouteGet, error) {
	return parseRouteGet(out, "route -n get", ErrNoRoute)
}

// parseRouteGet reads route(8)'s "key: value" lines; cmd names the
// command in errors, and noRoute is the error for "not in table".
func parseRouteGet(out []byte, cmd string, noRoute error) (RouteGet, error) {
	s := string(out)
	if strings.Contains(s, routeNotInTable) {
		return RouteGet{}, fmt.Errorf("parse %s: %w", cmd, noRoute)
	}
	var r RouteGet
	var flags string
	readFields(s, map[string]*string{
		"destination": &r.Destination, "mask": &r.Mask, "gateway": &r.Gateway, "interface": &r.Interface, "flags": &flags,
	})
	if inner, ok := strings.CutPrefix(flags, "<"); ok {
		r.Flags = strings.Split(strings.TrimSuffix(inner, ">"), ",")
	}
	if r.Interface == "" {
		return RouteGet{}, fmt.Errorf("parse %s: no \"interface:\" line in %q", cmd, clip(strings.TrimSpace(s)))
	}
	return r, nil
}

// ErrNoRoute means the kernel has no route to the destination.
var ErrNoRoute = errors.New("no route")

// Prefix is the matched route for a destination of dst's family, or false
// when route(8)'s words do not say (a cloned host route, an odd mask).
func (r RouteGet) Prefix(dst netip.Addr) (netip.Prefix, bool) {
	dst = dst.Unmap()
	zero := netip.IPv6Unspecified()
	if dst.Is4() {
		zero = netip.IPv4Unspecified()
	}
	addr := func(s string) (netip.Addr, bool) {
		if s == "default" {
			return zero, true
		}
		s, _, _ = strings.Cut(s, "%") // a KAME scope, fe80::%en0
		a, err := netip.ParseAddr(s)
		return a, err == nil && a.Is4() == dst.Is4()
	}
	d, ok := addr(r.Destination)
	if !ok {
		return netip.Prefix{}, false
	}
	var bits int
	switch {
	case r.Mask == "default":
		bits = 0
	case r.Mask == "":
		// A host route: no RTA_NETMASK. Cloned ones hide their parent.
		if slices.Contains(r.Flags, "WASCLONED") || !slices.Contains(r.Flags, "HOST") {
			return netip.Prefix{}, false
		}
		bits = d.BitLen()
	default:
		m, ok := addr(r.Mask)
		if !ok {
			return netip.Prefix{}, false
		}
		if bits, ok = maskBits(m.AsSlice()); !ok {
			return netip.Prefix{}, false
		}
	}
	p, err := d.Prefix(bits)
	return p, err == nil
}

// IPRoute is Linux `ip route get fibmatch <ip>`: the FIB entry the kernel
// matched, after policy rules.
type IPRoute struct {
	Type    string // "" for unicast; local, unreachable, blackhole, prohibit, …
	Prefix  netip.Prefix
	Gateway string
	Dev     string
	Table   string
}

// isRouteType reports iproute2's route type keywords (rtnl_rtntype_n2a).
func isRouteType(s string) bool {
	switch s {
	case "unicast", "local", "broadcast", "anycast", "multicast",
		"blackhole", "unreachable", "prohibit", "throw", "nat":
		return true
	}
	return false
}

// ParseIPRouteGet reads `ip route get fibmatch <dst>`, as
// iproute2's print_route writes it:
//
//	[type] prefix [via [family] addr] [dev name] [table id] [proto p] [scope s] [metric n] [flags…]
//
// where prefix is "default" or an address with /len (a host route has no
// /len). dst gives "default" its family.
func ParseIPRouteGet(out []byte, dst netip.Addr) (IPRoute, error) {
	// A multipath route continues on "nexthop via … dev …" lines; the
	// "cache" line of a plain route get has no keyword that matters.
	all := strings.TrimSpace(string(out))
	first, _, _ := strings.Cut(all, "\n")
	f := strings.Fields(all)
	var r IPRoute
	if len(f) > 0 && isRouteType(f[0]) {
		r.Type, f = f[0], f[1:]
		if r.Type == "unicast" {
			r.Type = ""
		}
	}
	if len(f) == 0 {
		return IPRoute{}, fmt.Errorf("parse ip route get: no route in %q", clip(first))
	}
	p, err := parseIPRoutePrefix(f[0], dst.Unmap())
	if err != nil {
		return IPRoute{}, fmt.Errorf("parse ip route get: %w", err)
	}
	r.Prefix = p
	for i := 1; i < len(f); i++ {
		next := func() string {
			if i+1 < len(f) {
				i++
				return f[i]
			}
			return ""
		}
		switch f[i] {
		case "via": // the first nexthop's, on a multipath route
			v := next()
			if v == "inet" || v == "inet6" {
				v = next()
			}
			if r.Gateway == "" {
				r.Gateway = v
			}
		case "dev":
			if v := next(); r.Dev == "" {
				r.Dev = v
			}
		case "table":
			r.Table = next()
		}
	}
	if r.Dev == "" && r.Type == "" {
		return IPRoute{}, fmt.Errorf("parse ip route get: no dev in %q", clip(first))
	}
	return r, nil
}

func parseIPRoutePrefix(s string, dst netip.Addr) (netip.Prefix, error) {
	if s == "default" {
		if dst.Is4() {
			return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
		}
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// RouteFiles are the Linux files the route readers use; "" means the real
// /proc/net/route, /proc/net/ipv6_route and /sys/class/net.
type RouteFiles struct {
	Route, Route6, SysClassNet string
}

func (f RouteFiles) route() string  { return cmp.Or(f.Route, "/proc/net/route") }
func (f RouteFiles) route6() string { return cmp.Or(f.Route6, "/proc/net/ipv6_route") }
func (f RouteFiles) sys() string    { return cmp.Or(f.SysClassNet, "/sys/class/net") }

// ReadRouteTo asks the OS how it routes traffic to dst. On darwin it runs
// route(8); on Linux it runs `ip route get fibmatch`, which answers after the
// policy rules (wg-quick and Tailscale put their default route in a table of
// their own, invisible in /proc/net/route), and reads the /proc tables only
// when ip cannot be run. The result names the route and whether it leaves
// through a tunnel; what went wrong is in Error.
func ReadRouteTo(ctx context.Context, r command.Runner, goos string, files RouteFiles, dst netip.Addr) RouteTo {
	dst = dst.Unmap()
	rt := RouteTo{Dest: dst.String()}
	var err error
	switch goos {
	case "darwin":
		err = routeToDarwin(ctx, r, dst, &rt)
	case "linux", "android":
		err = routeToLinux(ctx, r, files, dst, &rt)
	default:
		err = fmt.Errorf("not supported on %q", goos)
	}
	if err != nil {
		rt.Error = fmt.Sprintf("route to %s: %v", dst, err)
		return rt
	}
	rt.Tunnel = TunnelInterface(rt.Interface, goos, files.sys())
	return rt
}

func routeToDarwin(ctx context.Context, r command.Runner, dst netip.Addr, rt *RouteTo) error {
	rt.Via = "route"
	args := []string{"-n", "get", dst.String()}
	if dst.Is6() {
		args = []string{"-n", "get", "-inet6", dst.String()}
	}
	out, err := run(ctx, r, routePath, args...)
	if err != nil {
		if strings.Contains(string(out), routeNotInTable) || strings.Contains(err.Error(), routeNotInTable) {
			return ErrNoRoute
		}
		return err
	}
	g, err := ParseRouteGet(out)
	if err != nil {
		return err
	}
	rt.Interface = g.Interface
	rt.Gateway = g.Gateway
	if p, ok := g.Prefix(dst); ok {
		rt.Prefix = p.String()
		rt.Source = RouteSourceOf(p)
	} else if g.Destination == dst.String() {
		// A host route cloned from its parent on use: the parent is not
		// shown, but it is not the default route's own entry.
		rt.Source = RouteSourceSpecific
	}
	return nil
}

func routeToLinux(ctx context.Context, r command.Runner, files RouteFiles, dst netip.Addr, rt *RouteTo) error {
	// iproute2's ip is /sbin/ip on Debian and wherever /usr is merged,
	// /usr/sbin/ip on the rest.
	for _, path := range []string{ipPath, "/usr/sbin/ip"} {
		out, err := run(ctx, r, path, "route", "get", "fibmatch", dst.String())
		if err == nil {
			ip, err := ParseIPRouteGet(out, dst)
			if err != nil {
				return err
			}
			rt.Via = "ip"
			if ip.Type != "" {
				return fmt.Errorf("%w: %s route %s", ErrNoRoute, ip.Type, ip.Prefix)
			}
			rt.Prefix, rt.Source = ip.Prefix.String(), RouteSourceOf(ip.Prefix)
			rt.Interface, rt.Gateway = ip.Dev, ip.Gateway
			if ip.Table != "main" {
				rt.Table = ip.Table
			}
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		// "RTNETLINK answers: Network is unreachable" is the kernel's
		// answer, not ip failing to run.
		if msg := command.Stderr(err); strings.Contains(msg, "RTNETLINK answers") {
			rt.Via = "ip"
			return fmt.Errorf("%w: %s", ErrNoRoute, strings.TrimPrefix(msg, "RTNETLINK answers: "))
		}
		if command.ExitCode(err) >= 0 {
			break // ip ran and refused (busybox, iproute2 before fibmatch)
		}
	}
	rt.Via = "proc"
	path, parse := files.route(), ParseProcNetRouteTable
	if dst.Is6() {
		path, parse = files.route6(), ParseProcNetIPv6Route
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	table, err := parse(b)
	if err != nil {
		return err
	}
	tr, ok := LookupRoute(table, dst)
	switch {
	case !ok:
		return ErrNoRoute
	case tr.Reject:
		return fmt.Errorf("%w: unreachable route %s", ErrNoRoute, tr.Prefix)
	}
	rt.Prefix, rt.Source = tr.Prefix.String(), RouteSourceOf(tr.Prefix)
	rt.Interface = tr.Interface
	if tr.Gateway.IsValid() {
		rt.Gateway = tr.Gateway.String()
	}
	return nil
}
