package agent

import (
	"time"

	"github.com/idpulse/idpulse/agent/menu"
)

// model is the menu for the agent's current state.
func (a *Agent) model(now time.Time) menu.Model {
	in := menu.Input{
		Doc:           a.last,
		Checking:      a.checking,
		LastChecked:   a.lastChecked,
		Now:           now,
		Paused:        now.Before(a.set.PausedUntil),
		PausedUntil:   a.set.PausedUntil,
		LaunchAtLogin: a.launchAtLogin(),
		Version:       a.d.Version,
		RunningFix:    a.runningFix,
		AllFixes:      a.allFixes(),
		LogFailing:    a.d.LogFailing != nil && a.d.LogFailing(),
		IncidentSince: a.sched.IncidentSince(),
	}
	if due, _, _ := a.sched.Next(); !due.IsZero() {
		in.NextCheck = due
	}
	in.Notifications.Enabled = a.set.NotificationsEnabled
	in.Notifications.Recovery = a.set.NotifyRecovery
	in.Notifications.QuietHours = a.set.QuietHours.Enabled
	in.Notifications.QuietLabel = a.set.QuietHours.Start + "–" + a.set.QuietHours.End
	return menu.Build(in)
}
