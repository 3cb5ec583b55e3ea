// Package probes runs the Apple ID connectivity checklist: one file per probe,
// every probe the same shape, all of them concurrently inside one cycle deadline.
//
// A probe reports what it saw (Status, Summary, typed Evidence); it never decides
// the root cause. That is agent/verdict's job, which reads the evidence.
//
// Registry is the one place that knows each probe ID's evidence type and
// label: JSON decodes evidence through it, and Evidence[T] finds a probe's
// evidence by its type. A new probe is its file, its line in Default and its
// registry entry (a test fails when one is missing).
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
	ID() ID
	Run(ctx context.Context) Result
}

// Result is what one probe reports. Evidence is a pointer to the probe's own
// evidence type (for example *DNSEvidence, see Registry) so that rules read
// typed fields and the JSON output stays a plain object.
type Result struct {
	ID       ID
	Status   Status
	Summary  string
	Duration time.Duration
	Evidence any
}

type resultJSON[E any] struct {
	ID         ID      `json:"id"`
	Status     Status  `json:"status"`
	Summary    string  `json:"summary"`
	DurationMS float64 `json:"duration_ms"`
	Evidence   E       `json:"evidence"`
}

// MarshalJSON writes the idpulse.check/v1 probe object.
func (r Result) MarshalJSON() ([]byte, error) {
	ev := r.Evidence
	if ev == nil {
		ev = struct{}{}
	}
	return json.Marshal(resultJSON[any]{ID: r.ID, Status: r.Status, Summary: r.Summary, DurationMS: Millis(r.Duration), Evidence: ev})
}

// UnmarshalJSON reads the probe object back, the evidence into the type the
// registry names for the probe (see decodeEvidence), so a check read from
// the state file is the same to its readers as a live one.
func (r *Result) UnmarshalJSON(data []byte) error {
	var w resultJSON[json.RawMessage]
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*r = Result{
		ID: w.ID, Status: w.Status, Summary: w.Summary, Duration: FromMillis(w.DurationMS),
		Evidence: decodeEvidence(w.ID, w.Status, w.Evidence),
	}
	return nil
}

// Millis renders a duration as milliseconds with microsecond precision, the unit
// of every *_ms field in the JSON contract.
func Millis(d time.Duration) float64 {
	return math.Round(float64(d)/1e3) / 1e3
}

// FromMillis is the inverse of Millis.
func FromMillis(ms float64) time.Duration {
	return time.Duration(ms * float64(time.Millisecond)).Round(time.Microsecond)
}

// Phases are the per-phase timings of one network exchange, in the order they
// happen. Zero means the phase did not happen (or did not apply).
type Phases struct {
	Resolve   time.Duration
	Connect   time.Duration
	TLS       time.Duration
	FirstByte time.Duration
}

// fields names each phase in JSON.
func (p *Phases) fields() []struct {
	name string
	d    *time.Duration
} {
	return []struct {
		name string
		d    *time.Duration
	}{{"resolve_ms", &p.Resolve}, {"connect_ms", &p.Connect}, {"tls_ms", &p.TLS}, {"first_byte_ms", &p.FirstByte}}
}

// MarshalJSON writes the phases as {"resolve_ms":…}, leaving out phases that did not happen.
func (p Phases) MarshalJSON() ([]byte, error) {
	m := map[string]float64{}
	for _, f := range p.fields() {
		if *f.d > 0 {
			m[f.name] = Millis(*f.d)
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes; a phase left out is zero.
func (p *Phases) UnmarshalJSON(data []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*p = Phases{}
	for _, f := range p.fields() {
		*f.d = FromMillis(m[f.name])
	}
	return nil
}

// Results is one cycle's results in the engine's stable order.
type Results []Result

// Get returns the result of probe id, or false when that probe did not run.
func (rs Results) Get(id ID) (Result, bool) {
	for _, r := range rs {
		if r.ID == id {
			return r, true
		}
	}
	return Result{}, false
}

// Plural is one when n is 1, else many: "1 line", "3 lines".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
