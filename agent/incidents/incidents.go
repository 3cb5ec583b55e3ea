// Package incidents groups the agent's per-cycle history (agent/timeline)
// into what a person talks about: "it was down four times yesterday, for
// 12 minutes each, always DNS". It is pure: records in, incidents and daily
// availability out, the same grouping for `idpulse history`, the reports and
// the menu.
//
// The rules:
//   - An incident is a run of consecutive cycles whose verdict is not ok.
//     It starts at the first of them and ends at the first ok cycle after
//     them (End is nil while it is ongoing: the last record is not ok).
//   - A gap of more than Gap between two records (the agent was not
//     running, the Mac slept) also ends an incident, at its last non-ok
//     record: what happened in the gap is unknown, and unknown is not down.
//   - Level is the worst level seen; Code, Cause and Headline are those of
//     the first cycle at that level; Codes every code seen, in order.
//   - FixesTried are the fixes attempted from the incident's start to its
//     end (or to now while ongoing).
package incidents

import (
	"slices"
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/timeline"
)

// Gap is the longest silence inside one incident: well above the agent's
// slowest cadence (60 s), below a night's sleep.
const Gap = 15 * time.Minute

// Incident is one stretch of not-ok verdicts.
type Incident struct {
	Start      time.Time  `json:"start"`
	End        *time.Time `json:"end"` // nil while ongoing
	DurationS  float64    `json:"duration_s"`
	Code       string     `json:"code"`
	Level      string     `json:"level"`
	Cause      string     `json:"cause"`
	Headline   string     `json:"headline"`
	Codes      []string   `json:"codes"`
	Checks     int        `json:"checks"`
	FixesTried []string   `json:"fixes_tried"`
}

// Also is every code seen other than Code (the worst level's), in order:
// what "…, also dns_failure" lists.
func (i Incident) Also() []string {
	return slices.DeleteFunc(slices.Clone(i.Codes), func(c string) bool { return c == i.Code })
}

// Ongoing reports whether the incident has not ended.
func (i Incident) Ongoing() bool { return i.End == nil }

// Rank orders verdict levels, ok 0, degraded 1, down 2; a level this
// idpulse does not know (a newer one wrote the record) counts as degraded:
// not ok, not known to be down.
func Rank(level string) int {
	switch level {
	case "ok":
		return 0
	case "down":
		return 2
	}
	return 1
}

// Group returns the incidents in records (oldest first, as timeline.Read
// returns them), oldest first. now bounds an ongoing incident's duration;
// attempts are the fix attempts to attribute.
func Group(records []timeline.Record, attempts []history.Attempt, now time.Time) []Incident {
	var out []Incident
	var cur *Incident
	var last time.Time // the current incident's last record
	closeAt := func(end time.Time) {
		cur.End = &end
		out = append(out, *cur)
		cur = nil
	}
	for _, r := range records {
		if cur != nil && r.At.Sub(last) > Gap {
			closeAt(last)
		}
		if r.OK() {
			if cur != nil {
				closeAt(r.At)
			}
			continue
		}
		if cur == nil {
			cur = &Incident{Start: r.At, Codes: []string{}}
		}
		last = r.At
		cur.Checks++
		if !slices.Contains(cur.Codes, r.Code) {
			cur.Codes = append(cur.Codes, r.Code)
		}
		if cur.Level == "" || Rank(r.Level) > Rank(cur.Level) {
			cur.Level, cur.Code, cur.Cause, cur.Headline = r.Level, r.Code, r.Cause, r.Headline
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	for i := range out {
		end := now
		if out[i].End != nil {
			end = *out[i].End
		}
		out[i].DurationS = max(end.Sub(out[i].Start), 0).Seconds()
		out[i].FixesTried = []string{}
		for _, a := range attempts {
			if !a.At.Before(out[i].Start) && !a.At.After(end) && !slices.Contains(out[i].FixesTried, a.Fix) {
				out[i].FixesTried = append(out[i].FixesTried, a.Fix)
			}
		}
	}
	return out
}

// Day is one calendar day's share of ok checks.
type Day struct {
	Date   string  `json:"date"` // YYYY-MM-DD in the reader's time zone
	Checks int     `json:"checks"`
	OK     int     `json:"ok"`
	Ratio  float64 `json:"availability"` // OK / Checks, 0..1
}

// Availability is each day's share of ok checks in loc, oldest first; days
// without a record are left out (nothing was checked, which says nothing).
func Availability(records []timeline.Record, loc *time.Location) []Day {
	var out []Day
	for _, r := range records {
		date := r.At.In(loc).Format(time.DateOnly)
		if len(out) == 0 || out[len(out)-1].Date != date {
			out = append(out, Day{Date: date})
		}
		d := &out[len(out)-1]
		d.Checks++
		if r.OK() {
			d.OK++
		}
	}
	for i := range out {
		out[i].Ratio = float64(out[i].OK) / float64(out[i].Checks)
	}
	return out
}
