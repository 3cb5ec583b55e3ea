package probes_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// TestClassifyResolverErrors: what the system resolver's errors mean, from a
// real resolver talking to real (loopback) servers.
func TestClassifyResolverErrors(t *testing.T) {
	srv := probetest.NewDNSServer(t)
	srv.Set("nx.example", probetest.Answer{Rcode: dnsmessage.RCodeNameError})
	srv.Set("fail.example", probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
	srv.Set("refused.example", probetest.Answer{Rcode: dnsmessage.RCodeRefused})
	closed := probetest.ClosedPort(t) // nothing listens: ICMP port unreachable
	d := probetest.NewMapDialer(nil)
	d.Set("udp", "10.0.0.53:53", probetest.Route{To: srv.Addr()})
	d.Set("udp", "10.0.0.54:53", probetest.Route{To: closed})
	d.Set("udp", "10.0.0.55:53", probetest.Route{Unreachable: true})
	tests := []struct {
		server, name string
		want         probes.Class
	}{
		{"10.0.0.53:53", "nx.example", probes.ClassNXDomain},
		{"10.0.0.53:53", "fail.example", probes.ClassServFail},
		{"10.0.0.53:53", "refused.example", probes.ClassDNSRefused},
		{"10.0.0.54:53", "any.example", probes.ClassRefused},
		{"10.0.0.55:53", "any.example", probes.ClassUnreachable},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := probes.ResolverAt(d, tt.server).LookupNetIP(ctx, "ip", tt.name)
		cancel()
		if got := probes.Classify(err); got != tt.want {
			t.Errorf("%s at %s: %v → %s, want %s", tt.name, tt.server, err, got, tt.want)
		}
	}
}
