package netenv

import (
	"encoding/json"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// The parsers read text produced by other programs, possibly broken or
// truncated; they must return an error, never panic, and whatever they accept
// must be usable by the code downstream.

func FuzzParseScutilProxy(f *testing.F) {
	addTestdataSeeds(f, "scutil-proxy_")
	f.Add([]byte("<dictionary> {\n  A : <array> {\n    0 : <dictionary> {\n    }\n  }\n}\n"))
	f.Add([]byte("<dictionary> {\n  HTTPSEnable : 1\n  HTTPSProxy : [::1\n  HTTPSPort : 8443\n  ExceptionsList : <array> {\n    0 : *\n  }\n}\n"))
	targets := []*url.URL{
		{Scheme: "https", Host: "appleid.apple.com"},
		{Scheme: "http", Host: "169.254.1.1:80"},
		{Scheme: "https", Host: "[fe80::1%25en0]:443"},
		{Scheme: "http", Host: "printer"},
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParseScutilProxy(in)
		if err != nil {
			return
		}
		if p.Source != ProxySourceScutil {
			t.Fatalf("Source %q", p.Source)
		}
		checkProxyConfig(t, p, targets)
	})
}

// checkProxyConfig fails t unless what a proxy parser accepted is usable:
// host:port fields, and ProxyFor answering without a panic.
func checkProxyConfig(t *testing.T, p ProxyConfig, targets []*url.URL) {
	t.Helper()
	for _, hp := range []string{p.HTTP, p.HTTPS, p.SOCKS} {
		if hp == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(hp); err != nil {
			t.Fatalf("%q is not host:port: %v", hp, err)
		}
	}
	for _, u := range targets {
		_, _ = p.ProxyFor(u)
	}
}

func FuzzParseScutilNCList(f *testing.F) {
	addTestdataSeeds(f, "scutil-nc-list_")
	f.Add([]byte(ncListHeader + "\n* (\n"))
	f.Add([]byte(ncListHeader + "\n* () x \"[]\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		svcs, err := ParseScutilNCList(in)
		if err != nil {
			return
		}
		for _, s := range svcs {
			if s.ID == "" || strings.ContainsAny(s.ID, " \n") {
				t.Fatalf("bad service ID %q", s.ID)
			}
		}
	})
}

func FuzzParseProcNetRoute(f *testing.F) {
	addTestdataSeeds(f, "proc-net-route_")
	f.Add([]byte("Iface Destination Gateway Flags Mask\nx 0 0 1 0\n"))
	f.Add([]byte("Mask Mask Iface Destination Gateway Flags Metric\n0\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		routes, err := ParseProcNetRoute(in)
		if err != nil {
			return
		}
		for _, r := range routes {
			if r.Interface == "" {
				t.Fatalf("default route without interface: %+v", r)
			}
			if r.Gateway != "" {
				if a, err := netip.ParseAddr(r.Gateway); err != nil || !a.Is4() {
					t.Fatalf("gateway %q is not IPv4", r.Gateway)
				}
			}
		}
	})
}

func FuzzParseProcNetRouteTable(f *testing.F) {
	addTestdataSeeds(f, "proc-net-route_")
	fuzzRouteTable(f, ParseProcNetRouteTable, netip.MustParseAddr("17.253.144.10"))
}

func FuzzParseIPv6Route(f *testing.F) {
	addTestdataSeeds(f, "proc-net-ipv6_route_")
	f.Add([]byte("00000000000000000000000000000000 ff 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00000003 x\n"))
	fuzzRouteTable(f, ParseProcNetIPv6Route, netip.MustParseAddr("2620:149:a44::10"))
}

// fuzzRouteTable fuzzes a /proc route-table parser: every route it accepts
// has a masked prefix of dst's family and an interface, and LookupRoute
// searches the table for dst without a panic.
func fuzzRouteTable(f *testing.F, parse func([]byte) ([]TableRoute, error), dst netip.Addr) {
	f.Fuzz(func(t *testing.T, in []byte) {
		table, err := parse(in)
		if err != nil {
			return
		}
		for _, r := range table {
			if !r.Prefix.IsValid() || r.Prefix.Addr().Is4() != dst.Is4() || r.Prefix != r.Prefix.Masked() || r.Interface == "" {
				t.Fatalf("bad route %+v", r)
			}
		}
		LookupRoute(table, dst)
	})
}

func FuzzParseIPRouteGet(f *testing.F) {
	addTestdataSeeds(f, "ip-route-get")
	f.Add([]byte("unreachable\n"))
	f.Add([]byte("default via inet6\n"))
	f.Add([]byte("local dev dev\n"))
	dsts := []netip.Addr{netip.MustParseAddr("17.253.144.10"), netip.MustParseAddr("2620:149:a44::10")}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, dst := range dsts {
			r, err := ParseIPRouteGet(in, dst)
			if err != nil {
				continue
			}
			if !r.Prefix.IsValid() || r.Dev == "" && r.Type == "" {
				t.Fatalf("accepted %+v", r)
			}
			RouteSourceOf(r.Prefix)
		}
	})
}

func FuzzParseRouteGet(f *testing.F) {
	addTestdataSeeds(f, "route-get")
	f.Add([]byte("destination: default\nmask: 255.0.255.0\ninterface: utun3\nflags: <\n"))
	dsts := []netip.Addr{netip.MustParseAddr("17.253.144.10"), netip.MustParseAddr("2620:149:a44::10")}
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := ParseRouteGet(in)
		if err != nil {
			return
		}
		if r.Interface == "" {
			t.Fatal("accepted without an interface")
		}
		for _, dst := range dsts {
			if p, ok := r.Prefix(dst); ok && (!p.IsValid() || p.Addr().Is4() != dst.Is4()) {
				t.Fatalf("prefix %v for %v", p, dst)
			}
		}
	})
}

func FuzzParseGSettingsProxy(f *testing.F) {
	addTestdataSeeds(f, "gsettings-proxy_")
	f.Add([]byte("org.gnome.system.proxy ignore-hosts ['a', \"b's\", 'c\\\\'d']\norg.gnome.system.proxy mode 'manual'\norg.gnome.system.proxy.http host 'h'\norg.gnome.system.proxy.http port 1\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParseGSettingsProxy(in)
		if err != nil {
			return
		}
		checkProxyConfig(t, p, []*url.URL{{Scheme: "https", Host: "appleid.apple.com"}, {Scheme: "http", Host: "example.com"}})
		if _, err := json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseNmcliActive: whatever is accepted has a UUID on every
// connection, and printing the connections back in nmcli's terse form
// (escaping ':' and '\') reads back the same.
func FuzzParseNmcliActive(f *testing.F) {
	addTestdataSeeds(f, "nmcli-active_")
	f.Add([]byte(`a\:b\\:u:vpn:` + "\n"))
	f.Add([]byte("x:u:wireguard:wg0\\"))
	esc := strings.NewReplacer(`\`, `\\`, `:`, `\:`)
	f.Fuzz(func(t *testing.T, in []byte) {
		conns, err := ParseNmcliActive(in)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, c := range conns {
			if c.UUID == "" {
				t.Fatalf("accepted a connection without UUID: %+v", c)
			}
			b.WriteString(esc.Replace(c.Name) + ":" + esc.Replace(c.UUID) + ":" + esc.Replace(c.Type) + ":" + esc.Replace(c.Device) + "\n")
		}
		again, err := ParseNmcliActive([]byte(b.String()))
		if err != nil {
			t.Fatalf("re-reading %q: %v", b.String(), err)
		}
		if len(again) != len(conns) {
			t.Fatalf("re-read %d connections, want %d", len(again), len(conns))
		}
		for i := range conns {
			if again[i] != conns[i] {
				t.Fatalf("re-read %+v, want %+v", again[i], conns[i])
			}
		}
	})
}
