package probes_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// TestTLSRetriesStalledHandshakeWithSmallSegments: a path that drops large
// packets lets TCP connect and the ClientHello through, then stalls the
// handshake; a connection advertising a small MSS completes it.
func TestTLSRetriesStalledHandshakeWithSmallSegments(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the MTU relay reads the MSS with a Linux getsockopt")
	}
	tests := []struct {
		name       string
		maxSegment int
		blackhole  bool
	}{
		{name: "black hole", maxSegment: 1200, blackhole: true},
		{name: "healthy path", maxSegment: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := probetest.NewWorld(t)
			host := w.Config.SignInHosts[0]
			w.Relay(host, 443, probetest.RelayOptions{MaxSegment: tt.maxSegment})
			p := probes.TLS{Env: w.Env(), Hosts: []string{host}, Port: 443, TrustedIssuers: w.Config.TrustedIssuers}
			// A deadline far beyond the stall detection: the probe must give
			// the stalled handshake up as soon as the small one completes.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			ev := p.Run(ctx).Evidence.(*probes.TLSEvidence)
			h := ev.Hosts[0]
			if got := ev.MTUBlackhole() != nil; got != tt.blackhole {
				t.Fatalf("MTUBlackhole = %v, want %v: %+v", got, tt.blackhole, h)
			}
			if ctx.Err() != nil {
				t.Error("the probe ran into its deadline")
			}
			if tt.blackhole && (h.Class != probes.ClassTimeout || h.SmallSegments.Phases.TLS <= 0) {
				t.Errorf("class %s, small-segment handshake %v; want a timeout and a timed retry", h.Class, h.SmallSegments.Phases.TLS)
			}
			if !tt.blackhole && (!h.OK || h.SmallSegments != nil) {
				t.Errorf("healthy: ok %v, retry %+v; want ok and no retry", h.OK, h.SmallSegments)
			}
		})
	}
}
