package history_test

import (
	"io"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/history"
)

// BenchmarkHistory30Days is `idpulse history --since 30d` (read, group,
// print) over a full 30-day store: a check a minute, every probe and
// service recorded, an incident a day.
func BenchmarkHistory30Days(b *testing.B) {
	dir := b.TempDir()
	s := timeline.Store{Dir: timeline.In(dir)}
	f := func(v float64) *float64 { return &v }
	start := now.Add(-30 * 24 * time.Hour)
	for n := range 30 * 1440 {
		r := timeline.Record{At: start.Add(time.Duration(n) * time.Minute), Code: "ok", Level: "ok", Cause: "none", TookMS: 14.2,
			Probes:   "link=ok control=ok captive=ok dns=ok hosts=ok proxy=skip vpn=ok reach=ok tls=ok https=ok services=ok clock=ok system=ok",
			Services: "sign_in=skip icloud=ok push=ok app_store=ok software_update=ok device_management=ok certificates=ok time=ok",
			Timings:  timeline.Timings{DNS: f(3.1), Connect: f(18.4), TLS: f(41.9), FirstByte: f(88.2), ClockOffset: f(-12.5)}}
		if n%1440 < 12 {
			r.Code, r.Level, r.Cause, r.Headline = "dns_failure", "down", "network", "DNS is not working"
		}
		if err := s.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		doc, err := history.Build(dir, 30, now, 30*24*time.Hour)
		if err != nil || doc.Checks < 29*1440 || len(doc.Incidents) < 29 { // the oldest day is partly past retention
			b.Fatalf("%d checks, %d incidents, %v", doc.Checks, len(doc.Incidents), err)
		}
		if err := history.Print(io.Discard, doc, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
