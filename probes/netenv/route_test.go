package netenv

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

// routeResult is a default route with whether the error says there is none.
type routeResult struct {
	Route     DefaultRoute
	NoDefault bool
}

func TestParseRouteGetDefault(t *testing.T) {
	parse := func(b []byte) (routeResult, error) {
		r, err := ParseRouteGetDefault(b)
		if err != nil && !errors.Is(err, ErrNoDefaultRoute) {
			return routeResult{}, err
		}
		return routeResult{r, err != nil}, nil
	}
	testParse(t, parse, []parseCase[routeResult]{
		{name: "Wi-Fi default", file: "route-get-default_en0.txt", want: routeResult{Route: DefaultRoute{Gateway: "192.168.1.1", Interface: "en0"}}},
		{name: "point-to-point VPN default has no gateway", file: "route-get-default_utun.txt", want: routeResult{Route: DefaultRoute{Interface: "utun4"}}},
		{name: "no default route", file: "route-get-default_not-in-table.txt", want: routeResult{NoDefault: true}},
		{name: "IPv6 gateway keeps its colons", in: "   route to: default\n    gateway: fe80::1%en0\n  interface: en0\n", want: routeResult{Route: DefaultRoute{Gateway: "fe80::1%en0", Interface: "en0"}}},
		{name: "empty", in: "", wantErr: `no "interface:" line`},
		{name: "garbage", in: "usage: route [-dnqtv] command [[modifiers] args]\n", wantErr: `no "interface:" line in "usage: route`},
	})
}

const procRouteHeader = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"

func TestParseProcNetRoute(t *testing.T) {
	testParse(t, ParseProcNetRoute, []parseCase[[]DefaultRoute]{
		{
			name: "real capture, one default",
			file: "proc-net-route_one-default_debian12.txt",
			want: []DefaultRoute{{Gateway: "192.0.2.1", Interface: "eth0"}},
		},
		{
			name: "two defaults sorted by metric",
			file: "proc-net-route_two-defaults.txt",
			want: []DefaultRoute{{Gateway: "192.168.1.254", Interface: "enp0s31f6"}, {Gateway: "192.168.0.1", Interface: "wlp2s0"}},
		},
		{
			name: "no default",
			file: "proc-net-route_no-default.txt",
			want: []DefaultRoute{},
		},
		{
			name: "header only",
			in:   procRouteHeader,
			want: []DefaultRoute{},
		},
		{
			name: "point-to-point default through a tunnel has no gateway",
			in:   procRouteHeader + "tun0\t00000000\t00000000\t0001\t0\t0\t50\t00000000\t0\t0\t0\n",
			want: []DefaultRoute{{Interface: "tun0"}},
		},
		{
			name: "a route that is not up is ignored",
			in:   procRouteHeader + "eth0\t00000000\t0100A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n",
			want: []DefaultRoute{},
		},
		{
			name: "equal metrics keep file order",
			in: procRouteHeader + "b\t00000000\t0100000A\t0003\t0\t0\t5\t00000000\t0\t0\t0\n" +
				"a\t00000000\t0200000A\t0003\t0\t0\t5\t00000000\t0\t0\t0\n",
			want: []DefaultRoute{{Gateway: "10.0.0.1", Interface: "b"}, {Gateway: "10.0.0.2", Interface: "a"}},
		},
		{name: "empty", in: "", wantErr: "empty, no header line"},
		{name: "header lacks Mask", in: "Iface\tDestination\tGateway\tFlags\n", wantErr: "header has no Mask column"},
		{name: "bad hex", in: procRouteHeader + "eth0\tZZ000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n", wantErr: "line 2: "},
		{name: "short line", in: procRouteHeader + "eth0\t00000000\t0100A8C0\n", wantErr: "line 2 has no Flags field"},
		{name: "bad metric", in: procRouteHeader + "eth0\t00000000\t0100A8C0\t0003\t0\t0\t-1\t00000000\t0\t0\t0\n", wantErr: "line 2: metric"},
	})
}

func TestReadDefaultRoute(t *testing.T) {
	const routeCmd = "/sbin/route -n get default"
	en0 := string(readTestdata(t, "route-get-default_en0.txt"))
	tests := []struct {
		name      string
		goos      string
		procRoute string
		replies   map[string]commandtest.Reply
		want      routeResult
		wantErr   string
	}{
		{
			name:    "darwin",
			goos:    "darwin",
			replies: map[string]commandtest.Reply{routeCmd: commandtest.OK(en0)},
			want:    routeResult{Route: DefaultRoute{Gateway: "192.168.1.1", Interface: "en0"}},
		},
		{
			name: "darwin without default route: message on stderr, exit status 1",
			goos: "darwin",
			replies: map[string]commandtest.Reply{routeCmd: {Err: &command.RunError{
				Path: "/sbin/route", Stderr: "route: writing to routing socket: not in table", Err: errors.New("exit status 1"),
			}}},
			want:    routeResult{NoDefault: true},
			wantErr: "read default route: no default route",
		},
		{
			name:    "darwin without default route: message captured on stdout",
			goos:    "darwin",
			replies: map[string]commandtest.Reply{routeCmd: {Out: []byte("route: writing to routing socket: not in table\n"), Err: errors.New("exit status 1")}},
			want:    routeResult{NoDefault: true},
			wantErr: "no default route",
		},
		{
			name:    "darwin command fails otherwise",
			goos:    "darwin",
			replies: map[string]commandtest.Reply{routeCmd: {Err: &command.RunError{Path: "/sbin/route", Err: context.DeadlineExceeded}}},
			wantErr: "read default route: run /sbin/route: context deadline exceeded",
		},
		{
			name:    "darwin unexpected output",
			goos:    "darwin",
			replies: map[string]commandtest.Reply{routeCmd: commandtest.OK("nonsense\n")},
			wantErr: "read default route: parse route -n get default",
		},
		{
			name:      "linux picks the lowest metric",
			goos:      "linux",
			procRoute: testdataPath("proc-net-route_two-defaults.txt"),
			want:      routeResult{Route: DefaultRoute{Gateway: "192.168.1.254", Interface: "enp0s31f6"}},
		},
		{
			name:      "linux without default",
			goos:      "linux",
			procRoute: testdataPath("proc-net-route_no-default.txt"),
			want:      routeResult{NoDefault: true},
			wantErr:   "read default route: no default route",
		},
		{
			name:      "linux file missing",
			goos:      "linux",
			procRoute: filepath.Join(t.TempDir(), "missing"),
			wantErr:   "read default route: open ",
		},
		{
			name:    "unsupported OS",
			goos:    "windows",
			wantErr: `read default route: not supported on "windows"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := replay(tt.replies)
			got, err := ReadDefaultRoute(context.Background(), r, tt.goos, tt.procRoute)
			wantResult(t, routeResult{got, errors.Is(err, ErrNoDefaultRoute)}, err, tt.want, tt.wantErr)
			if tt.goos != "darwin" {
				r.AssertCalls(t) // only darwin runs a command
			}
		})
	}
}

// On a real Linux host the default path must work (or report no route).
func TestReadDefaultRouteLinuxHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc/net/route")
	}
	if _, err := os.Stat("/proc/net/route"); err != nil {
		t.Skip(err)
	}
	got, err := ReadDefaultRoute(context.Background(), nil, "linux", "")
	if err != nil && !errors.Is(err, ErrNoDefaultRoute) {
		t.Fatal(err)
	}
	if err == nil && got.Interface == "" {
		t.Errorf("default route without interface: %+v", got)
	}
}

var (
	appleV4 = netip.MustParseAddr("17.253.144.10")
	appleV6 = netip.MustParseAddr("2620:149:a44::10")
)

func TestParseRouteGet(t *testing.T) {
	tests := []struct {
		file       string
		dst        netip.Addr
		want       RouteGet
		wantPrefix string // "" means Prefix reports false
	}{
		{"route-get_utun3-split-half.txt", appleV4,
			RouteGet{Destination: "default", Mask: "128.0.0.0", Gateway: "10.8.0.1", Interface: "utun3", Flags: []string{"UP", "GATEWAY", "DONE", "STATIC", "PRCLONING"}},
			"0.0.0.0/1"},
		{"route-get_utun4-17-8.txt", appleV4,
			RouteGet{Destination: "17.0.0.0", Mask: "255.0.0.0", Interface: "utun4", Flags: []string{"UP", "DONE", "STATIC", "PRCLONING"}},
			"17.0.0.0/8"},
		{"route-get-inet6_utun3-split-half.txt", appleV6,
			RouteGet{Destination: "::", Mask: "8000::", Interface: "utun3", Flags: []string{"UP", "DONE", "STATIC", "PRCLONING"}},
			"::/1"},
		{"route-get_en1_real-world-systems.txt", netip.MustParseAddr("192.0.43.10"),
			RouteGet{Destination: "default", Mask: "default", Gateway: "192.168.1.1", Interface: "en1", Flags: []string{"UP", "GATEWAY", "DONE", "STATIC", "PRCLONING"}},
			"0.0.0.0/0"},
		{"route-get-default_utun.txt", appleV4,
			RouteGet{Destination: "default", Mask: "default", Interface: "utun4", Flags: []string{"UP", "DONE", "STATIC", "PRCLONING", "GLOBAL"}},
			"0.0.0.0/0"},
		{"route-get_utun3-cloned-host.txt", appleV4,
			RouteGet{Destination: "17.253.144.10", Gateway: "10.8.0.1", Interface: "utun3", Flags: []string{"UP", "GATEWAY", "HOST", "DONE", "WASCLONED", "IFSCOPE", "IFREF"}},
			""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseRouteGet(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			p, ok := got.Prefix(tt.dst)
			if gotP := map[bool]string{true: p.String()}[ok]; gotP != tt.wantPrefix {
				t.Errorf("Prefix = %q, want %q", gotP, tt.wantPrefix)
			}
		})
	}
	if _, err := ParseRouteGet(readTestdata(t, "route-get-default_not-in-table.txt")); !errors.Is(err, ErrNoRoute) {
		t.Errorf("not in table: error %v, want ErrNoRoute", err)
	}
	if _, err := ParseRouteGet([]byte("usage: route\n")); err == nil || !strings.Contains(err.Error(), `no "interface:" line`) {
		t.Errorf("garbage: error %v", err)
	}
}

func TestRouteGetPrefixOddWords(t *testing.T) {
	tests := []struct {
		name string
		r    RouteGet
		dst  netip.Addr
		want string
	}{
		{"host route not cloned", RouteGet{Destination: "17.253.144.10", Flags: []string{"UP", "HOST"}}, appleV4, "17.253.144.10/32"},
		{"non-contiguous mask", RouteGet{Destination: "17.0.0.0", Mask: "255.0.255.0"}, appleV4, ""},
		{"family mismatch", RouteGet{Destination: "::", Mask: "8000::"}, appleV4, ""},
		{"scoped IPv6 destination", RouteGet{Destination: "fe80::%utun3", Mask: "ffff:ffff:ffff:ffff::"}, netip.MustParseAddr("fe80::1"), "fe80::/64"},
		{"name instead of number", RouteGet{Destination: "apple.com", Mask: "default"}, appleV4, ""},
	}
	for _, tt := range tests {
		p, ok := tt.r.Prefix(tt.dst)
		if got := map[bool]string{true: p.String()}[ok]; got != tt.want {
			t.Errorf("%s: Prefix = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseIPRouteGet(t *testing.T) {
	tests := []struct {
		name     string
		file, in string
		dst      netip.Addr
		want     IPRoute
		wantErr  string
	}{
		{name: "split half", file: "ip-route-get-fibmatch_split-tun0_netns.txt", dst: appleV4,
			want: IPRoute{Prefix: netip.MustParsePrefix("0.0.0.0/1"), Gateway: "10.8.0.1", Dev: "tun0"}},
		{name: "Apple's block", file: "ip-route-get-fibmatch_17-8-tun0_netns.txt", dst: appleV4,
			want: IPRoute{Prefix: netip.MustParsePrefix("17.0.0.0/8"), Dev: "tun0"}},
		{name: "default", file: "ip-route-get-fibmatch_default-eth0_netns.txt", dst: netip.MustParseAddr("1.1.1.1"),
			want: IPRoute{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Gateway: "192.168.1.1", Dev: "eth0"}},
		{name: "policy table", file: "ip-route-get-fibmatch_wg-quick-table51820_netns.txt", dst: appleV4,
			want: IPRoute{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Dev: "tun0", Table: "51820"}},
		{name: "IPv6 split half", file: "ip-route-get-fibmatch_ipv6-split-tun0_netns.txt", dst: appleV6,
			want: IPRoute{Prefix: netip.MustParsePrefix("::/1"), Dev: "tun0"}},
		{name: "IPv6 default", file: "ip-route-get-fibmatch_ipv6-default-eth0_netns.txt", dst: appleV6,
			want: IPRoute{Prefix: netip.MustParsePrefix("::/0"), Gateway: "2001:db8:1::1", Dev: "eth0"}},
		{name: "plain route get names the host", file: "ip-route-get_split-tun0_netns.txt", dst: appleV4,
			want: IPRoute{Prefix: netip.MustParsePrefix("17.253.144.10/32"), Gateway: "10.8.0.1", Dev: "tun0"}},
		{name: "local type", in: "local 192.168.1.20 dev eth0 table local proto kernel scope host src 192.168.1.20 \n", dst: netip.MustParseAddr("192.168.1.20"),
			want: IPRoute{Type: "local", Prefix: netip.MustParsePrefix("192.168.1.20/32"), Dev: "eth0", Table: "local"}},
		{name: "IPv4 via an IPv6 next hop", in: "default via inet6 fe80::1 dev eth0 proto static \n", dst: appleV4,
			want: IPRoute{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Gateway: "fe80::1", Dev: "eth0"}},
		{name: "multipath: first nexthop", in: "default proto static metric 100 \n\tnexthop via 10.0.0.1 dev eth0 weight 1 \n\tnexthop via 10.8.0.1 dev tun0 weight 1 \n", dst: appleV4,
			want: IPRoute{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Gateway: "10.0.0.1", Dev: "eth0"}},
		{name: "no dev", in: "default via 10.0.0.1\n", dst: appleV4, wantErr: "no dev"},
		{name: "unicast keyword", in: "unicast 17.0.0.0/8 dev wg0 \n", dst: appleV4,
			want: IPRoute{Prefix: netip.MustParsePrefix("17.0.0.0/8"), Dev: "wg0"}},
		{name: "empty", in: "", dst: appleV4, wantErr: "no route"},
		{name: "garbage", in: "Error: either \"to\" is duplicate, or \"fibmatch\" is a garbage.\n", dst: appleV4, wantErr: "parse ip route get"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			if tt.file != "" {
				in = readTestdata(t, tt.file)
			}
			got, err := ParseIPRouteGet(in, tt.dst)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %+v, error %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestLookupRouteInProcTables: the longest prefix wins over the default, as
// the kernel does, on real tables; and the policy-routed tunnel is invisible
// in /proc/net/route, which is why ReadRouteTo asks ip first.
func TestLookupRouteInProcTables(t *testing.T) {
	tests := []struct {
		file      string
		dst       netip.Addr
		wantIface string
		wantP     string
		wantGW    string
	}{
		{"proc-net-route_split-default-tun0_netns.txt", appleV4, "tun0", "0.0.0.0/1", "10.8.0.1"},
		{"proc-net-route_split-default-tun0_netns.txt", netip.MustParseAddr("203.0.113.9"), "tun0", "128.0.0.0/1", "10.8.0.1"},
		{"proc-net-route_split-default-tun0_netns.txt", netip.MustParseAddr("192.168.1.7"), "eth0", "192.168.1.0/24", ""},
		{"proc-net-route_apple-17-8-tun0_netns.txt", appleV4, "tun0", "17.0.0.0/8", ""},
		{"proc-net-route_apple-17-8-tun0_netns.txt", netip.MustParseAddr("1.1.1.1"), "eth0", "0.0.0.0/0", "192.168.1.1"},
		{"proc-net-route_wg-quick-policy_netns.txt", appleV4, "eth0", "0.0.0.0/0", "192.168.1.1"},
		{"proc-net-route_two-defaults.txt", appleV4, "enp0s31f6", "0.0.0.0/0", "192.168.1.254"}, // lowest metric
		{"proc-net-ipv6_route_split-tun0_netns.txt", appleV6, "tun0", "::/1", ""},
		{"proc-net-ipv6_route_split-tun0_netns.txt", netip.MustParseAddr("2a01:b740::1"), "tun0", "::/1", ""},
		{"proc-net-ipv6_route_split-tun0_netns.txt", netip.MustParseAddr("fe80::1"), "eth0p", "fe80::/64", ""},
		{"proc-net-ipv6_route_default-eth0_netns.txt", appleV6, "eth0", "::/0", "2001:db8:1::1"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.dst.String(), func(t *testing.T) {
			parse := ParseProcNetRouteTable
			if tt.dst.Is6() {
				parse = ParseProcNetIPv6Route
			}
			table, err := parse(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r, ok := LookupRoute(table, tt.dst)
			if !ok {
				t.Fatal("no route")
			}
			gw := ""
			if r.Gateway.IsValid() {
				gw = r.Gateway.String()
			}
			if r.Interface != tt.wantIface || r.Prefix.String() != tt.wantP || gw != tt.wantGW || r.Reject {
				t.Errorf("got %+v, want %s via %s gw %q", r, tt.wantP, tt.wantIface, tt.wantGW)
			}
		})
	}
}

func TestLookupRouteEdges(t *testing.T) {
	reject := procRouteHeader + "*\t00000011\t00000000\t0201\t0\t0\t0\t000000FF\t0\t0\t0\n" +
		"eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
	table, err := ParseProcNetRouteTable([]byte(reject))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := LookupRoute(table, appleV4); !ok || !r.Reject || r.Prefix.String() != "17.0.0.0/8" {
		t.Errorf("unreachable 17.0.0.0/8: got %+v %v", r, ok)
	}
	if defs, _ := ParseProcNetRoute([]byte(reject)); len(defs) != 1 || defs[0].Interface != "eth0" {
		t.Errorf("defaults %+v", defs)
	}
	// A mask that is not a prefix is no route; an IPv4-mapped address is IPv4.
	odd := procRouteHeader + "tun0\t00000011\t00000000\t0001\t0\t0\t0\t00FF00FF\t0\t0\t0\n"
	table, _ = ParseProcNetRouteTable([]byte(odd))
	if len(table) != 0 {
		t.Errorf("non-contiguous mask kept: %+v", table)
	}
	table, _ = ParseProcNetRouteTable(readTestdata(t, "proc-net-route_apple-17-8-tun0_netns.txt"))
	if r, _ := LookupRoute(table, netip.AddrFrom16(appleV4.As16())); r.Interface != "tun0" {
		t.Errorf("mapped address: %+v", r)
	}
	if _, ok := LookupRoute(nil, appleV4); ok {
		t.Error("empty table found a route")
	}
	// Equal prefixes: the lower metric wins.
	six := "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n" +
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 00000064 00000001 00000000 00000001      wg0\n" +
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
	table, err = ParseProcNetIPv6Route([]byte(six))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := LookupRoute(table, appleV6); r.Interface != "wg0" {
		t.Errorf("metric tie-break: %+v", r)
	}
}

func TestParseProcNetIPv6RouteSkipsAndErrors(t *testing.T) {
	const row = "20010db8000000000000000000000000 20 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000001 00000000 %s     tun0\n"
	skip := []string{
		strings.Replace(row, "%s", "00000000", 1),                                             // not up
		strings.Replace(row, "%s", "01000001", 1),                                             // cached clone
		strings.Replace(strings.Replace(row, "%s", "00000001", 1), " 00 0000", " 30 0000", 1), // source-specific
	}
	for _, in := range skip {
		got, err := ParseProcNetIPv6Route([]byte(in))
		if err != nil || len(got) != 0 {
			t.Errorf("%q: got %+v, %v; want skipped", in, got, err)
		}
	}
	bad := map[string]string{
		"short":       "20010db8 20 tun0\n",
		"bad hex":     strings.Replace(strings.Replace(row, "%s", "00000001", 1), "20010db8", "2001zdb8", 1),
		"plen 0x81":   strings.Replace(strings.Replace(row, "%s", "00000001", 1), " 20 ", " 81 ", 1),
		"bad flags":   strings.Replace(row, "%s", "0000000g", 1),
		"short dest":  strings.Replace(strings.Replace(row, "%s", "00000001", 1), "20010db8000000000000000000000000", "20010db8", 1),
		"long metric": strings.Replace(strings.Replace(row, "%s", "00000001", 1), "00000400", "100000400", 1),
	}
	for name, in := range bad {
		if got, err := ParseProcNetIPv6Route([]byte(in)); err == nil {
			t.Errorf("%s: got %+v, want an error", name, got)
		}
	}
}

func TestRouteSourceOf(t *testing.T) {
	for p, want := range map[string]string{
		"0.0.0.0/0": RouteSourceDefault, "::/0": RouteSourceDefault,
		"0.0.0.0/1": RouteSourceSplit, "8000::/1": RouteSourceSplit, "2000::/4": RouteSourceSplit,
		"17.0.0.0/8": RouteSourceSpecific, "2620:149::/32": RouteSourceSpecific, "17.253.144.10/32": RouteSourceSpecific,
	} {
		if got := RouteSourceOf(netip.MustParsePrefix(p)); got != want {
			t.Errorf("RouteSourceOf(%s) = %q, want %q", p, got, want)
		}
	}
}

// TestTunnelInterface: by name (both OSes' rules) and, on Linux, by sysfs
// for a tunnel with a name of its own.
func TestTunnelInterface(t *testing.T) {
	dir := t.TempDir()
	dev := func(name, typ string, tunFlags bool) {
		filetest.Write(t, filepath.Join(dir, name, "type"), typ+"\n", 0o644)
		if tunFlags {
			filetest.Write(t, filepath.Join(dir, name, "tun_flags"), "0x1801\n", 0o644)
		}
	}
	dev("corp0", "65534", true) // a tun device with a name of its own (real: see testdata/README.md)
	dev("office", "65534", false)
	dev("isp0", "512", false)
	dev("vti-hq", "768", false)
	dev("eth0", "1", false)
	dev("lan", "1", false)
	tests := []struct {
		name, goos string
		want       bool
	}{
		{"corp0", "linux", true},
		{"office", "linux", true},
		{"isp0", "linux", true},
		{"vti-hq", "linux", true},
		{"eth0", "linux", false},
		{"lan", "linux", false},
		{"missing", "linux", false},
		{"../corp0", "linux", false},
		{"..", "linux", false},
		{"", "linux", false},
		{"corp0", "darwin", false}, // sysfs is Linux's
		{"tailscale0", "linux", true},
		{"zt3jn2xabc", "linux", true},
		{"cscotun0", "linux", true},
		{"gpd0", "linux", true},
		{"utun3", "darwin", true},
		{"utun0", "darwin", true},
		{"utun12", "darwin", true},
		{"ppp0", "darwin", true},
		{"ipsec0", "darwin", true},
		{"en0", "darwin", false},
		{"utun", "darwin", false},
		{"utunx", "darwin", false},
		{"bridge100", "darwin", false},
		{"tun0", "darwin", false}, // macOS has no tunN; only the Linux rules accept it
		{"tun0", "linux", true},
		{"tap1", "linux", true},
		{"wg0", "linux", true},
		{"ppp0", "linux", true},
		{"corpVPN", "linux", true},
		{"nordlynx-vpn", "linux", true},
		{"eth0", "linux", false},
		{"wlp2s0", "linux", false},
		{"", "linux", false},
		{"", "darwin", false},
	}
	for _, tt := range tests {
		if got := TunnelInterface(tt.name, tt.goos, dir); got != tt.want {
			t.Errorf("TunnelInterface(%q, %q) = %v, want %v", tt.name, tt.goos, got, tt.want)
		}
		if byName := IsTunnelInterface(tt.name, tt.goos); byName && !tt.want {
			t.Errorf("IsTunnelInterface(%q, %q) = true, want false", tt.name, tt.goos)
		}
	}
}

func TestReadRouteTo(t *testing.T) {
	const (
		routeCmd  = "/sbin/route -n get 17.253.144.10"
		route6Cmd = "/sbin/route -n get -inet6 2620:149:a44::10"
		ipCmd     = "/sbin/ip route get fibmatch 17.253.144.10"
		ipCmd2    = "/usr/sbin/ip route get fibmatch 17.253.144.10"
	)
	files := RouteFiles{
		Route:       testdataPath("proc-net-route_split-default-tun0_netns.txt"),
		Route6:      testdataPath("proc-net-ipv6_route_split-tun0_netns.txt"),
		SysClassNet: t.TempDir(),
	}
	file := func(name string) string { return string(readTestdata(t, name)) }
	tests := []struct {
		name      string
		goos      string
		dst       netip.Addr
		replies   map[string]commandtest.Reply
		files     RouteFiles
		want      RouteTo
		wantCalls []string
	}{
		{
			name:      "darwin: split half on utun3",
			goos:      "darwin",
			dst:       appleV4,
			replies:   map[string]commandtest.Reply{routeCmd: commandtest.OK(file("route-get_utun3-split-half.txt"))},
			want:      RouteTo{Dest: "17.253.144.10", Prefix: "0.0.0.0/1", Interface: "utun3", Gateway: "10.8.0.1", Tunnel: true, Source: RouteSourceSplit, Via: "route"},
			wantCalls: []string{routeCmd},
		},
		{
			name:      "darwin: IPv6 asks with -inet6",
			goos:      "darwin",
			dst:       appleV6,
			replies:   map[string]commandtest.Reply{route6Cmd: commandtest.OK(file("route-get-inet6_utun3-split-half.txt"))},
			want:      RouteTo{Dest: "2620:149:a44::10", Prefix: "::/1", Interface: "utun3", Tunnel: true, Source: RouteSourceSplit, Via: "route"},
			wantCalls: []string{route6Cmd},
		},
		{
			name:      "darwin: cloned host route",
			goos:      "darwin",
			dst:       appleV4,
			replies:   map[string]commandtest.Reply{routeCmd: commandtest.OK(file("route-get_utun3-cloned-host.txt"))},
			want:      RouteTo{Dest: "17.253.144.10", Interface: "utun3", Gateway: "10.8.0.1", Tunnel: true, Source: RouteSourceSpecific, Via: "route"},
			wantCalls: []string{routeCmd},
		},
		{
			name:      "darwin: not in table",
			goos:      "darwin",
			dst:       appleV4,
			replies:   map[string]commandtest.Reply{routeCmd: {Err: commandtest.Failed("/sbin/route", 1, "route: writing to routing socket: not in table")}},
			want:      RouteTo{Dest: "17.253.144.10", Via: "route", Error: "route to 17.253.144.10: no route"},
			wantCalls: []string{routeCmd},
		},
		{
			name:      "linux: ip sees the policy-routed tunnel",
			goos:      "linux",
			dst:       appleV4,
			replies:   map[string]commandtest.Reply{ipCmd: commandtest.OK(file("ip-route-get-fibmatch_wg-quick-table51820_netns.txt"))},
			files:     RouteFiles{Route: testdataPath("proc-net-route_wg-quick-policy_netns.txt")},
			want:      RouteTo{Dest: "17.253.144.10", Prefix: "0.0.0.0/0", Interface: "tun0", Table: "51820", Tunnel: true, Source: RouteSourceDefault, Via: "ip"},
			wantCalls: []string{ipCmd},
		},
		{
			name:      "linux: kernel says unreachable",
			goos:      "linux",
			dst:       appleV4,
			replies:   map[string]commandtest.Reply{ipCmd: {Err: commandtest.Failed("/sbin/ip", 2, strings.TrimSpace(file("ip-route-get-fibmatch_unreachable_netns.txt")))}},
			want:      RouteTo{Dest: "17.253.144.10", Via: "ip", Error: "route to 17.253.144.10: no route: No route to host"},
			wantCalls: []string{ipCmd},
		},
		{
			name:      "linux: local route type",
			goos:      "linux",
			dst:       appleV4,
			replies:   map[string]commandtest.Reply{ipCmd: commandtest.OK("local 17.253.144.10 dev lo table local proto kernel scope host src 17.253.144.10 \n")},
			want:      RouteTo{Dest: "17.253.144.10", Via: "ip", Error: "route to 17.253.144.10: no route: local route 17.253.144.10/32"},
			wantCalls: []string{ipCmd},
		},
		{
			name:      "linux: no ip anywhere, /proc table",
			goos:      "linux",
			dst:       appleV4,
			want:      RouteTo{Dest: "17.253.144.10", Prefix: "0.0.0.0/1", Interface: "tun0", Gateway: "10.8.0.1", Tunnel: true, Source: RouteSourceSplit, Via: "proc"},
			wantCalls: []string{ipCmd, ipCmd2},
		},
		{
			name:      "linux: ip without fibmatch, /proc table",
			goos:      "linux",
			dst:       appleV4,
			replies:   map[string]commandtest.Reply{ipCmd: {Err: commandtest.Failed("/sbin/ip", 1, `Error: either "to" is duplicate, or "fibmatch" is a garbage.`)}},
			want:      RouteTo{Dest: "17.253.144.10", Prefix: "0.0.0.0/1", Interface: "tun0", Gateway: "10.8.0.1", Tunnel: true, Source: RouteSourceSplit, Via: "proc"},
			wantCalls: []string{ipCmd},
		},
		{
			name:      "linux: IPv6 from /proc/net/ipv6_route",
			goos:      "linux",
			dst:       appleV6,
			want:      RouteTo{Dest: "2620:149:a44::10", Prefix: "::/1", Interface: "tun0", Tunnel: true, Source: RouteSourceSplit, Via: "proc"},
			wantCalls: []string{"/sbin/ip route get fibmatch 2620:149:a44::10", "/usr/sbin/ip route get fibmatch 2620:149:a44::10"},
		},
		{
			name:      "linux: table file missing",
			goos:      "linux",
			dst:       appleV4,
			files:     RouteFiles{Route: filepath.Join(t.TempDir(), "absent")},
			want:      RouteTo{Dest: "17.253.144.10", Via: "proc", Error: "route to 17.253.144.10: open "},
			wantCalls: []string{ipCmd, ipCmd2},
		},
		{
			name: "windows",
			goos: "windows",
			dst:  appleV4,
			want: RouteTo{Dest: "17.253.144.10", Error: `route to 17.253.144.10: not supported on "windows"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := replay(tt.replies)
			f := files
			if tt.files.Route != "" {
				f.Route = tt.files.Route
			}
			got := ReadRouteTo(context.Background(), r, tt.goos, f, tt.dst)
			if tt.want.Error != "" && strings.HasPrefix(got.Error, tt.want.Error) {
				got.Error = tt.want.Error
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if calls := r.Cmdlines(); !reflect.DeepEqual(calls, tt.wantCalls) && (len(calls) != 0 || len(tt.wantCalls) != 0) {
				t.Errorf("calls %q, want %q", calls, tt.wantCalls)
			}
		})
	}
}

func TestReadRouteToCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := ReadRouteTo(ctx, commandtest.New(), "linux", RouteFiles{Route: testdataPath("proc-net-route_split-default-tun0_netns.txt")}, appleV4)
	if got.Error == "" || got.Via == "proc" {
		t.Errorf("a cancelled check fell back to /proc: %+v", got)
	}
}

func TestVPNStateWithRoutes(t *testing.T) {
	connected := NCService{Status: "Connected", Name: "Work VPN"}
	viaTun := RouteTo{Dest: "17.253.144.10", Prefix: "0.0.0.0/1", Interface: "utun3", Tunnel: true, Source: RouteSourceSplit}
	viaEn0 := RouteTo{Dest: "17.253.144.10", Prefix: "0.0.0.0/0", Interface: "en0", Source: RouteSourceDefault}
	failed := RouteTo{Dest: "17.253.144.10", Error: "route to 17.253.144.10: boom"}
	tests := []struct {
		name   string
		st     VPNState
		routes []RouteTo
		want   bool
	}{
		{"split tunnel, default on Wi-Fi", VPNState{Interface: "en0"}, []RouteTo{viaTun}, true},
		{"connected service Apple bypasses", VPNState{Active: true, Services: []NCService{connected}, Interface: "en0"}, []RouteTo{viaEn0}, false},
		{"tunnel default, Apple excluded", VPNState{Active: true, DefaultViaTunnel: true, Interface: "utun3"}, []RouteTo{viaEn0}, false},
		{"one family through the tunnel", VPNState{Interface: "en0"}, []RouteTo{viaEn0, viaTun}, true},
		{"routes unknown: the old signals stand", VPNState{Active: true, Services: []NCService{connected}}, []RouteTo{failed}, true},
		{"nothing at all", VPNState{Interface: "en0"}, nil, false},
	}
	for _, tt := range tests {
		got := tt.st.WithRoutes(tt.routes)
		if got.Active != tt.want || !reflect.DeepEqual(got.Routes, tt.routes) {
			t.Errorf("%s: Active %v, routes %+v; want Active %v", tt.name, got.Active, got.Routes, tt.want)
		}
	}
}
