// Package diagnose is one diagnosis, the same for every caller: `idpulse
// check`, `fix` (the check after a fix), `report` and the agent. It runs the
// probe cycle (with Apple's System Status feed when asked), turns the feed
// into the contract's apple_status and evaluates the verdict.
package diagnose

import (
	"context"
	"log/slog"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
)

// Diagnoser runs diagnoses against one configuration and one view of the
// machine.
type Diagnoser struct {
	Config config.Config
	Env    probes.Env
	Logger *slog.Logger
	// Now is the wall clock; nil means time.Now.
	Now func() time.Time
	// Version names idpulse in the User-Agent of Once's feed poll.
	Version string
}

// Cycle is one cycle's raw outcome, before the verdict: what the agent keeps
// between its worker and its loop.
type Cycle struct {
	Started time.Time
	Took    time.Duration
	probes.Cycle
}

// Run runs the probes and, when feed is not nil, polls it inside the same
// deadline.
func (d Diagnoser) Run(ctx context.Context, feed *applestatus.Client) Cycle {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	started := now()
	mono := time.Now()
	c := probes.Checker{Config: d.Config.Check, Env: d.Env, Logger: d.Logger}.Run(ctx, feed)
	return Cycle{Started: started, Took: time.Since(mono), Cycle: c}
}

// AppleStatus is the contract's apple_status for the cycle's feed poll; cached
// is the last good poll, shown with the error when this one failed. Nil when
// the cycle did not poll the feed.
func (d Diagnoser) AppleStatus(c Cycle, cached *applestatus.FetchResult) *verdict.AppleStatus {
	f := c.Feed
	if f == nil {
		return nil
	}
	return verdict.FromFeed(f.Source, f.Result, f.Err, cached, d.Config.AppleStatus.WatchList())
}

// Document evaluates a cycle with apple, the System Status to judge by (this
// cycle's, or an earlier one's when this cycle did not poll the feed).
func Document(c Cycle, apple *verdict.AppleStatus) verdict.Document {
	return verdict.NewDocument(c.Started, c.Took, verdict.Input{Results: c.Results, Apple: apple})
}

// Once is one whole diagnosis, with the feed when the configuration enables it.
func (d Diagnoser) Once(ctx context.Context) verdict.Document {
	var feed *applestatus.Client
	if d.Config.AppleStatus.Enabled {
		feed = &applestatus.Client{URL: d.Config.AppleStatus.URL, UserAgent: applestatus.UserAgent(d.Version)}
	}
	c := d.Run(ctx, feed)
	return Document(c, d.AppleStatus(c, nil))
}
