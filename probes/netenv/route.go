package netenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
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

// Route is one row of `netstat -rn`.
type Route struct {
	Destination string `json:"destination"`
	Gateway     string `json:"gateway"`
	Flags       string `json:"flags"`
	Netif       string `json:"netif"`
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

// ParseNetstatRN reads the IPv4 table of macOS `netstat -rn -f inet`. Columns
// are located by header name because macOS 11 dropped Refs and Use; the
// trailing Expire column is empty on most rows. Rows of an "Internet6:"
// section, present when -f inet was not given, are skipped.
func ParseNetstatRN(out []byte) ([]Route, error) {
	var (
		gwCol, flagsCol, netifCol = -1, -1, -1
		section                   string
		routes                    = []Route{}
		n                         int
		sawHeader                 bool
	)
	for line := range strings.Lines(string(out)) {
		n++
		t := strings.TrimSpace(line)
		switch {
		case t == "", t == "Routing tables":
			continue
		case strings.HasSuffix(t, ":") && !strings.ContainsAny(t, " \t"):
			section = t
			gwCol = -1
			continue
		}
		f := strings.Fields(t)
		if f[0] == "Destination" {
			gwCol = slices.Index(f, "Gateway")
			flagsCol = slices.Index(f, "Flags")
			netifCol = slices.Index(f, "Netif")
			if gwCol < 0 || flagsCol < 0 || netifCol < 0 {
				return nil, fmt.Errorf("parse netstat -rn: line %d: header lacks Gateway, Flags or Netif: %q", n, clip(t))
			}
			sawHeader = true
			continue
		}
		if gwCol < 0 {
			return nil, fmt.Errorf("parse netstat -rn: line %d: row before any header: %q", n, clip(t))
		}
		if section == "Internet6:" {
			continue
		}
		if len(f) <= max(gwCol, flagsCol, netifCol) {
			return nil, fmt.Errorf("parse netstat -rn: line %d: %d fields, want at least %d: %q", n, len(f), max(gwCol, flagsCol, netifCol)+1, clip(t))
		}
		routes = append(routes, Route{Destination: f[0], Gateway: f[gwCol], Flags: f[flagsCol], Netif: f[netifCol]})
	}
	if !sawHeader {
		return nil, errors.New("parse netstat -rn: no \"Destination Gateway Flags … Netif\" header")
	}
	return routes, nil
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
