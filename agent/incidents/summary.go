package incidents

import (
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/timeline"
)

// Summary folds a timeline handed over a day at a time
// (timeline.Store.EachDay) into what Group and Availability give for the
// whole record, without holding it: a month at a check a minute is 43,000
// records, some 25 MB, and the agent that writes the history page has a
// 25 MB budget. It keeps only the records Group needs: every one not ok and
// the one after each (which ends an incident, or shows the gap that does);
// the ok ones between change nothing of what Group finds.
type Summary struct {
	// Loc is where days begin (Availability's loc).
	Loc *time.Location
	// Checks is how many records were added.
	Checks int
	// Days are each day's share of ok checks, oldest first.
	Days []Day

	grouping  []timeline.Record
	prevNotOK bool
}

// Add folds in the next records, oldest first.
func (s *Summary) Add(records []timeline.Record) {
	s.Checks += len(records)
	for _, r := range records {
		if !r.OK() || s.prevNotOK {
			s.grouping = append(s.grouping, r)
		}
		s.prevNotOK = !r.OK()
	}
	// A local day may span two UTC segments: its halves are joined.
	for _, d := range Availability(records, s.Loc) {
		if n := len(s.Days); n > 0 && s.Days[n-1].Date == d.Date {
			last := &s.Days[n-1]
			last.Checks, last.OK = last.Checks+d.Checks, last.OK+d.OK
			last.Ratio = float64(last.OK) / float64(last.Checks)
			continue
		}
		s.Days = append(s.Days, d)
	}
}

// Incidents are Group's incidents of everything added, oldest first.
func (s *Summary) Incidents(attempts []history.Attempt, now time.Time) []Incident {
	return Group(s.grouping, attempts, now)
}
