package probes_test

import (
	"net/netip"
	"testing"

	"github.com/idpulse/idpulse/probes"
)

func TestIsSinkhole(t *testing.T) {
	for addr, want := range map[string]bool{
		"0.0.0.0": true, "127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.1.1": true, "100.64.0.1": true, "100.127.255.255": true, "::": true, "::1": true,
		"fd00::1": true, "fe80::1": true, "::ffff:127.0.0.1": true,
		"17.253.144.10": false, "1.1.1.1": false, "100.128.0.1": false, "2620:149:a44::1": false, "23.1.2.3": false,
	} {
		if got := probes.IsSinkhole(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IsSinkhole(%s) = %v, want %v", addr, got, want)
		}
	}
}
