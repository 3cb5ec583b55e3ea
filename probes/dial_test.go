package probes_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// happyWorld is one sign-in host with an IPv6 and an IPv4 address, each
// routed as the case says, reached by the reach probe.
func happyWorld(t *testing.T, v6, v4 probetest.Route, order ...netip.Addr) (probes.Reach, *probetest.MapDialer) {
	t.Helper()
	dns := probetest.NewDNSServer(t)
	dns.Set("appleid.apple.com", probetest.Answer{Addrs: order})
	d := probetest.NewMapDialer(nil)
	d.Set("tcp", "[2620:149:a44::1]:443", v6)
	d.Set("tcp", "17.253.144.10:443", v4)
	env := probes.Env{Dialer: d, Resolver: dns.Resolver()}
	return probes.Reach{Env: env, Hosts: []string{"appleid.apple.com"}, Port: 443}, d
}

var (
	addr6 = netip.MustParseAddr("2620:149:a44::1")
	addr4 = netip.MustParseAddr("17.253.144.10")
)

// TestHappyEyeballs: every probe dials as the OS does, so a dead address
// family never fails a host that the other family reaches.
func TestHappyEyeballs(t *testing.T) {
	up := probetest.NewTCPListener(t)
	closed := probetest.ClosedPort(t)
	tests := []struct {
		name    string
		v6, v4  probetest.Route
		order   []netip.Addr
		ok      bool
		address string
		class   probes.Class
	}{
		{name: "IPv6 black hole, IPv4 works", v6: probetest.Route{Drop: true}, v4: probetest.Route{To: up.Addr()},
			order: []netip.Addr{addr6, addr4}, ok: true, address: "17.253.144.10:443"},
		{name: "IPv6 first even when the resolver lists IPv4 first", v6: probetest.Route{To: up.Addr()}, v4: probetest.Route{To: up.Addr()},
			order: []netip.Addr{addr4, addr6}, ok: true, address: "[2620:149:a44::1]:443"},
		{name: "IPv6 unroutable falls back at once", v6: probetest.Route{Unreachable: true}, v4: probetest.Route{To: up.Addr()},
			order: []netip.Addr{addr6, addr4}, ok: true, address: "17.253.144.10:443"},
		{name: "both fail: a refusal is reported over a timeout", v6: probetest.Route{Drop: true}, v4: probetest.Route{To: closed},
			order: []netip.Addr{addr6, addr4}, address: "17.253.144.10:443", class: probes.ClassRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := happyWorld(t, tt.v6, tt.v4, tt.order...)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			ev := p.Run(ctx).Evidence.(*probes.ReachEvidence)
			a := ev.SignIn[0]
			if a.OK != tt.ok || a.Address != tt.address || a.Class != tt.class {
				t.Errorf("attempt ok=%v address=%s class=%s, want ok=%v address=%s class=%q (%s)", a.OK, a.Address, a.Class, tt.ok, tt.address, tt.class, a.Error)
			}
		})
	}
}

// TestFamilies: the reach probe tests each family on its own, so broken IPv6
// shows although Happy Eyeballs connects over IPv4.
func TestFamilies(t *testing.T) {
	up := probetest.NewTCPListener(t)
	tests := []struct {
		name   string
		v6     probetest.Route
		order  []netip.Addr
		none   bool // no family check: only one family resolves
		broken bool
		status probes.Status
	}{
		{name: "IPv6 black hole", v6: probetest.Route{Drop: true}, order: []netip.Addr{addr6, addr4}, broken: true, status: probes.StatusWarn},
		{name: "IPv6 works", v6: probetest.Route{To: up.Addr()}, order: []netip.Addr{addr6, addr4}, status: probes.StatusOK},
		{name: "no IPv6 route is not broken", v6: probetest.Route{Unreachable: true}, order: []netip.Addr{addr6, addr4}, status: probes.StatusOK},
		{name: "IPv4 only", order: []netip.Addr{addr4}, none: true, status: probes.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := happyWorld(t, tt.v6, probetest.Route{To: up.Addr()}, tt.order...)
			// A generous deadline: the family check must end on its own grace.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			res := p.Run(ctx)
			ev := res.Evidence.(*probes.ReachEvidence)
			if (ev.Families == nil) != tt.none {
				t.Fatalf("families = %+v, want none: %v", ev.Families, tt.none)
			}
			if got := ev.Families.IPv6Broken(); got != tt.broken {
				t.Errorf("IPv6Broken = %v, want %v (%+v)", got, tt.broken, ev.Families)
			}
			if res.Status != tt.status || !ev.SignIn[0].OK {
				t.Errorf("status %s (%s), sign-in ok %v; want %s and ok", res.Status, res.Summary, ev.SignIn[0].OK, tt.status)
			}
			if ctx.Err() != nil {
				t.Error("the family check ran into the probe's deadline")
			}
		})
	}
}
