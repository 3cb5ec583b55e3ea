package check_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
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

// BenchmarkCheckSlowNetwork diagnoses 600 ms round trips to Apple (the
// handshake's in the dial, the data's in a delaying relay) with the shipped
// 5 s deadline, and reports the cycle's wall time against that deadline.
func BenchmarkCheckSlowNetwork(b *testing.B) {
	w := probetest.NewWorld(b)
	for _, h := range w.Config.SignInHosts {
		r := w.Relay(h, 443, probetest.RelayOptions{Delay: 300 * time.Millisecond})
		w.Route(h, "tcp", 443, probetest.Route{To: r.Addr(), Delay: 600 * time.Millisecond})
	}
	cfg := clitest.WorldConfig(w)
	cfg.Check.Deadline, cfg.Check.ProbeTimeout = probes.DefaultConfig().Deadline, probes.DefaultConfig().ProbeTimeout
	d := diagnose.Diagnoser{Config: cfg, Env: w.Env(), Now: time.Now}
	var frac float64
	for b.Loop() {
		doc := d.Once(context.Background())
		if doc.Verdict.Code != verdict.CodeSlowNetwork {
			b.Fatalf("verdict %s: %s", doc.Verdict.Code, doc.Verdict.Headline)
		}
		frac += doc.DurationMS * 1e6 / float64(time.Duration(cfg.Check.Deadline))
	}
	b.ReportMetric(frac/float64(b.N), "x-deadline")
}

// BenchmarkCheckIPv6Broken is a healthy cycle whose first sign-in host has
// a dead IPv6 address: Happy Eyeballs keeps the sign-in probes fast, and
// the per-family check ends on its own grace, not the deadline.
func BenchmarkCheckIPv6Broken(b *testing.B) {
	w := probetest.NewWorld(b)
	h := w.Config.SignInHosts[0]
	v6 := netip.MustParseAddr("2620:149:a44::10")
	w.AnswerAll(h, probetest.Answer{Addrs: []netip.Addr{v6, w.Addr(h)}})
	w.Dialer.Set("tcp", netip.AddrPortFrom(v6, 443).String(), probetest.Route{Drop: true})
	d := diagnose.Diagnoser{Config: worldConfig(w, 5*time.Second), Env: w.Env(), Now: time.Now}
	benchSlowest(b, d, func(doc verdict.Document) {
		if doc.Verdict.Code != verdict.CodeOK || len(doc.Findings) == 0 {
			b.Fatalf("verdict %s, findings %v", doc.Verdict.Code, doc.Findings)
		}
	})
}

// BenchmarkCheckAllHealthy is `idpulse check --all` against the loopback
// world: the whole Apple host catalogue, 16 hosts at a time, beside the
// other probes. Its x-slowest is the cycle against its slowest probe (the
// issue's goal: within 1.5×); -benchmem gives a full cycle's allocations.
func BenchmarkCheckAllHealthy(b *testing.B) {
	w := probetest.NewWorld(b)
	cfg := worldConfig(w, 5*time.Second)
	cfg.Check.AllServices = true
	d := diagnose.Diagnoser{Config: cfg, Env: w.Env(), Now: time.Now}
	benchSlowest(b, d, func(doc verdict.Document) {
		if doc.Verdict.Code != verdict.CodeOK || len(doc.Services) == 0 {
			b.Fatalf("verdict %s (%d services): %s", doc.Verdict.Code, len(doc.Services), doc.Verdict.Headline)
		}
	})
}

// BenchmarkCheckAllThirdBlackholed is `check --all` with the shipped
// deadline and probe timeout while every third host of the catalogue
// drops its packets: the cycle must still end inside the deadline (its
// x-deadline under 1) with the black-holed hosts named as failing.
func BenchmarkCheckAllThirdBlackholed(b *testing.B) {
	w := probetest.NewWorld(b)
	cfg := clitest.WorldConfig(w)
	cfg.Check.Deadline, cfg.Check.ProbeTimeout = probes.DefaultConfig().Deadline, probes.DefaultConfig().ProbeTimeout
	cfg.Check.AllServices = true
	holed := 0
	for i, h := range catalog.Hosts() {
		if i%3 == 2 && h.Service != catalog.SignIn {
			w.Route(h.Host, h.Network(), h.Port, probetest.Route{Drop: true})
			holed++
		}
	}
	d := diagnose.Diagnoser{Config: cfg, Env: w.Env(), Now: time.Now}
	var frac float64
	for b.Loop() {
		doc := d.Once(context.Background())
		failed := 0
		for _, s := range doc.Services {
			for _, h := range s.Hosts {
				if h.Status == probes.StatusFail {
					failed++
				}
			}
		}
		if failed < holed {
			b.Fatalf("%d hosts failed, %d are black-holed", failed, holed)
		}
		frac += doc.DurationMS * 1e6 / float64(time.Duration(cfg.Check.Deadline))
	}
	b.ReportMetric(float64(holed), "holed-hosts")
	b.ReportMetric(frac/float64(b.N), "x-deadline")
}
