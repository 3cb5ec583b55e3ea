package agent

import (
	"context"
	"time"

	"github.com/idpulse/idpulse/agent/alert"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/schedule"
	"github.com/idpulse/idpulse/agent/settings"
)

// handle carries out one click; it reports whether the user quit.
func (a *Agent) handle(ctx context.Context, act menu.Action) (quit bool) {
	now := a.d.Now()
	a.log.Debug("menu action", "kind", act.Kind, "arg", act.Arg)
	switch act.Kind {
	case menu.ActionQuit:
		return true
	case menu.ActionCheckNow:
		a.sched.Trigger(schedule.ReasonCheckNow, now)
	case menu.ActionOpenURL:
		a.open(ctx, act.Arg)
	case menu.ActionFix:
		a.runFix(ctx, act.Arg)
	case menu.ActionToggleNotifications:
		a.updateSettings(ctx, func(s *settings.Settings) { s.NotificationsEnabled = !s.NotificationsEnabled })
	case menu.ActionPause1h:
		a.updateSettings(ctx, func(s *settings.Settings) { s.PausedUntil = now.Add(time.Hour) })
	case menu.ActionPauseTomorrow:
		a.updateSettings(ctx, func(s *settings.Settings) { s.PausedUntil = tomorrowMorning(now) })
	case menu.ActionResume:
		a.updateSettings(ctx, func(s *settings.Settings) { s.PausedUntil = time.Time{} })
	case menu.ActionToggleRecovery:
		a.updateSettings(ctx, func(s *settings.Settings) { s.NotifyRecovery = !s.NotifyRecovery })
	case menu.ActionToggleQuietHours:
		a.updateSettings(ctx, func(s *settings.Settings) { s.QuietHours.Enabled = !s.QuietHours.Enabled })
	case menu.ActionToggleLaunchAtLogin:
		a.toggleLogin(ctx)
	case menu.ActionCopyReport:
		a.copyReport(ctx)
	case menu.ActionShowHistory:
		a.showHistory(ctx)
	}
	return false
}

// tomorrowMorning is 08:00 on the next day, in local time.
func tomorrowMorning(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 8, 0, 0, 0, now.Location())
}

func (a *Agent) open(ctx context.Context, url string) {
	if a.d.Open == nil || url == "" {
		return
	}
	a.wg.Go(func() {
		if err := a.d.Open(ctx, url); err != nil {
			a.log.Warn("open URL failed", "url", url, "err", err)
		}
	})
}

// showHistory writes the HTML report with the history (redacted, into the
// state folder) and opens it in the browser through Open, on a worker:
// reading a month of history takes a moment, and the menu must not wait.
// A failure is logged; there is nothing for the user to act on.
func (a *Agent) showHistory(ctx context.Context) {
	if a.d.Reporter == nil || a.d.Open == nil || a.last == nil {
		return
	}
	doc := a.last
	a.wg.Go(func() {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		path, err := a.d.Reporter.HistoryPage(cctx, doc)
		// The page takes some 6 MB at its peak (a month of history read a
		// day at a time, four charts drawn): hand it back at once, as after
		// a cycle, so the agent's RSS returns to its budget.
		releaseMemory()
		if err == nil {
			err = a.d.Open(cctx, path)
		}
		if err != nil {
			a.log.Warn("show history", "err", err)
			return
		}
		a.log.Info("show history", "page", path)
	})
}

func (a *Agent) loadSettings() {
	a.set = settings.Default()
	if a.d.Settings == nil {
		return
	}
	s, err := a.d.Settings.Load()
	if err != nil {
		// Load already kept a corrupt file aside; the defaults stand.
		a.log.Warn("settings", "err", err)
	}
	a.set = s
}

// updateSettings changes the settings, saves them and lets the alert policy
// deliver what a resume or an end of quiet hours releases.
func (a *Agent) updateSettings(ctx context.Context, change func(*settings.Settings)) {
	change(&a.set)
	if a.d.Settings != nil {
		if err := a.d.Settings.Save(a.set); err != nil {
			a.log.Warn("settings not saved", "err", err)
		}
	}
	a.notify(ctx, a.policy.Tick(a.d.Now(), a.alertSettings()))
}

// alertSettings is the alert policy's view of the user's settings.
func (a *Agent) alertSettings() alert.Settings {
	s := alert.Settings{
		Enabled:        a.set.NotificationsEnabled,
		PausedUntil:    a.set.PausedUntil,
		NotifyRecovery: a.set.NotifyRecovery,
	}
	if start, end, err := a.set.QuietHours.Offsets(); err == nil {
		s.Quiet = alert.QuietHours{Enabled: a.set.QuietHours.Enabled, Start: start, End: end}
	}
	return s
}

// loginDone is the answer of a LoginItem call, reported by its worker.
type loginDone struct {
	on  bool // the state read, or the state asked for by a toggle
	set bool // a toggle (SetEnabled), not the start-up read (Enabled)
	err error
}

// readLogin asks on a worker whether Launch at Login is on; the menu row
// stays unavailable until the answer is in (and if it is an error).
func (a *Agent) readLogin(ctx context.Context) {
	if a.d.LoginItem == nil {
		return
	}
	a.loginBusy = true
	spawn(ctx, a, a.logins, func() loginDone {
		on, err := a.d.LoginItem.Enabled(ctx)
		return loginDone{on: on, err: err}
	})
}

// toggleLogin turns Launch at Login over on a worker. Until the answer is
// in the menu shows the state asked for, and further clicks are ignored.
func (a *Agent) toggleLogin(ctx context.Context) {
	if a.d.LoginItem == nil || a.loginOn == nil || a.loginBusy {
		return
	}
	want := !*a.loginOn
	a.loginBusy, a.loginWant = true, &want
	spawn(ctx, a, a.logins, func() loginDone {
		return loginDone{on: want, set: true, err: a.d.LoginItem.SetEnabled(ctx, want)}
	})
}

// finishLogin takes a LoginItem answer: on failure the state stays as it
// was (the menu goes back to it).
func (a *Agent) finishLogin(l loginDone) {
	a.loginBusy, a.loginWant = false, nil
	switch {
	case l.err != nil && l.set:
		a.log.Warn("launch at login", "want", l.on, "err", l.err)
	case l.err != nil:
		a.log.Debug("launch at login", "state", "unknown", "err", l.err)
	case l.set:
		a.loginOn = &l.on
		a.log.Info("launch at login", "on", l.on)
	default:
		a.loginOn = &l.on
		a.log.Debug("launch at login", "on", l.on)
	}
}

// launchAtLogin is the state the menu shows: the one asked for while a
// toggle is in flight.
func (a *Agent) launchAtLogin() *bool {
	if a.loginWant != nil {
		return a.loginWant
	}
	return a.loginOn
}
