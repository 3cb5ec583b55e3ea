package probes_test

import (
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
)

func connect(target string, d time.Duration) probes.Attempt {
	return probes.Attempt{Target: target, OK: true, Phases: probes.Phases{Connect: d}}
}

func timedOut(target string) probes.Attempt {
	return probes.Attempt{Target: target, Stage: "connect", Class: probes.ClassTimeout, Phases: probes.Phases{Connect: 4 * time.Second}}
}

func cycleOf(reach []probes.Attempt, tls ...probes.Attempt) probes.Results {
	ev := &probes.TLSEvidence{}
	for _, a := range tls {
		ev.Hosts = append(ev.Hosts, probes.TLSHandshake{Attempt: a})
	}
	return probes.Results{
		{ID: "reach", Evidence: &probes.ReachEvidence{SignIn: reach}},
		{ID: "tls", Evidence: ev},
	}
}

func TestAppleHandshakes(t *testing.T) {
	ms := time.Millisecond
	a, b, c := "appleid.apple.com:443", "idmsa.apple.com:443", "gsa.apple.com:443"
	tests := []struct {
		name    string
		rs      probes.Results
		samples int
		lost    int
		median  time.Duration
		slow    bool
	}{
		{name: "fast", rs: cycleOf([]probes.Attempt{connect(a, 20*ms), connect(b, 22*ms), connect(c, 25*ms)}, connect(a, 21*ms)),
			samples: 4, median: 21500 * time.Microsecond},
		{name: "600 ms round trips", rs: cycleOf([]probes.Attempt{connect(a, 600*ms), connect(b, 610*ms), connect(c, 605*ms)}, connect(a, 602*ms)),
			samples: 4, median: 603500 * time.Microsecond, slow: true},
		{name: "one SYN retransmitted of four", rs: cycleOf([]probes.Attempt{connect(a, 30*ms), connect(b, 1030*ms), connect(c, 31*ms)}, connect(a, 29*ms)),
			samples: 4, lost: 1, median: 30500 * time.Microsecond, slow: true},
		{name: "a timeout where the same host answered is a loss", rs: cycleOf([]probes.Attempt{connect(a, 30*ms), connect(b, 30*ms), connect(c, 30*ms)}, timedOut(a), connect(b, 30*ms), connect(c, 30*ms)),
			samples: 6, lost: 1, median: 30 * ms, slow: true},
		{name: "a host that never answers is blocked, not lossy", rs: cycleOf([]probes.Attempt{connect(a, 30*ms), connect(b, 30*ms), timedOut(c)}, connect(a, 30*ms), connect(b, 30*ms), timedOut(c)),
			samples: 6, median: 30 * ms},
		{name: "refusals are not samples", rs: cycleOf([]probes.Attempt{{Target: a, Stage: "connect", Class: probes.ClassRefused}}),
			samples: 0},
		{name: "too few samples to judge", rs: cycleOf([]probes.Attempt{connect(a, 900*ms), connect(b, 900*ms)}), samples: 2, median: 900 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := probes.AppleHandshakes(tt.rs)
			if h.Samples != tt.samples || h.Lost != tt.lost || h.Median != tt.median || h.Slow() != tt.slow {
				t.Errorf("got %+v slow=%v, want samples %d lost %d median %s slow=%v", h, h.Slow(), tt.samples, tt.lost, tt.median, tt.slow)
			}
		})
	}
}
