package netenv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
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

// routeTable is what a netstat -rn test pins: how many routes, the first
// and the last.
type routeTable struct {
	Len         int
	First, Last Route
}

func TestParseNetstatRN(t *testing.T) {
	parse := func(b []byte) (routeTable, error) {
		routes, err := ParseNetstatRN(b)
		if err != nil || len(routes) == 0 {
			return routeTable{}, err
		}
		return routeTable{len(routes), routes[0], routes[len(routes)-1]}, nil
	}
	testParse(t, parse, []parseCase[routeTable]{
		{
			name: "real macOS 11.3 capture without Refs/Use",
			file: "netstat-rn_macos11.3_header.txt",
			want: routeTable{
				Len:   1,
				First: Route{Destination: "default", Gateway: "192.168.0.1", Flags: "UGScg", Netif: "en0"},
				Last:  Route{Destination: "default", Gateway: "192.168.0.1", Flags: "UGScg", Netif: "en0"},
			},
		},
		{
			name: "real pre-11 capture with Refs/Use and Expire",
			file: "netstat-rn_pre-macos11_with-Refs-Use.txt",
			want: routeTable{
				Len:   15,
				First: Route{Destination: "default", Gateway: "10.10.10.1", Flags: "UGSc", Netif: "en0"},
				Last:  Route{Destination: "255.255.255.255/32", Gateway: "link#4", Flags: "UCS", Netif: "en0"},
			},
		},
		{
			name: "Internet6 section is skipped",
			in: "Routing tables\n\nInternet:\nDestination        Gateway            Flags        Netif Expire\n" +
				"default            10.8.0.1           UGScIg       utun4\n\nInternet6:\n" +
				"Destination                             Gateway                                 Flags         Netif Expire\n" +
				"default                                 fe80::%utun0                            UGcIg         utun0\n",
			want: routeTable{
				Len:   1,
				First: Route{Destination: "default", Gateway: "10.8.0.1", Flags: "UGScIg", Netif: "utun4"},
				Last:  Route{Destination: "default", Gateway: "10.8.0.1", Flags: "UGScIg", Netif: "utun4"},
			},
		},
		{name: "empty", in: "", wantErr: "no \"Destination Gateway Flags … Netif\" header"},
		{name: "row before header", in: "Internet:\ndefault 10.0.0.1 UGSc en0\n", wantErr: "line 2: row before any header"},
		{name: "header without Netif", in: "Destination Gateway Flags\n", wantErr: "header lacks Gateway, Flags or Netif"},
		{name: "short row", in: "Destination Gateway Flags Netif Expire\ndefault 10.0.0.1 UGSc\n", wantErr: "line 2: 3 fields, want at least 4"},
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
