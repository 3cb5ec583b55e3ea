package check_test

import (
	"context"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// worldConfig is the world's configuration with every probe given the
// whole deadline.
func worldConfig(w *probetest.World, deadline time.Duration) config.Config {
	cfg := clitest.WorldConfig(w)
	cfg.Check.Deadline = probes.Duration(deadline)
	cfg.Check.ProbeTimeout = probes.Duration(deadline)
	return cfg
}

// benchSlowest runs whole cycles and reports the cycle's wall time as a
// multiple of its slowest probe: probes that truly run in parallel keep it
// near 1. check, when not nil, judges each cycle's document.
func benchSlowest(b *testing.B, d diagnose.Diagnoser, check func(verdict.Document)) {
	var ratio float64
	for b.Loop() {
		doc := d.Once(context.Background())
		if check != nil {
			check(doc)
		}
		var slowest time.Duration
		for _, r := range doc.Probes {
			slowest = max(slowest, r.Duration)
		}
		ratio += doc.DurationMS * 1e6 / float64(slowest)
	}
	b.ReportMetric(ratio/float64(b.N), "x-slowest")
}

// BenchmarkCheckHealthy runs whole cycles against the loopback world.
func BenchmarkCheckHealthy(b *testing.B) {
	w := probetest.NewWorld(b)
	d := diagnose.Diagnoser{Config: worldConfig(w, 5*time.Second), Env: w.Env(), Now: time.Now}
	benchSlowest(b, d, func(doc verdict.Document) {
		if doc.Verdict.Code != "ok" {
			b.Fatalf("verdict %s: %s", doc.Verdict.Code, doc.Verdict.Headline)
		}
	})
}

// BenchmarkCheckOneSlowProbe slows one sign-in host down (its TLS server
// never answers HTTP, so the https probe waits out its timeout) and reports
// the cycle against that slowest probe.
func BenchmarkCheckOneSlowProbe(b *testing.B) {
	w := probetest.NewWorld(b)
	w.SignIn["appleid.apple.com"].SetBehavior(probetest.HTTPSBehavior{Hang: true})
	cfg := worldConfig(w, 2*time.Second)
	cfg.Check.ProbeTimeout = probes.Duration(300 * time.Millisecond)
	benchSlowest(b, diagnose.Diagnoser{Config: cfg, Env: w.Env(), Now: time.Now}, nil)
}

// BenchmarkCheckBlackholed drops every packet to the internet: every probe
// waits out its deadline, and the cycle must still end on time. It reports
// the cycle's wall time as a multiple of the deadline.
func BenchmarkCheckBlackholed(b *testing.B) {
	w := probetest.NewWorld(b)
	deadline := 500 * time.Millisecond
	cfg := worldConfig(w, deadline)
	w.Dialer.SetDefault(probetest.Route{Drop: true})
	for name := range w.SignIn {
		w.Route(name, "tcp", 443, probetest.Route{Drop: true})
	}
	for _, a := range []string{"1.1.1.1:443", "8.8.8.8:443"} {
		w.Dialer.Set("tcp", a, probetest.Route{Drop: true})
	}
	for _, a := range []string{"1.1.1.1:53", "8.8.8.8:53"} {
		w.Dialer.Set("udp", a, probetest.Route{Drop: true})
	}
	w.Route("captive.apple.com", "tcp", 80, probetest.Route{Drop: true})
	w.Route("www.apple.com", "tcp", 443, probetest.Route{Drop: true})
	w.Route(w.Config.PushHost, "tcp", w.Config.PushPort, probetest.Route{Drop: true})
	w.NTP.SetBehavior(probetest.NTPBehavior{Silent: true})
	w.DNS.SetDefault(probetest.Answer{Drop: true})
	for _, n := range append(w.Config.DNSNames, "captive.apple.com", "www.apple.com") {
		w.DNS.Set(n, probetest.Answer{Drop: true})
	}
	d := diagnose.Diagnoser{Config: cfg, Env: w.Env(), Now: time.Now}
	var ratio float64
	for b.Loop() {
		start := time.Now()
		d.Once(context.Background())
		ratio += float64(time.Since(start)) / float64(deadline)
	}
	b.ReportMetric(ratio/float64(b.N), "x-deadline")
}
