package incidents_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/incidents"
	"github.com/idpulse/idpulse/agent/timeline/timelinetest"
)

// TestSummaryMatchesTheWholeRecord: fed a UTC day at a time, in a time zone
// whose days straddle two of them, Summary finds what Group and
// Availability find over every record at once — troubles across midnight,
// one ended by a gap, one ongoing — while keeping few of the ok records.
func TestSummaryMatchesTheWholeRecord(t *testing.T) {
	// Three days at a check a minute from 14:00 UTC.
	pattern := strings.Repeat(".", 590) + "dddd" + strings.Repeat(".", 300) + "ss_" + strings.Repeat(".", 2000) +
		"sd" + strings.Repeat(".", 1400) + "ddd"
	records := timelineOf(pattern)
	attempts := []history.Attempt{{At: t0.Add(591 * time.Minute), Fix: "flush-dns", Outcome: "ok"}}
	loc := time.FixedZone("PDT", -7*3600)
	now := records[len(records)-1].At.Add(time.Minute).In(loc)

	s := incidents.Summary{Loc: loc}
	for _, day := range timelinetest.Days(records) {
		s.Add(day)
	}
	if want := incidents.Group(records, attempts, now); !reflect.DeepEqual(s.Incidents(attempts, now), want) {
		t.Errorf("incidents differ:\n got %s\nwant %s", describe(s.Incidents(attempts, now)), describe(want))
	}
	if want := incidents.Availability(records, loc); !reflect.DeepEqual(s.Days, want) {
		t.Errorf("days differ:\n got %+v\nwant %+v", s.Days, want)
	}
	if s.Checks != len(records) {
		t.Errorf("Checks = %d, want %d", s.Checks, len(records))
	}
	if n := len(incidents.Group(records, attempts, now)); n != 4 {
		t.Fatalf("the pattern has %d incidents, want 4 (the test must cover them)", n)
	}
}
