package report

import (
	"reflect"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/incidents"
	"github.com/idpulse/idpulse/agent/timeline/timelinetest"
)

// The summary finds what the whole record does: the same incidents as
// incidents.Group over every record (the month has a gap, troubles at day
// boundaries and an ongoing one), and the same days as
// incidents.Availability, when fed a UTC day at a time in a time zone whose
// days straddle two of them.
func TestHistoryMatchesTheWholeRecord(t *testing.T) {
	in := fixtureInput()
	gen := in.Generated.In(time.FixedZone("PDT", -7*3600))
	records := monthTimeline(gen)
	// A trouble across midnight UTC, and one whose last check is followed
	// by a gap (the Mac slept).
	for i := range records {
		if at := records[i].At; at.Hour() == 23 && at.Minute() >= 55 || at.Hour() == 0 && at.Minute() < 5 {
			records[i].Code, records[i].Level = "dns_failure", "down"
		}
	}
	records = append(records[:1000:1000], records[1100:]...)
	records[999].Code, records[999].Level = "slow_network", "degraded"

	b := newHistoryBuilder(gen.Location(), true)
	for _, day := range timelinetest.Days(records) {
		b.add(day)
	}
	got := b.done(in.Attempts, gen)
	if want := incidents.Group(records, in.Attempts, gen); !reflect.DeepEqual(got.Incidents, want) {
		t.Errorf("incidents differ: %d, want %d\n got %+v\nwant %+v", len(got.Incidents), len(want), got.Incidents, want)
	}
	if want := incidents.Availability(records, gen.Location()); !reflect.DeepEqual(got.Days, want) {
		t.Errorf("days differ:\n got %+v\nwant %+v", got.Days, want)
	}
	if len(got.Points) != len(records) || !got.Points[0].Time().Equal(records[0].At) {
		t.Errorf("%d points from %v, want %d from %v", len(got.Points), got.Points[0].Time(), len(records), records[0].At)
	}
}
