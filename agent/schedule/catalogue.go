package schedule

import "time"

// Catalogue decides which cycles check Apple's whole host catalogue (about
// sixty host:port pairs, see probes/catalog) instead of the default sample of
// one or two hosts per service. The sample keeps a cycle cheap; the whole
// catalogue says which hosts of a failing service fail, and finds a blocked
// host the sample does not include. Like Scheduler it never reads a clock.
//
// The rules:
//   - A cycle whose sample found a service failing is followed by a full
//     check, unless one ran within the last Retry: a fault that persists
//     for hours must not turn every recheck into sixty connections.
//   - Otherwise a full check runs once Every has passed since the last one
//     (or since the agent started), so unsampled hosts are looked at too.
//
// Check Now keeps to these rules: it is the user waiting for an answer, and
// the sample answers sooner.
type Catalogue struct {
	Every time.Duration
	Retry time.Duration

	started  time.Time
	lastFull time.Time // zero: none yet
}

// DefaultCatalogue is the agent's cadence for full checks.
func DefaultCatalogue() Catalogue {
	return Catalogue{Every: 6 * time.Hour, Retry: time.Hour}
}

// Started records the agent's start: the first periodic full check comes
// Every after it, not at once (the first verdict should be quick).
func (c *Catalogue) Started(now time.Time) { c.started = now }

// Full reports whether the cycle starting at now checks the whole catalogue;
// sampleFailed is whether the last cycle's sample found an Apple service
// failing. A true answer counts as a full check at now.
func (c *Catalogue) Full(now time.Time, sampleFailed bool) bool {
	retry := c.lastFull.IsZero() || now.Sub(c.lastFull) >= c.Retry
	since := c.started
	if c.lastFull.After(since) {
		since = c.lastFull
	}
	full := (sampleFailed && retry) || now.Sub(since) >= c.Every
	if full {
		c.lastFull = now
	}
	return full
}
