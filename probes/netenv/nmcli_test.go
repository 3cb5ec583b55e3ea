package netenv

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
)

const nmcliCmd = "/usr/bin/nmcli -t -f NAME,UUID,TYPE,DEVICE connection show --active"

// noNmcli is what command.Exec returns where nmcli is not installed.
var noNmcli = commandtest.Reply{Err: &command.RunError{Path: nmcliPath, Err: &fs.PathError{Op: "fork/exec", Path: nmcliPath, Err: fs.ErrNotExist}}}

var (
	nmWired  = NMConnection{Name: "Wired connection 1", UUID: "5d2e8f9a-1c3b-4e7d-9a0b-2c4d6e8f0a1b", Type: "802-3-ethernet", Device: "enp0s31f6"}
	nmLo     = NMConnection{Name: "lo", UUID: "0c5b1f3e-7a2d-4c8e-9b6f-1d3e5a7c9b2f", Type: "loopback", Device: "lo"}
	nmOffice = NCService{Enabled: true, Status: "Connected", ID: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", Interface: "enp0s31f6", Name: "Office: Berlin", Type: "vpn"}
	nmWG     = NCService{Enabled: true, Status: "Connected", ID: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Interface: "wg0", Name: "wg0", Type: "wireguard"}
)

func TestParseNmcliActive(t *testing.T) {
	testParse(t, ParseNmcliActive, []parseCase[[]NMConnection]{
		{
			name: "ethernet, a VPN plugin connection with an escaped colon, its tun device, WireGuard, loopback",
			file: "nmcli-active_vpn-wireguard.txt",
			want: []NMConnection{
				nmWired,
				{Name: "Office: Berlin", UUID: "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", Type: "vpn", Device: "enp0s31f6"},
				{Name: "tun0", UUID: "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7", Type: "tun", Device: "tun0"},
				{Name: "wg0", UUID: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Type: "wireguard", Device: "wg0"},
				nmLo,
			},
		},
		{name: "no VPN", file: "nmcli-active_ethernet-only.txt", want: []NMConnection{nmWired, nmLo}},
		{name: "nothing active", in: "", want: []NMConnection{}},
		{name: "escaped backslash and colons", in: `C\:\\VPN\:1:u-1:vpn:` + "\r\n",
			want: []NMConnection{{Name: `C:\VPN:1`, UUID: "u-1", Type: "vpn"}}},
		{name: "escaped colon in the last field", in: "x:u-2:wireguard:wg\\:0\n",
			want: []NMConnection{{Name: "x", UUID: "u-2", Type: "wireguard", Device: "wg:0"}}},
		{name: "blank lines skipped", in: "\nx:u-3:vpn:eth0\n\n", want: []NMConnection{{Name: "x", UUID: "u-3", Type: "vpn", Device: "eth0"}}},
		{name: "unescaped colon in a name", in: "Office: Berlin:u-4:vpn:eth0\n", wantErr: "line 1: 5 fields, want 4"},
		{name: "too few fields", in: "x:u-5:vpn\n", wantErr: "line 1: 3 fields, want 4"},
		{name: "dangling backslash", in: "x:u-6:vpn:eth0\\\n", wantErr: "line 1: dangling backslash"},
		{name: "no UUID", in: "ok:u-7:vpn:eth0\nx::vpn:eth0\n", wantErr: "line 2: no UUID"},
		{name: "not terse", in: "NAME  UUID  TYPE  DEVICE\n", wantErr: "1 fields, want 4"},
	})
}

func TestReadVPNNetworkManager(t *testing.T) {
	vpns := string(readTestdata(t, "nmcli-active_vpn-wireguard.txt"))
	none := string(readTestdata(t, "nmcli-active_ethernet-only.txt"))
	eth := DefaultRoute{Gateway: "10.0.0.1", Interface: "enp0s31f6"}
	tests := []struct {
		name    string
		route   DefaultRoute
		reply   commandtest.Reply
		want    VPNState
		wantErr string
	}{
		{"VPN plugin and WireGuard connections, default on Ethernet", eth, commandtest.OK(vpns),
			VPNState{Active: true, Services: []NCService{nmOffice, nmWG}, Interface: "enp0s31f6"}, ""},
		{"no VPN connection", eth, commandtest.OK(none), VPNState{Interface: "enp0s31f6"}, ""},
		{"no nmcli", eth, noNmcli,
			VPNState{Interface: "enp0s31f6"}, ""},
		{"NetworkManager not running", DefaultRoute{Interface: "wg0"},
			commandtest.Reply{Err: commandtest.Failed(nmcliPath, nmcliNotRunning, "Error: NetworkManager is not running.")},
			VPNState{Active: true, DefaultViaTunnel: true, Interface: "wg0"}, ""},
		{"nmcli fails, route signal kept", DefaultRoute{Interface: "wg0"},
			commandtest.Reply{Err: commandtest.Failed(nmcliPath, 1, "Error: boom")},
			VPNState{Active: true, DefaultViaTunnel: true, Interface: "wg0"}, "read NetworkManager connections: run /usr/bin/nmcli: exit status 1: Error: boom"},
		{"nmcli prints garbage", eth, commandtest.OK("a:b\n"), VPNState{Interface: "enp0s31f6"},
			"read NetworkManager connections: parse nmcli connection show: line 1: 2 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := replay(map[string]commandtest.Reply{nmcliCmd: tt.reply})
			got, err := ReadVPN(context.Background(), r, "linux", tt.route)
			wantResult(t, got, err, tt.want, tt.wantErr)
			calls := r.Calls()
			if len(calls) != 1 || calls[0].Cmdline() != nmcliCmd {
				t.Fatalf("commands %q, want only %q", r.Cmdlines(), nmcliCmd)
			}
			if l := calls[0].Limit; l <= 0 || l > nmcliTimeout {
				t.Errorf("nmcli ran with %v left, want a deadline of at most %v", l, nmcliTimeout)
			}
		})
	}
}

// TestReadVPNNmcliCancelled: a check cancelled before nmcli answers is an
// error, not "no VPN".
func TestReadVPNNmcliCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := replay(map[string]commandtest.Reply{nmcliCmd: commandtest.OK(string(readTestdata(t, "nmcli-active_vpn-wireguard.txt")))})
	_, err := ReadVPN(ctx, r, "linux", DefaultRoute{Interface: "eth0"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}
