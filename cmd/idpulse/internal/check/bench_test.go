package check_test

import (
	"context"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/check"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

func worldConfig(w *probetest.World, deadline time.Duration) config.Config {
	cfg := config.Default()
	cfg.Check = w.Config
	cfg.Check.Deadline = probes.Duration(deadline)
	cfg.Check.ProbeTimeout = probes.Duration(deadline)
	cfg.AppleStatus.URL = w.FeedURL()
	return cfg
}

// BenchmarkCheckHealthy runs whole cycles against the loopback world and
// reports the cycle's wall time as a multiple of its slowest probe: probes
// that truly run in parallel keep it near 1.
func BenchmarkCheckHealthy(b *testing.B) {
	w := probetest.NewWorld(b)
	cfg := worldConfig(w, 5*time.Second)
	env := w.Env()
	var ratio float64
	for b.Loop() {
		doc := check.Check(context.Background(), cfg, env, time.Now)
		if doc.Verdict.Code != "ok" {
			b.Fatalf("verdict %s: %s", doc.Verdict.Code, doc.Verdict.Headline)
		}
		var slowest time.Duration
		for _, r := range doc.Probes {
			slowest = max(slowest, r.Duration)
		}
		ratio += doc.DurationMS * 1e6 / float64(slowest)
	}
	b.ReportMetric(ratio/float64(b.N), "x-slowest")
}

// BenchmarkCheckOneSlowProbe slows one sign-in host down (its TLS server
// never answers HTTP, so the https probe waits out its timeout) and reports
// the cycle against that slowest probe.
func BenchmarkCheckOneSlowProbe(b *testing.B) {
	w := probetest.NewWorld(b)
	w.SignIn["appleid.apple.com"].SetBehavior(probetest.HTTPSBehavior{Hang: true})
	cfg := worldConfig(w, 2*time.Second)
	cfg.Check.ProbeTimeout = probes.Duration(300 * time.Millisecond)
	env := w.Env()
	var ratio float64
	for b.Loop() {
		doc := check.Check(context.Background(), cfg, env, time.Now)
		var slowest time.Duration
		for _, r := range doc.Probes {
			slowest = max(slowest, r.Duration)
		}
		ratio += doc.DurationMS * 1e6 / float64(slowest)
	}
	b.ReportMetric(ratio/float64(b.N), "x-slowest")
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
	env := w.Env()
	var ratio float64
	for b.Loop() {
		start := time.Now()
		check.Check(context.Background(), cfg, env, time.Now)
		ratio += float64(time.Since(start)) / float64(deadline)
	}
	b.ReportMetric(ratio/float64(b.N), "x-deadline")
}
