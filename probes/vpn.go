package probes

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes/netenv"
)

// VPNEvidence is what the vpn probe found.
type VPNEvidence struct {
	netenv.VPNState
	Error string `json:"error,omitempty"`
}

// VPN notes a VPN that carries Apple's traffic. It is informational: a VPN is
// named in the verdict when Apple's hosts fail, because a VPN on the path is
// a frequent cause. "On the path" is decided by the route the OS uses to the
// addresses the first sign-in host resolves to, not by the default route
// alone: split defaults (0.0.0.0/1 + 128.0.0.0/1) and routes to Apple's block
// (17.0.0.0/8) leave the default route where it was.
type VPN struct {
	Env Env
	// Hosts are Apple's sign-in hosts; the first one's addresses are looked up.
	Hosts []string
}

// vpnResolveTimeout bounds the look-up of the sign-in host's addresses. The
// dns probe judges the resolver; here a slow one only costs the fallback.
const vpnResolveTimeout = 2 * time.Second

// appleFallbackAddr is an address in 17.0.0.0/8, Apple's own block, whose
// route is asked for when the sign-in host does not resolve. A route look-up
// sends no packet, so any address of Apple's stands for the others.
func appleFallbackAddr() netip.Addr { return netip.AddrFrom4([4]byte{17, 253, 144, 10}) }

func (VPN) ID() ID { return IDVPN }

func (p VPN) Run(ctx context.Context) Result {
	ev := &VPNEvidence{}
	res := Result{Evidence: ev}
	route, err := netenv.ReadDefaultRoute(ctx, p.Env.Runner, p.Env.GOOS, p.Env.ProcRoute)
	if err != nil {
		route = netenv.DefaultRoute{}
	}
	state, err := netenv.ReadVPN(ctx, p.Env.Runner, p.Env.GOOS, route)
	if err != nil {
		ev.Error = err.Error()
	}
	files := netenv.RouteFiles{Route: p.Env.ProcRoute, Route6: p.Env.ProcRoute6, SysClassNet: p.Env.SysClassNet}
	var routes []netenv.RouteTo
	for _, dst := range p.destinations(ctx) {
		routes = append(routes, netenv.ReadRouteTo(ctx, p.Env.Runner, p.Env.GOOS, files, dst))
	}
	ev.VPNState = state.WithRoutes(routes)
	res.Status, res.Summary = vpnSummary(ev.VPNState, err != nil)
	return res
}

// destinations are the addresses whose routes count: the first IPv4 and the
// first IPv6 address of the first sign-in host as the system resolver gives
// them (the OS may use either family), without sinkhole answers, which are not
// Apple's; Apple's block when nothing usable comes back.
func (p VPN) destinations(ctx context.Context) []netip.Addr {
	var out []netip.Addr
	if len(p.Hosts) > 0 && p.Env.Resolver != nil {
		rctx, cancel := context.WithTimeout(ctx, vpnResolveTimeout)
		addrs, _ := p.Env.lookup(rctx, p.Hosts[0])
		cancel()
		var v4, v6 netip.Addr
		for _, a := range addrs {
			a = a.Unmap()
			switch {
			case IsSinkhole(a):
			case a.Is4() && !v4.IsValid():
				v4 = a
			case a.Is6() && !v6.IsValid():
				v6 = a
			}
		}
		for _, a := range []netip.Addr{v4, v6} {
			if a.IsValid() {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, appleFallbackAddr())
	}
	return out
}

// vpnSummary says whether and how a VPN carries Apple's traffic.
func vpnSummary(st netenv.VPNState, failed bool) (Status, string) {
	service := ""
	for _, s := range st.Services {
		if s.Status == "Connected" {
			service = fmt.Sprintf("%q", s.Name)
			break
		}
	}
	if tun := st.TunnelRoutes(); len(tun) > 0 {
		who := "VPN " + tun[0].Interface
		if service != "" {
			who = fmt.Sprintf("VPN %s on %s", service, tun[0].Interface)
		}
		return StatusWarn, who + " carries Apple's traffic (" + carriedBy(tun) + ")"
	}
	if st.Active { // no route to Apple known: the service and default-route signals
		name := st.Interface
		if service != "" {
			name = service
		}
		return StatusWarn, "VPN active: " + name
	}
	if service != "" || st.DefaultViaTunnel {
		who := service
		if who == "" {
			who = st.Interface
		}
		return StatusOK, fmt.Sprintf("VPN %s is up, but Apple's traffic bypasses it (%s)", who, bypassedBy(st.Routes))
	}
	if failed {
		return StatusWarn, "VPN state unknown"
	}
	return StatusOK, "no VPN"
}

// carriedBy names the tunnel routes: "split routes 0.0.0.0/1, ::/1",
// "route to 17.0.0.0/8", "default route".
func carriedBy(tun []netenv.RouteTo) string {
	var split, specific []string
	def := false
	for _, r := range tun {
		switch {
		case r.Source == netenv.RouteSourceDefault:
			def = true
		case r.Source == netenv.RouteSourceSplit:
			split = appendNew(split, r.Prefix)
		case r.Prefix != "":
			specific = appendNew(specific, r.Prefix)
		default: // a cloned host route on macOS: only the destination is known
			specific = appendNew(specific, r.Dest)
		}
	}
	var parts []string
	for _, g := range []struct {
		one, many string
		list      []string
	}{{"split route ", "split routes ", split}, {"route to ", "routes to ", specific}} {
		switch len(g.list) {
		case 0:
		case 1:
			parts = append(parts, g.one+g.list[0])
		default:
			parts = append(parts, g.many+strings.Join(g.list, ", "))
		}
	}
	if def {
		parts = append(parts, "default route")
	}
	return strings.Join(parts, "; ")
}

// bypassedBy says where Apple's traffic goes instead: "route to 17.0.0.0/8
// via en0", "default route via eth0".
func bypassedBy(routes []netenv.RouteTo) string {
	for _, r := range routes {
		if r.Interface == "" {
			continue
		}
		if r.Source == netenv.RouteSourceDefault {
			return "default route via " + r.Interface
		}
		if r.Prefix != "" {
			return "route to " + r.Prefix + " via " + r.Interface
		}
		return "via " + r.Interface
	}
	return "no route through the VPN"
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
