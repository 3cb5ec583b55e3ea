package verdict

import (
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
)

func TestSpan(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "1 s"},
		{300 * time.Millisecond, "1 s"},
		{42*time.Second + 400*time.Millisecond, "42 s"},
		{-42 * time.Second, "42 s"}, // no sign: callers say slow or fast
		{59*time.Second + 400*time.Millisecond, "59 s"},
		{59*time.Second + 600*time.Millisecond, "1 min"}, // the unit after rounding
		{75 * time.Second, "1 min"},
		{7*time.Minute + 29*time.Second, "7 min"},
		{7*time.Minute + 30*time.Second, "8 min"},
		{59*time.Minute + 45*time.Second, "1 h"},
		{2*time.Hour + 4*time.Minute + 40*time.Second, "2 h 5 min"},
		{3 * time.Hour, "3 h"},
		{26 * time.Hour, "26 h"},
	}
	for _, tt := range tests {
		if got := Span(tt.d); got != tt.want {
			t.Errorf("Span(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// The faces must agree: check's output, the menu and the report all use
// these, and the report's legend explains them.
func TestSymbols(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"ok", StatusSymbol(probes.StatusOK), "✓"},
		{"warn", StatusSymbol(probes.StatusWarn), "⚠"},
		{"fail", StatusSymbol(probes.StatusFail), "✗"},
		{"error: could not check", StatusSymbol(probes.StatusError), "!"},
		{"skip: not run", StatusSymbol(probes.StatusSkip), "–"},
		{"unknown status", StatusSymbol("new"), "–"},
		{"level ok", LevelOK.Symbol() + " " + LevelOK.Word(), "✓ OK"},
		{"level degraded", LevelDegraded.Symbol() + " " + LevelDegraded.Word(), "⚠ DEGRADED"},
		{"level down", LevelDown.Symbol() + " " + LevelDown.Word(), "✗ DOWN"},
		{"service ok", svc("ok").Symbol() + " " + svc("ok").Word(), "✓ available"},
		{"service outage", svc("outage").Symbol() + " " + svc("outage").Word(), "✗ outage"},
		{"service issue", svc("issue").Symbol() + " " + svc("issue").Word(), "⚠ issue"},
		{"service maintenance", svc("maintenance").Symbol() + " " + svc("maintenance").Word(), "⚒ maintenance"},
		{"service status Apple adds next", svc("degraded").Symbol() + " " + svc("degraded").Word(), "⚠ degraded"},
		{"service without status", svc("").Symbol() + " " + svc("").Word(), "⚠ unknown"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func svc(status string) AppleService { return AppleService{Name: "Apple ID", Status: status} }
