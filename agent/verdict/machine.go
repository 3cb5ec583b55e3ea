package verdict

import (
	"strings"

	"github.com/idpulse/idpulse/probes"
)

// The words (verdicts, notifications, reports, fixes) are written for a
// Mac: "this Mac is offline". On a Linux desktop that is wrong. This file
// is the one place that decides what the machine is called and rewrites
// the words for it.

const (
	MachineMac      = "Mac"
	MachineComputer = "computer"
)

// Machine is what the words call the machine whose results res are: "Mac"
// on macOS (and when the system probe did not say), "computer" elsewhere.
// It goes by the system probe rather than runtime.GOOS because a report may
// be rendered from a document saved on another machine.
func Machine(res probes.Results) string {
	ev := probes.Evidence[probes.SystemEvidence](res)
	if ev == nil || ev.OS == "" || strings.HasPrefix(strings.ToLower(ev.OS), "mac") {
		return MachineMac
	}
	return MachineComputer
}

// MachineOn is what the words call a machine running GOOS goos, for code
// that knows the running system but has no results (fix plans).
func MachineOn(goos string) string {
	if goos == "darwin" {
		return MachineMac
	}
	return MachineComputer
}

// OnMachine rewrites "this Mac" (any case of "this") in s for machine m,
// one of Machine's words; an empty m leaves s as written (for a Mac).
func OnMachine(s, m string) string {
	if m == "" || m == MachineMac {
		return s
	}
	return strings.NewReplacer("This Mac", "This "+m, "this Mac", "this "+m).Replace(s)
}
