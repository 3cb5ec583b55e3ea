package timeline_test

import (
	"errors"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/timeline"
)

// EachDay hands over what Read returns, in the same order, a day at a time.
func TestEachDayIsReadByTheDay(t *testing.T) {
	s := timeline.Store{Dir: t.TempDir()}
	for n := range 3000 {
		if err := s.Append(cycle(n)); err != nil {
			t.Fatal(err)
		}
	}
	since := cycle(500).At
	want, _, err := s.Read(since)
	if err != nil {
		t.Fatal(err)
	}
	var got []timeline.Record
	days := 0
	skipped, err := s.EachDay(since, func(day []timeline.Record) error {
		days++
		for _, r := range day {
			if r.At.UTC().Format(time.DateOnly) != day[0].At.UTC().Format(time.DateOnly) {
				t.Errorf("record of %v among %v's", r.At, day[0].At)
			}
		}
		got = append(got, day...)
		return nil
	})
	if err != nil || skipped != 0 || days != 3 || len(got) != len(want) {
		t.Fatalf("EachDay: %d records in %d days, %d skipped, %v; want %d in 3", len(got), days, skipped, err, len(want))
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) || got[i].Code != want[i].Code {
			t.Fatalf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	stop := errors.New("stop")
	if _, err := s.EachDay(since, func([]timeline.Record) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("EachDay returned %v, want fn's error", err)
	}
}

// BenchmarkEachDay30Days reads a full 30-day store a day at a time, as the
// HTML report does (compare BenchmarkRead30Days).
func BenchmarkEachDay30Days(b *testing.B) {
	s := thirtyDays(b)
	for b.Loop() {
		n := 0
		if _, err := s.EachDay(time.Time{}, func(day []timeline.Record) error { n += len(day); return nil }); err != nil || n != 30*1440 {
			b.Fatal(n, err)
		}
	}
}
