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
	Rank                int8  // levelRank
	DNS, TLS, FirstByte float32
}

// Time is p's time.
func (p Point) Time() time.Time { return time.Unix(0, p.At) }

// HistoryOf summarises records (oldest first), attributing attempts' fixes
// to the incidents; now bounds an ongoing one, and its location is where
// days begin.
func HistoryOf(records []timeline.Record, attempts []history.Attempt, now time.Time) History {
	b := historyBuilder{loc: now.Location(), points: true}
	b.add(records)
	return b.done(attempts, now)
}

// historyBuilder summarises a timeline handed over a day at a time
// (timeline.Store.EachDay).
type historyBuilder struct {
	loc    *time.Location
	points bool // keep Points (only the HTML page draws them)
	h      History
	// grouping are the records incidents.Group needs: every one not ok
	// and the one after each (which ends an incident, or shows the gap
	// that does). The ok ones between change nothing of what it finds.
	grouping  []timeline.Record
	prevNotOK bool
}

func (b *historyBuilder) add(day []timeline.Record) {
	for _, r := range day {
		if !r.OK() || b.prevNotOK {
			b.grouping = append(b.grouping, r)
		}
		b.prevNotOK = !r.OK()
		if b.points {
			b.h.Points = append(b.h.Points, Point{At: r.At.UnixNano(), Rank: int8(levelRank(r.Level)),
				DNS: ms32(r.Timings.DNS), TLS: ms32(r.Timings.TLS), FirstByte: ms32(r.Timings.FirstByte)})
		}
	}
	// A local day may span two UTC segments: its halves are joined.
	for _, d := range incidents.Availability(day, b.loc) {
		if n := len(b.h.Days); n > 0 && b.h.Days[n-1].Date == d.Date {
			last := &b.h.Days[n-1]
			last.Checks, last.OK = last.Checks+d.Checks, last.OK+d.OK
			last.Ratio = float64(last.OK) / float64(last.Checks)
			continue
		}
		b.h.Days = append(b.h.Days, d)
	}
}

func (b *historyBuilder) done(attempts []history.Attempt, now time.Time) History {
	b.h.Incidents = incidents.Group(b.grouping, attempts, now)
	return b.h
}

func ms32(v *float64) float32 {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return float32(math.NaN())
	}
	return float32(*v)
}
