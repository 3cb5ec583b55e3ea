// Package probes runs the Apple ID connectivity checklist: one file per probe,
// every probe the same shape, all of them concurrently inside one cycle deadline.
//
// A probe reports what it saw (Status, Summary, typed Evidence); it never decides
// the root cause. That is agent/verdict's job, which reads the evidence.
package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Status is a probe's own outcome, independent of the verdict.
type Status string

const (
	StatusOK    Status = "ok"
	StatusWarn  Status = "warn"
	StatusFail  Status = "fail"
	StatusSkip  Status = "skip"  // not applicable here (e.g. no proxy configured)
	StatusError Status = "error" // the probe itself broke: panic, hung past its deadline
)

// Probe is one item of the checklist. Run must honour ctx: the engine gives it
// its own deadline and stops waiting for it when that passes.
type Probe interface {
	ID() string
	Run(ctx context.Context) Result
}

// Result is what one probe reports. Evidence is a pointer to the probe's own
// evidence type (for example *DNSEvidence) so that rules read typed fields and
// the JSON output stays a plain object.
type Result struct {
	ID       string
	Status   Status
	Summary  string
	Duration time.Duration
	Evidence any
}

type resultJSON struct {
	ID         string  `json:"id"`
	Status     Status  `json:"status"`
	Summary    string  `json:"summary"`
	DurationMS float64 `json:"duration_ms"`
	Evidence   any     `json:"evidence"`
}

// MarshalJSON writes the idpulse.check/v1 probe object.
func (r Result) MarshalJSON() ([]byte, error) {
	ev := r.Evidence
	if ev == nil {
		ev = struct{}{}
	}
	return json.Marshal(resultJSON{ID: r.ID, Status: r.Status, Summary: r.Summary, DurationMS: Millis(r.Duration), Evidence: ev})
}

// Millis renders a duration as milliseconds with microsecond precision, the unit
// of every *_ms field in the JSON contract.
func Millis(d time.Duration) float64 {
	return math.Round(float64(d)/1e3) / 1e3
}

// Phases are the per-phase timings of one network exchange, in the order they
// happen. Zero means the phase did not happen (or did not apply).
type Phases struct {
	Resolve   time.Duration
	Connect   time.Duration
	TLS       time.Duration
	FirstByte time.Duration
}

// MarshalJSON writes the phases as {"resolve_ms":…}, leaving out phases that did not happen.
func (p Phases) MarshalJSON() ([]byte, error) {
	m := map[string]float64{}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"resolve_ms", p.Resolve}, {"connect_ms", p.Connect}, {"tls_ms", p.TLS}, {"first_byte_ms", p.FirstByte}} {
		if f.d > 0 {
			m[f.name] = Millis(f.d)
		}
	}
	return json.Marshal(m)
}

// Results is one cycle's results in the engine's stable order.
type Results []Result

// Get returns the result of probe id, or false when that probe did not run.
func (rs Results) Get(id string) (Result, bool) {
	for _, r := range rs {
		if r.ID == id {
			return r, true
		}
	}
	return Result{}, false
}

// Evidence returns probe id's evidence as *T, or nil when the probe did not run,
// errored, or reported another type.
func Evidence[T any](rs Results, id string) *T {
	r, ok := rs.Get(id)
	if !ok {
		return nil
	}
	ev, _ := r.Evidence.(*T)
	return ev
}

// HumanDuration renders a measured duration for a summary line: "0.4 ms",
// "38 ms", "1.2 s".
func HumanDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}
