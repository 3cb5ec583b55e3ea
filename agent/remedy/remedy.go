// Package remedy carries out fixes for both faces of idpulse, the menu bar
// agent and `idpulse fix`: it plans a fix against the latest check, applies
// it, and records the attempt so the diagnostic report can list the steps
// tried with their times and outcomes.
package remedy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/idpulse/idpulse/agent/fixes"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/verdict"
)

// Service plans, applies and records fixes.
type Service struct {
	Exec fixes.Executor
	// HostsPath and AppleDomains come from the configuration.
	HostsPath    string
	AppleDomains []string
	// Self is the idpulse binary, re-run with admin rights for the hosts edit.
	Self string
	// Attempts records every attempt; a zero Path records nothing.
	Attempts history.Log[history.Attempt]
	// LookPath is injected for tests; nil means os.Stat.
	LookPath func(abs string) bool
	Now      func() time.Time
	Logger   *slog.Logger
}

// Context is the planning context for doc.
func (s Service) Context(doc *verdict.Document) fixes.Context {
	goos := s.Exec.GOOS
	if goos == "" {
		goos = runtime.GOOS
	}
	return fixes.Context{
		GOOS:         goos,
		MacOSMajor:   fixes.MacOSMajor(doc),
		Doc:          doc,
		HostsPath:    s.HostsPath,
		AppleDomains: s.AppleDomains,
		Self:         s.Self,
		LookPath:     s.LookPath,
	}
}

// Plan plans fix id for doc.
func (s Service) Plan(id string, doc *verdict.Document) (fixes.Fix, fixes.Plan, error) {
	f, ok := fixes.Lookup(id)
	if !ok {
		return fixes.Fix{}, fixes.Plan{}, fmt.Errorf("unknown fix %q", id)
	}
	p, err := f.Plan(s.Context(doc))
	return f, p, err
}

// List is every fix available on this system, for the "All fixes" menu.
func (s Service) List() []menu.Fix {
	var out []menu.Fix
	ctx := s.Context(nil)
	for _, f := range fixes.Registry() {
		// copy-report and the status page have rows of their own.
		if f.ID == fixes.FixCopyReport || f.ID == verdict.FixOpenSystemStatus {
			continue
		}
		if p, err := f.Plan(ctx); err == nil && (p.Available || needsEvidence(f.ID)) {
			out = append(out, menu.Fix{ID: f.ID, Title: f.Title})
		}
	}
	return out
}

// needsEvidence are fixes that are unavailable without a check to plan from
// but become available with one (the VPN to stop, the portal to open).
func needsEvidence(id string) bool {
	return id == verdict.FixDisconnectVPN || id == verdict.FixOpenCaptivePortal
}

// Run plans and applies fix id against doc. The attempt is not recorded
// yet: the caller checks again and calls Record with the verdict after.
func (s Service) Run(ctx context.Context, id string, doc *verdict.Document) (string, error) {
	_, p, err := s.Plan(id, doc)
	if err != nil {
		return "", err
	}
	return s.Exec.Apply(ctx, p)
}

// Record appends an attempt to the history.
func (s Service) Record(id, outcome string, err error, verdictAfter string) {
	if s.Attempts.Path == "" {
		return
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	a := history.Attempt{At: now().UTC(), Fix: id, Outcome: outcome, VerdictAfter: verdictAfter}
	if errors.Is(err, fixes.ErrCancelled) {
		a.Cancelled = true
	} else if err != nil {
		a.Error = err.Error()
	}
	if err := s.Attempts.Append(a); err != nil && s.Logger != nil {
		s.Logger.Warn("attempt not recorded", "err", err)
	}
}
