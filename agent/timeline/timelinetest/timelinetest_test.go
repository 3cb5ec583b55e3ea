package timelinetest

import (
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/timeline"
)

func TestDays(t *testing.T) {
	pdt := time.FixedZone("PDT", -7*3600)
	at := func(s string) timeline.Record {
		ts, err := time.ParseInLocation("2006-01-02 15:04", s, pdt)
		if err != nil {
			t.Fatal(err)
		}
		return timeline.Record{At: ts}
	}
	// 16:59 and 17:00 PDT are on one local day but two UTC days.
	records := []timeline.Record{at("2026-03-01 16:58"), at("2026-03-01 16:59"), at("2026-03-01 17:00"), at("2027-03-02 16:30")}
	days := Days(records)
	if len(days) != 3 || len(days[0]) != 2 || len(days[1]) != 1 || len(days[2]) != 1 {
		t.Fatalf("Days = %v, want [2 1 1] records (the same date a year on is another day)", days)
	}
	if got := Days(nil); len(got) != 0 {
		t.Errorf("Days(nil) = %v", got)
	}
}
