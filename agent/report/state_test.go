package report

import (
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/timeline"
)

// ReadState reads what the agent wrote: the timeline back to the format's
// window only, and fixes attributed from the whole attempts log.
func TestReadState(t *testing.T) {
	dir := t.TempDir()
	gen := utcAt(9, 30, 0)
	store := timeline.Store{Dir: timeline.In(dir)}
	for _, r := range fixtureTimeline(gen) {
		if err := store.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	// An incident older than the text report's week, a month back.
	old := gen.Add(-20 * 24 * time.Hour)
	for i, level := range []string{"ok", "down", "ok"} {
		if err := store.Append(timeline.Record{At: old.Add(time.Duration(i) * time.Minute), Code: "x_" + level, Level: level}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range Recent + 5 {
		a := history.Attempt{At: utcAt(9, 6, i), Fix: "flush-dns", Outcome: "ok"}
		if i == 0 {
			a.Fix = "renew-dhcp" // the oldest: beyond Recent, still tried during the incident
		}
		if err := history.Attempts(dir).Append(a); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		f         Format
		incidents int
	}{{FormatText, 3}, {FormatJSON, 3}}
	for _, tt := range tests {
		in := Input{Doc: fixtureInput().Doc, Generated: gen}
		if err := in.ReadState(dir, tt.f); err != nil {
			t.Fatal(err)
		}
		if len(in.Attempts) != Recent {
			t.Errorf("%s: %d attempts listed, want the last %d", tt.f, len(in.Attempts), Recent)
		}
		if len(in.History.Points) != 0 {
			t.Errorf("%s: %d points read; only the HTML page draws them", tt.f, len(in.History.Points))
		}
		if first := in.History.Days[0].Date; first < gen.Add(-Window(tt.f)).Format(time.DateOnly) {
			t.Errorf("%s: timeline read from %v, before the window", tt.f, first)
		}
		out := render(t, in, tt.f, nil)
		if got := len(incidentsSince(in.History.Incidents, gen.Add(-Window(tt.f)))); got != tt.incidents {
			t.Errorf("%s: %d incidents in the window, want %d", tt.f, got, tt.incidents)
		}
		if !strings.Contains(out, "renew-dhcp") || strings.Contains(out, "x_down") {
			t.Errorf("%s: want the oldest attempt attributed and the month-old incident left out:\n%s", tt.f, out)
		}
	}
	// Nothing recorded yet: an empty section, not an error.
	in := Input{Doc: fixtureInput().Doc, Generated: gen}
	if err := in.ReadState(t.TempDir(), FormatText); err != nil {
		t.Fatal(err)
	}
	if out := render(t, in, FormatText, nil); !strings.Contains(out, "Incidents, last 7 days\n----------------------\n  None:") {
		t.Errorf("no history: %s", out)
	}
}
