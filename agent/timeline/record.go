package timeline

import (
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

// FromDocument is the record of one diagnosis.
func FromDocument(doc verdict.Document) Record {
	v := doc.Verdict
	r := Record{
		At:     doc.Time.UTC(),
		Code:   string(v.Code),
		Level:  string(v.Level),
		Cause:  string(v.Cause),
		TookMS: doc.DurationMS,
	}
	if v.Level != verdict.LevelOK {
		r.Headline = v.Headline
	}
	for _, p := range doc.Probes {
		r.Probes.Add(string(p.ID), string(p.Status))
		switch ev := p.Evidence.(type) {
		case *probes.HTTPSEvidence:
			ph := ev.Phases
			r.Timings.DNS, r.Timings.Connect = ms(ph.Resolve), ms(ph.Connect)
			r.Timings.TLS, r.Timings.FirstByte = ms(ph.TLS), ms(ph.FirstByte)
		case *probes.ClockEvidence:
			if ev.Source != "" {
				off := ev.OffsetMS
				r.Timings.ClockOffset = &off
			}
		}
	}
	for _, s := range doc.Services {
		r.Services.Add(s.ID, string(s.Status))
	}
	return r
}

// ms is d in milliseconds, nil when the phase was not measured.
func ms(d time.Duration) *float64 {
	if d <= 0 {
		return nil
	}
	v := float64(d) / float64(time.Millisecond)
	return &v
}
