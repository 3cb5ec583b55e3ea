package timeline_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/timeline"
)

// realistic is a record the size the agent writes: every probe and every
// service, and the five timings.
func realistic(n int) timeline.Record {
	f := func(v float64) *float64 { return &v }
	r := timeline.Record{At: t0.Add(time.Duration(n) * time.Minute), Code: "ok", Level: "ok", Cause: "none", TookMS: 14.2,
		Probes:   "link=ok control=ok captive=ok dns=ok hosts=ok proxy=skip vpn=ok reach=ok tls=ok https=ok services=ok clock=ok system=ok",
		Services: "sign_in=skip icloud=ok push=ok app_store=ok software_update=ok device_management=ok certificates=ok time=ok",
		Timings:  timeline.Timings{DNS: f(3.1), Connect: f(18.4), TLS: f(41.9), FirstByte: f(88.2), ClockOffset: f(-12.5)},
	}
	if n%97 == 0 {
		r.Code, r.Level, r.Cause, r.Headline = "dns_failure", "down", "network", "DNS is not working"
	}
	return r
}

// thirtyDays builds the store of 30 days at one check a minute (43,200
// records), once per benchmark.
func thirtyDays(tb testing.TB) timeline.Store {
	s := timeline.Store{Dir: tb.TempDir()}
	for n := range 30 * 1440 {
		if err := s.Append(realistic(n)); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

func TestThirtyDayStore(t *testing.T) {
	s := thirtyDays(t)
	all, skipped, err := s.Read(time.Time{})
	if err != nil || skipped != 0 || len(all) != 30*1440 {
		t.Fatalf("Read = %d records, %d skipped, %v; want %d", len(all), skipped, err, 30*1440)
	}
	var size int64
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		fi, _ := os.Stat(filepath.Join(s.Dir, e.Name()))
		size += fi.Size()
	}
	if len(entries) != 30 {
		t.Errorf("%d segments, want 30", len(entries))
	}
	t.Logf("30 days: %d records, %d segments, %.1f MB on disk (%d bytes a record)", len(all), len(entries), float64(size)/1e6, size/int64(len(all)))
}

// BenchmarkAppend is one cycle's cost to the agent.
func BenchmarkAppend(b *testing.B) {
	s := timeline.Store{Dir: b.TempDir()}
	n := 0
	for b.Loop() {
		if err := s.Append(realistic(n)); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// BenchmarkRead30Days reads a full 30-day store, as `idpulse history
// --since 30d` does.
func BenchmarkRead30Days(b *testing.B) {
	s := thirtyDays(b)
	for b.Loop() {
		if all, _, err := s.Read(time.Time{}); err != nil || len(all) != 30*1440 {
			b.Fatal(len(all), err)
		}
	}
}
