package report

import (
	"math"
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/incidents"
	"github.com/idpulse/idpulse/agent/timeline"
)

// History is the agent's timeline as the reports use it, summarised as it
// is read: a month at a check a minute is 43,000 records, some 25 MB as
// timeline.Records, and the agent that writes the page for Show History…
// has a 25 MB budget. As Points the month is 1 MB.
type History struct {
	// Points are the checks, oldest first: what the HTML page draws.
	Points []Point
	// Days are each day's share of ok checks (incidents.Availability, in
	// the report's time zone), oldest first.
	Days []incidents.Day
	// Incidents are as incidents.Group makes them, oldest first, with the
	// fixes tried meanwhile; every format lists those of its window.
	Incidents []incidents.Incident
}

// Point is one check as the page draws it: when, how bad, and the
// sign-in path's timings in milliseconds (NaN where not measured).
type Point struct {
	At                  int64 // Unix nanoseconds
	Rank                int8  // incidents.Rank
	DNS, TLS, FirstByte float32
}

// Time is p's time.
func (p Point) Time() time.Time { return time.Unix(0, p.At) }

// HistoryOf summarises records (oldest first), attributing attempts' fixes
// to the incidents; now bounds an ongoing one, and its location is where
// days begin.
func HistoryOf(records []timeline.Record, attempts []history.Attempt, now time.Time) History {
	b := newHistoryBuilder(now.Location(), true)
	b.add(records)
	return b.done(attempts, now)
}

// historyBuilder summarises a timeline handed over a day at a time
// (timeline.Store.EachDay): incidents.Summary, and the points the page draws.
type historyBuilder struct {
	sum    incidents.Summary
	points bool // keep Points (only the HTML page draws them)
	h      History
}

func newHistoryBuilder(loc *time.Location, points bool) historyBuilder {
	return historyBuilder{sum: incidents.Summary{Loc: loc}, points: points}
}

func (b *historyBuilder) add(day []timeline.Record) {
	b.sum.Add(day)
	if !b.points {
		return
	}
	for _, r := range day {
		b.h.Points = append(b.h.Points, Point{At: r.At.UnixNano(), Rank: int8(incidents.Rank(r.Level)),
			DNS: ms32(r.Timings.DNS), TLS: ms32(r.Timings.TLS), FirstByte: ms32(r.Timings.FirstByte)})
	}
}

func (b *historyBuilder) done(attempts []history.Attempt, now time.Time) History {
	b.h.Days = b.sum.Days
	b.h.Incidents = b.sum.Incidents(attempts, now)
	return b.h
}

func ms32(v *float64) float32 {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return float32(math.NaN())
	}
	return float32(*v)
}
