package probes_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/netenv"
	"github.com/idpulse/idpulse/probes/probetest"
)

// netenvTestdata is one of netenv's recorded command outputs.
func netenvTestdata(t *testing.T, name string) []byte {
	t.Helper()
	return []byte(filetest.Read(t, filepath.Join("netenv", "testdata", name)))
}

// TestVPNFollowsTheRouteToApple: the probe asks how the OS routes the first
// sign-in host's addresses, so a VPN that leaves the default route alone
// but carries Apple's traffic is active, and one Apple's traffic bypasses
// is not.
func TestVPNFollowsTheRouteToApple(t *testing.T) {
	appleV6 := netip.MustParseAddr("2620:149:a44::10")
	tests := []struct {
		name        string
		setup       func(t *testing.T, w *probetest.World, env *probes.Env)
		wantStatus  probes.Status
		wantSummary string
		wantActive  bool
		// wantRoutes, by destination: the interface and source ("" dest
		// means the sign-in host's IPv4 address).
		wantRoutes []netenv.RouteTo
	}{
		{
			name:        "no VPN",
			wantStatus:  probes.StatusOK,
			wantSummary: "no VPN",
			wantRoutes:  []netenv.RouteTo{{Prefix: "0.0.0.0/0", Interface: "eth0", Gateway: "192.168.1.1", Source: netenv.RouteSourceDefault, Via: "proc"}},
		},
		{
			name: "split defaults through tun0",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.AddRoute("0.0.0.0/1", "tun0")
				w.AddRoute("128.0.0.0/1", "tun0")
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: "VPN tun0 carries Apple's traffic (split route 0.0.0.0/1)",
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Prefix: "0.0.0.0/1", Interface: "tun0", Tunnel: true, Source: netenv.RouteSourceSplit, Via: "proc"}},
		},
		{
			name:        "a route to Apple's block only",
			setup:       func(t *testing.T, w *probetest.World, _ *probes.Env) { w.AddRoute("17.0.0.0/8", "wg0") },
			wantStatus:  probes.StatusWarn,
			wantSummary: "VPN wg0 carries Apple's traffic (route to 17.0.0.0/8)",
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Prefix: "17.0.0.0/8", Interface: "wg0", Tunnel: true, Source: netenv.RouteSourceSpecific, Via: "proc"}},
		},
		{
			name:        "full tunnel",
			setup:       func(t *testing.T, w *probetest.World, _ *probes.Env) { w.SetDefaultRoute("tun0") },
			wantStatus:  probes.StatusWarn,
			wantSummary: "VPN tun0 carries Apple's traffic (default route)",
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Prefix: "0.0.0.0/0", Interface: "tun0", Gateway: "192.168.1.1", Tunnel: true, Source: netenv.RouteSourceDefault, Via: "proc"}},
		},
		{
			name: "full tunnel that excludes Apple",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.SetDefaultRoute("tun0")
				w.AddRoute("17.0.0.0/8", "eth0")
			},
			wantStatus:  probes.StatusOK,
			wantSummary: "VPN tun0 is up, but Apple's traffic bypasses it (route to 17.0.0.0/8 via eth0)",
			wantRoutes:  []netenv.RouteTo{{Prefix: "17.0.0.0/8", Interface: "eth0", Source: netenv.RouteSourceSpecific, Via: "proc"}},
		},
		{
			name: "only IPv6 through the tunnel",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				h := w.Config.SignInHosts[0]
				w.AnswerAll(h, probetest.Answer{Addrs: []netip.Addr{w.Addr(h), appleV6}})
				w.AddRoute("::/0", "eth0")
				w.AddRoute("::/1", "tun0")
				w.AddRoute("8000::/1", "tun0")
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: "VPN tun0 carries Apple's traffic (split route ::/1)",
			wantActive:  true,
			wantRoutes: []netenv.RouteTo{
				{Prefix: "0.0.0.0/0", Interface: "eth0", Gateway: "192.168.1.1", Source: netenv.RouteSourceDefault, Via: "proc"},
				{Dest: appleV6.String(), Prefix: "::/1", Interface: "tun0", Tunnel: true, Source: netenv.RouteSourceSplit, Via: "proc"},
			},
		},
		{
			name: "a tunnel device with a name of its own",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.AddRoute("17.0.0.0/8", "corp0")
				filetest.Write(t, filepath.Join(w.SysClassNet, "corp0", "type"), "65534\n", 0o644)
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: "VPN corp0 carries Apple's traffic (route to 17.0.0.0/8)",
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Prefix: "17.0.0.0/8", Interface: "corp0", Tunnel: true, Source: netenv.RouteSourceSpecific, Via: "proc"}},
		},
		{
			// The main table says eth0; the kernel, policy rules applied,
			// says table 51820's tun0, and ip is asked first.
			name: "wg-quick policy routing seen by ip",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.Runner.Set("/sbin/ip route get fibmatch "+w.Addr(w.Config.SignInHosts[0]).String(),
					netenvTestdata(t, "ip-route-get-fibmatch_wg-quick-table51820_netns.txt"), nil)
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: "VPN tun0 carries Apple's traffic (default route)",
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Prefix: "0.0.0.0/0", Interface: "tun0", Table: "51820", Tunnel: true, Source: netenv.RouteSourceDefault, Via: "ip"}},
		},
		{
			name: "sign-in host does not resolve: Apple's block stands in",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.DNS.Set(w.Config.SignInHosts[0], probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
				w.AddRoute("17.0.0.0/8", "tun0")
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: "VPN tun0 carries Apple's traffic (route to 17.0.0.0/8)",
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Dest: "17.253.144.10", Prefix: "17.0.0.0/8", Interface: "tun0", Tunnel: true, Source: netenv.RouteSourceSpecific, Via: "proc"}},
		},
		{
			name: "sinkholed answer is not Apple's address",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.DNS.Set(w.Config.SignInHosts[0], probetest.Answer{Addrs: []netip.Addr{netip.MustParseAddr("0.0.0.0")}})
			},
			wantStatus:  probes.StatusOK,
			wantSummary: "no VPN",
			wantRoutes:  []netenv.RouteTo{{Dest: "17.253.144.10", Prefix: "0.0.0.0/0", Interface: "eth0", Gateway: "192.168.1.1", Source: netenv.RouteSourceDefault, Via: "proc"}},
		},
		{
			name: "Linux: NetworkManager VPN and WireGuard up, Apple's traffic bypasses them",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.SetNetworkManager(netenvTestdata(t, "nmcli-active_vpn-wireguard.txt"))
			},
			wantStatus:  probes.StatusOK,
			wantSummary: `VPN "Office: Berlin" is up, but Apple's traffic bypasses it (default route via eth0)`,
			wantRoutes:  []netenv.RouteTo{{Prefix: "0.0.0.0/0", Interface: "eth0", Gateway: "192.168.1.1", Source: netenv.RouteSourceDefault, Via: "proc"}},
		},
		{
			name: "Linux: NetworkManager VPN whose tun0 carries Apple's block",
			setup: func(t *testing.T, w *probetest.World, _ *probes.Env) {
				w.SetNetworkManager(netenvTestdata(t, "nmcli-active_vpn-wireguard.txt"))
				w.AddRoute("17.0.0.0/8", "tun0")
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: `VPN "Office: Berlin" on tun0 carries Apple's traffic (route to 17.0.0.0/8)`,
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Prefix: "17.0.0.0/8", Interface: "tun0", Tunnel: true, Source: netenv.RouteSourceSpecific, Via: "proc"}},
		},
		{
			name: "macOS: connected L2TP that Apple's traffic bypasses",
			setup: func(t *testing.T, w *probetest.World, env *probes.Env) {
				darwin(t, w, env, "route-get_en1_real-world-systems.txt")
			},
			wantStatus:  probes.StatusOK,
			wantSummary: `VPN "Work VPN" is up, but Apple's traffic bypasses it (default route via en1)`,
			wantRoutes:  []netenv.RouteTo{{Prefix: "0.0.0.0/0", Interface: "en1", Gateway: "192.168.1.1", Source: netenv.RouteSourceDefault, Via: "route"}},
		},
		{
			name: "macOS: connected VPN whose utun carries the split defaults",
			setup: func(t *testing.T, w *probetest.World, env *probes.Env) {
				darwin(t, w, env, "route-get_utun3-split-half.txt")
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: `VPN "Work VPN" on utun3 carries Apple's traffic (split route 0.0.0.0/1)`,
			wantActive:  true,
			wantRoutes:  []netenv.RouteTo{{Prefix: "0.0.0.0/1", Interface: "utun3", Gateway: "10.8.0.1", Tunnel: true, Source: netenv.RouteSourceSplit, Via: "route"}},
		},
		{
			name: "macOS: route look-up fails, the connected service stands",
			setup: func(t *testing.T, w *probetest.World, env *probes.Env) {
				darwin(t, w, env, "")
			},
			wantStatus:  probes.StatusWarn,
			wantSummary: `VPN active: "Work VPN"`,
			wantActive:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := probetest.NewWorld(t)
			env := w.Env()
			if tt.setup != nil {
				tt.setup(t, w, &env)
			}
			res := probes.VPN{Env: env, Hosts: w.Config.SignInHosts}.Run(context.Background())
			ev, ok := res.Evidence.(*probes.VPNEvidence)
			if !ok {
				t.Fatalf("evidence %T", res.Evidence)
			}
			if res.Status != tt.wantStatus || res.Summary != tt.wantSummary || ev.Active != tt.wantActive {
				t.Errorf("got %s %q active %v, want %s %q active %v", res.Status, res.Summary, ev.Active, tt.wantStatus, tt.wantSummary, tt.wantActive)
			}
			if tt.wantRoutes == nil {
				return
			}
			if len(ev.Routes) != len(tt.wantRoutes) {
				t.Fatalf("routes %+v, want %+v", ev.Routes, tt.wantRoutes)
			}
			for i, want := range tt.wantRoutes {
				if want.Dest == "" {
					want.Dest = w.Addr(w.Config.SignInHosts[0]).String()
				}
				if ev.Routes[i] != want {
					t.Errorf("route %d = %+v\nwant      %+v", i, ev.Routes[i], want)
				}
			}
		})
	}
}

// darwin makes env a Mac with the L2TP service Connected whose route to the
// sign-in host is the route(8) capture in file ("" means the look-up fails).
func darwin(t *testing.T, w *probetest.World, env *probes.Env, file string) {
	env.GOOS = "darwin"
	w.Runner.Set("/sbin/route -n get default", netenvTestdata(t, "route-get-default_en0.txt"), nil)
	w.Runner.Set("/usr/sbin/scutil --nc list", netenvTestdata(t, "scutil-nc-list_l2tp-connected.txt"), nil)
	if file != "" {
		w.Runner.Set("/sbin/route -n get "+w.Addr(w.Config.SignInHosts[0]).String(), netenvTestdata(t, file), nil)
	}
}
