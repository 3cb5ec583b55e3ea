package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/idpulse/idpulse/agent/alert"
	"github.com/idpulse/idpulse/agent/fixes"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/schedule"
	"github.com/idpulse/idpulse/agent/verdict"
)

// Fixer carries out one-click fixes (agent/fixes in the real agent).
type Fixer interface {
	// List is every fix available on this system, for the "All fixes" menu.
	List() []menu.Fix
	// Run applies fix id; doc is the check it answers (for its arguments:
	// the portal URL, the VPN service, the hosts lines). The outcome is a
	// short past-tense sentence ("DNS cache flushed").
	Run(ctx context.Context, id string, doc *verdict.Document) (outcome string, err error)
	// Record keeps the attempt, with the verdict of the check after it,
	// for the diagnostic report's "steps tried".
	Record(id, outcome string, err error, verdictAfter string)
}

// Reporter copies the diagnostic report to the clipboard; the string says
// where it went ("copied to the clipboard", or a file path).
type Reporter interface {
	Copy(ctx context.Context, doc *verdict.Document) (string, error)
	// HistoryPage writes the HTML report of doc with the history and
	// returns the file's absolute path (Show History…).
	HistoryPage(ctx context.Context, doc *verdict.Document) (string, error)
}

// fixDone is a finished fix, reported by its worker.
type fixDone struct {
	id      string
	outcome string
	err     error
	// wasDown is whether the check the fix answered was not ok: only then
	// can the check after say Apple ID is reachable "again".
	wasDown bool
}

func (a *Agent) allFixes() []menu.Fix {
	if a.d.Fixer == nil {
		return nil
	}
	return a.d.Fixer.List()
}

// runFix applies a fix on a worker goroutine; the menu shows it running and
// stays usable. A second fix while one runs is refused.
func (a *Agent) runFix(ctx context.Context, id string) {
	if a.d.Fixer == nil || a.runningFix != "" {
		return
	}
	a.runningFix = id
	doc := a.last
	wasDown := doc != nil && doc.Verdict.Level != verdict.LevelOK
	spawn(ctx, a, a.fixes, func() fixDone {
		out, err := a.d.Fixer.Run(ctx, id, doc)
		return fixDone{id: id, outcome: out, err: err, wasDown: wasDown}
	})
}

// finishFix records the attempt and checks again at once; the outcome is
// announced when that check is in (closing the loop).
func (a *Agent) finishFix(ctx context.Context, f fixDone) {
	a.runningFix = ""
	a.log.Info("fix", "id", f.id, "outcome", f.outcome, "err", f.err)
	if f.err != nil {
		a.d.Fixer.Record(f.id, "", f.err, "")
		if errors.Is(f.err, context.Canceled) || errors.Is(f.err, fixes.ErrCancelled) {
			return // the user dismissed the password prompt: nothing to say
		}
		title := menu.DefaultFixTitle(f.id)
		a.notify(ctx, []alert.Notification{{Kind: alert.KindFix, Title: title + " did not work", Body: f.err.Error(), Fix: f.id}})
		return
	}
	a.fixPending = &f
	a.sched.Trigger(schedule.ReasonCheckNow, a.d.Now())
}

// fixOutcome announces how the check after a fix came out.
func (a *Agent) fixOutcome(doc verdict.Document) []alert.Notification {
	f := a.fixPending
	a.fixPending = nil
	if f == nil {
		return nil
	}
	a.d.Fixer.Record(f.id, f.outcome, nil, string(doc.Verdict.Code))
	v := doc.Verdict
	n := alert.Notification{Kind: alert.KindFix, Fix: f.id, Title: f.outcome}
	switch {
	case v.Level == verdict.LevelOK && f.wasDown:
		n.Body = f.outcome + " — Apple ID is reachable again."
	case v.Level == verdict.LevelOK:
		n.Body = f.outcome + ". Apple ID is reachable."
	default:
		next := ""
		if len(v.Fixes) > 0 {
			next = fmt.Sprintf(" Next try: %s.", menu.DefaultFixTitle(v.Fixes[0]))
		}
		n.Body = "Still failing: " + v.Headline + "." + next
	}
	return []alert.Notification{n}
}

// reportDone is a copied report, reported by its worker.
type reportDone struct {
	where string
	err   error
}

func (a *Agent) copyReport(ctx context.Context) {
	if a.d.Reporter == nil {
		return
	}
	doc := a.last
	spawn(ctx, a, a.reports, func() reportDone {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		where, err := a.d.Reporter.Copy(cctx, doc)
		return reportDone{where: where, err: err}
	})
}

func (a *Agent) finishReport(ctx context.Context, r reportDone) {
	if r.err != nil {
		a.log.Warn("diagnostic report", "err", r.err)
		return
	}
	a.log.Info("diagnostic report", "where", r.where)
	a.notify(ctx, []alert.Notification{{Kind: alert.KindReport, Title: "Diagnostic report ready", Body: "The idpulse report was " + r.where + "."}})
}
