package netenv

import (
	"context"
	"errors"
	"testing"

	"github.com/idpulse/idpulse/probes/command/commandtest"
)

func TestParseScutilNCList(t *testing.T) {
	const hdr = "Available network connection services in the current set (*=enabled):\n"
	testParse(t, ParseScutilNCList, []parseCase[[]NCService]{
		{
			name: "four services, one connected, one with a truncated name",
			file: "scutil-nc-list_l2tp-connected.txt",
			want: []NCService{
				{Enabled: true, Status: "Connected", ID: "6D8C5A3F-2B1E-4C7A-9E0D-3F5B7A1C9E24", Interface: "PPP --> L2TP", Name: "Work VPN", Type: "PPP:L2TP"},
				{Enabled: true, Status: "Disconnected", ID: "A1F0C3D2-7E5B-4B8A-8C61-0D2E4F6A8B13", Interface: "IPSec", Name: "Office (Cisco IPSec)", Type: "IPSec"},
				{Enabled: true, Status: "Disconnected", ID: "D419AB1B-01F2-46FE-9940-B1BC779D83EE", Interface: "VPN (com.wireguard.macos)", Name: `Home "wg0" tunnel`, Type: "VPN:com.wireguard.macos"},
				{Enabled: false, Status: "Invalid", ID: "FEC1F266-2F9C-4D12-99F7-E5D124A1B46D", Interface: "VPN (com.cisco.anyconnect)", Name: "Cisco AnyConnect Secure Mobility Client VP", Type: "VPN:com.cisco.anyconnect"},
			},
		},
		{
			name: "no services",
			file: "scutil-nc-list_empty.txt",
			want: []NCService{},
		},
		{
			// The shape quoted in the brief and apple-facts.md: a display name
			// with "-->" and no padding before the quoted name.
			name: "display name with arrow and no gap",
			in: hdr +
				`* (Connected)       6D8C5A3F-AAAA-BBBB PPP --> L2TPVPN "Work VPN"                     [PPP:L2TP]` + "\n",
			want: []NCService{{Enabled: true, Status: "Connected", ID: "6D8C5A3F-AAAA-BBBB", Interface: "PPP --> L2TPVPN", Name: "Work VPN", Type: "PPP:L2TP"}},
		},
		{
			name: "brackets inside the name, empty display name, type without subtype",
			in: hdr +
				`  (Disconnecting)  ID-1                    "Lab [test] VPN"                 [PPP]` + "\n",
			want: []NCService{{Status: "Disconnecting", ID: "ID-1", Name: "Lab [test] VPN", Type: "PPP"}},
		},
		{name: "empty", in: "", wantErr: "empty output"},
		{name: "wrong header", in: "No service\n", wantErr: `line 1: want "Available network connection services`},
		{name: "no type", in: hdr + `* (Connected) ID PPP "x"` + "\n", wantErr: "line 2: no [type] at the end"},
		{name: "no name", in: hdr + `* (Connected) ID PPP x [PPP]` + "\n", wantErr: "line 2: no quoted service name"},
		{name: "no status", in: hdr + `* Connected ID PPP "x" [PPP]` + "\n", wantErr: "line 2: no (status)"},
		{name: "unclosed status", in: hdr + `* (Connected ID PPP "x" [PPP]` + "\n", wantErr: "unclosed (status"},
		{name: "bad first column", in: hdr + `x (Connected) ID PPP "x" [PPP]` + "\n", wantErr: "neither '*' nor ' '"},
		{name: "no ID", in: hdr + "* (Connected)\n", wantErr: "no service ID"},
	})
}

func TestReadVPN(t *testing.T) {
	const ncCmd = "/usr/sbin/scutil --nc list"
	list := string(readTestdata(t, "scutil-nc-list_l2tp-connected.txt"))
	empty := string(readTestdata(t, "scutil-nc-list_empty.txt"))
	l2tp := NCService{Enabled: true, Status: "Connected", ID: "6D8C5A3F-2B1E-4C7A-9E0D-3F5B7A1C9E24", Interface: "PPP --> L2TP", Name: "Work VPN", Type: "PPP:L2TP"}
	tests := []struct {
		name      string
		goos      string
		route     DefaultRoute
		replies   map[string]commandtest.Reply
		want      VPNState
		wantErr   string
		wantCalls int
	}{
		{
			name:      "darwin: connected L2TP, default still on Wi-Fi (split tunnel)",
			goos:      "darwin",
			route:     DefaultRoute{Gateway: "192.168.1.1", Interface: "en0"},
			replies:   map[string]commandtest.Reply{ncCmd: commandtest.OK(list)},
			want:      VPNState{Active: true, Services: []NCService{l2tp}, Interface: "en0"},
			wantCalls: 1,
		},
		{
			name:      "darwin: default via utun with no listed service",
			goos:      "darwin",
			route:     DefaultRoute{Interface: "utun4"},
			replies:   map[string]commandtest.Reply{ncCmd: commandtest.OK(empty)},
			want:      VPNState{Active: true, DefaultViaTunnel: true, Interface: "utun4"},
			wantCalls: 1,
		},
		{
			name:      "darwin: nothing",
			goos:      "darwin",
			route:     DefaultRoute{Gateway: "192.168.1.1", Interface: "en0"},
			replies:   map[string]commandtest.Reply{ncCmd: commandtest.OK(empty)},
			want:      VPNState{Interface: "en0"},
			wantCalls: 1,
		},
		{
			name:      "darwin: scutil fails, route signal kept",
			goos:      "darwin",
			route:     DefaultRoute{Interface: "ppp0"},
			replies:   map[string]commandtest.Reply{ncCmd: {Err: errors.New("boom")}},
			want:      VPNState{Active: true, DefaultViaTunnel: true, Interface: "ppp0"},
			wantErr:   "read VPN services: boom",
			wantCalls: 1,
		},
		{
			name:      "darwin: scutil prints garbage",
			goos:      "darwin",
			route:     DefaultRoute{Interface: "en0"},
			replies:   map[string]commandtest.Reply{ncCmd: commandtest.OK("garbage\n")},
			want:      VPNState{Interface: "en0"},
			wantErr:   "read VPN services: parse scutil --nc list",
			wantCalls: 1,
		},
		{
			name:      "darwin: no default route",
			goos:      "darwin",
			route:     DefaultRoute{},
			replies:   map[string]commandtest.Reply{ncCmd: commandtest.OK(empty)},
			want:      VPNState{},
			wantCalls: 1,
		},
		{
			name:      "linux without NetworkManager: WireGuard default",
			goos:      "linux",
			route:     DefaultRoute{Interface: "wg0"},
			replies:   map[string]commandtest.Reply{nmcliCmd: noNmcli},
			want:      VPNState{Active: true, DefaultViaTunnel: true, Interface: "wg0"},
			wantCalls: 1,
		},
		{
			name:      "linux without NetworkManager: plain Ethernet",
			goos:      "linux",
			route:     DefaultRoute{Gateway: "10.0.0.1", Interface: "eth0"},
			replies:   map[string]commandtest.Reply{nmcliCmd: noNmcli},
			want:      VPNState{Interface: "eth0"},
			wantCalls: 1,
		},
		{
			name:  "windows: only the route",
			goos:  "windows",
			route: DefaultRoute{Interface: "wg0"},
			want:  VPNState{Active: true, DefaultViaTunnel: true, Interface: "wg0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := replay(tt.replies)
			got, err := ReadVPN(context.Background(), r, tt.goos, tt.route)
			wantResult(t, got, err, tt.want, tt.wantErr)
			if n := len(r.Calls()); n != tt.wantCalls {
				t.Errorf("%d commands run (%q), want %d", n, r.Cmdlines(), tt.wantCalls)
			}
		})
	}
}
