package agent

import (
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/netenv"
)

// TestObservationNamesTheMachine: the alert policy words its offline
// summary for the machine the check ran on, so the agent must pass it on.
func TestObservationNamesTheMachine(t *testing.T) {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	a := &Agent{d: Deps{Now: func() time.Time { return at }}}
	for _, tt := range []struct{ os, want string }{
		{"macOS", verdict.MachineMac},
		{"Debian GNU/Linux", verdict.MachineComputer},
	} {
		doc := verdict.Document{
			Verdict: verdict.Verdict{Level: verdict.LevelDown, Code: verdict.CodeOffline},
			Probes: probes.Results{{ID: probes.IDSystem, Status: probes.StatusOK,
				Evidence: &probes.SystemEvidence{SystemInfo: netenv.SystemInfo{OS: tt.os}}}},
		}
		if got := a.observation(doc).Machine; got != tt.want {
			t.Errorf("%s: observation says %q, want %q", tt.os, got, tt.want)
		}
	}
}
