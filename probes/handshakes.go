package probes

import (
	"slices"
	"time"
)

// Handshakes summarises the TCP handshakes one cycle made to Apple's hosts
// (the reach, tls and https probes' connects): the samples a slow or lossy
// path shows in, taken inside the normal cycle at no extra cost.
type Handshakes struct {
	// Samples counts the handshakes that completed or timed out; a refused
	// or unroutable connect says nothing about the path's speed.
	Samples int `json:"samples"`
	// Lost counts handshakes that timed out while another to the same host
	// completed, and completed ones so late (at least LateHandshake and 3 ×
	// the median) that their first SYN was lost and retransmitted.
	Lost int `json:"lost"`
	// Median is the completed handshakes' median connect time.
	Median time.Duration `json:"median_ns"`
}

// LateHandshake is the first SYN retransmission timeout of Linux and macOS
// (RFC 6298's 1 s): a handshake that took that long lost a packet.
const LateHandshake = time.Second

// AppleHandshakes collects the handshakes of rs.
func AppleHandshakes(rs Results) Handshakes {
	var samples []Attempt
	if ev := Evidence[ReachEvidence](rs); ev != nil {
		samples = append(samples, ev.SignIn...)
		if ev.Push != nil {
			samples = append(samples, *ev.Push)
		}
	}
	if ev := Evidence[TLSEvidence](rs); ev != nil {
		for _, h := range ev.Hosts {
			samples = append(samples, h.Attempt)
		}
	}
	if ev := Evidence[HTTPSEvidence](rs); ev != nil && ev.Proxy == "" {
		samples = append(samples, ev.Attempt)
	}
	return summarise(samples)
}

func summarise(samples []Attempt) Handshakes {
	var h Handshakes
	var times []time.Duration
	reached := map[string]bool{}
	for _, a := range samples {
		if connected(a) {
			times = append(times, a.Phases.Connect)
			reached[a.Target] = true
		}
	}
	slices.Sort(times)
	if len(times) > 0 {
		h.Median = times[len(times)/2]
		if len(times)%2 == 0 {
			h.Median = (times[len(times)/2-1] + times[len(times)/2]) / 2
		}
	}
	for _, a := range samples {
		switch {
		case connected(a):
			h.Samples++
			if a.Phases.Connect >= LateHandshake && a.Phases.Connect >= 3*h.Median {
				h.Lost++
			}
		case a.Stage == "connect" && a.Class == ClassTimeout:
			h.Samples++
			if reached[a.Target] {
				h.Lost++
			}
		}
	}
	return h
}

// connected reports whether a's TCP handshake completed, whatever came after.
func connected(a Attempt) bool {
	return a.Phases.Connect > 0 && (a.OK || (a.Stage != "resolve" && a.Stage != "connect"))
}

// Slow reports whether the path is too slow or lossy for sign-in: a median
// handshake above SlowHandshake, or more than a tenth of them lost, from at
// least three samples.
func (h Handshakes) Slow() bool {
	if h.Samples < 3 {
		return false
	}
	return h.Median > SlowHandshake || h.Lost*10 > h.Samples
}

// SlowHandshake is the median TCP handshake time above which sign-in's
// dozen round trips outlast its timeouts ("Verifying…" spins).
const SlowHandshake = 400 * time.Millisecond
