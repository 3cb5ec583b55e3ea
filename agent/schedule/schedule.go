// Package schedule decides when the agent's next check cycle runs and whether
// it also polls Apple's System Status feed. It is pure bookkeeping: the agent
// loop tells it what happened (a cycle ran, the network changed, the Mac woke)
// and asks when to run next; it never sleeps, starts timers or reads a clock,
// so every decision is tested with made-up times.
package schedule

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Config is the cadence of checks. Every period is at least a second: the
// probes take that long anyway, and a sub-second period is a typo that would
// turn the agent into a busy loop on someone's laptop battery.
type Config struct {
	Interval     time.Duration // local probes
	FeedInterval time.Duration // Apple System Status feed
	// Recheck is the period while the verdict is not ok, so a problem is
	// confirmed (or found to be a blip) in seconds rather than a minute, and
	// its end is seen, notified and recorded within about Recheck of
	// happening (see FastFor).
	Recheck time.Duration
	// Jitter is the ±fraction applied to Interval and FeedInterval so a fleet
	// of Macs woken by the same event does not hit Apple in lockstep. Recheck
	// is not jittered: it only runs while this Mac sees a problem, which is
	// not synchronised across a fleet, and ±10% of 15s would blur the short
	// confirmation period for nothing.
	Jitter float64
	// FeedAfterStart leaves the feed out of the first cycle after start-up:
	// it rides with the second, Interval±Jitter later (54-66 s by default),
	// or Recheck later when the first verdict is not ok. A fleet's Macs start
	// together (a login at nine, a restart after an update) and would
	// otherwise all poll Apple in the same second, as Nudge's users found
	// with SOFA; the jitter spreads them, and no cycle is added for it.
	FeedAfterStart bool
	// Debounce coalesces network changes: a Wi-Fi roam emits several in a
	// second, and probing in the middle of one reports a false outage.
	Debounce time.Duration
	// WakeGap is how far the wall clock may run ahead of the monotonic clock
	// before that counts as the machine having slept (see WakeDetector).
	WakeGap time.Duration
	// FastFor is how long into an incident (consecutive non-ok cycles,
	// whatever their codes) the agent keeps rechecking every Recheck. After
	// that the period grows with the incident's age, Recheck×age/FastFor,
	// until it reaches Interval: most outages end within minutes and their
	// end should be seen at once, while a Mac offline all afternoon should
	// not keep its radio busy every 15 s. With the defaults that is 15 s for
	// the first 10 minutes, 30 s at 20 minutes and the 60 s interval from 40
	// minutes on.
	FastFor time.Duration
}

// DefaultConfig is the cadence when nothing is configured.
func DefaultConfig() Config {
	return Config{
		Interval:       60 * time.Second,
		FeedInterval:   5 * time.Minute,
		Recheck:        15 * time.Second,
		Jitter:         0.10,
		FeedAfterStart: true,
		Debounce:       2 * time.Second,
		WakeGap:        5 * time.Second,
		FastFor:        10 * time.Minute,
	}
}

// MaxJitter bounds Config.Jitter: beyond ±50% the interval stops meaning anything.
const MaxJitter = 0.5

// Validate reports the first invalid field, named as in the configuration file.
func (c Config) Validate() error {
	for _, f := range []struct {
		key string
		d   time.Duration
	}{
		{"interval", c.Interval}, {"feed_interval", c.FeedInterval}, {"recheck", c.Recheck},
		{"debounce", c.Debounce}, {"wake_gap", c.WakeGap}, {"fast_for", c.FastFor},
	} {
		if f.d < time.Second {
			return fmt.Errorf("%s: must be at least 1s, got %s", f.key, f.d)
		}
	}
	switch {
	case c.Recheck > c.Interval:
		return fmt.Errorf("recheck: %s is longer than interval %s", c.Recheck, c.Interval)
	case math.IsNaN(c.Jitter) || c.Jitter < 0 || c.Jitter > MaxJitter:
		return fmt.Errorf("jitter: %v is not between 0 and %v", c.Jitter, MaxJitter)
	}
	return nil
}

// Reason says why a cycle runs; the agent logs it and shows it in the menu.
type Reason string

const (
	ReasonStart    Reason = "start"     // first cycle after launch
	ReasonTimer    Reason = "timer"     // the regular Interval
	ReasonRecheck  Reason = "recheck"   // confirming a non-ok verdict
	ReasonWake     Reason = "wake"      // the Mac woke from sleep
	ReasonNetwork  Reason = "network"   // the network configuration changed
	ReasonCheckNow Reason = "check-now" // the user asked
	ReasonFeed     Reason = "feed"      // brought forward because the feed is due
)

// CheckNowFeedMin is how stale the feed must be before Check Now polls it
// again. The user pressing Check Now wants fresh news from Apple too, but a
// user pressing it five times in a row must not become five feed requests.
const CheckNowFeedMin = time.Minute

// burstCap bounds debouncing: a network that keeps flapping still gets
// checked within burstCap×Debounce of its first change.
const burstCap = 5

// slot is one reason to run a cycle: when, and whether it wants the feed.
type slot struct {
	due  time.Time
	feed bool
	set  bool
}

// Scheduler answers "when is the next cycle" from what has happened so far.
// It is not safe for concurrent use; the agent loop owns it.
type Scheduler struct {
	cfg    Config
	random func() float64

	ran bool
	// latest is the latest time the loop told us about (Ran or Trigger): a
	// cycle cannot start before it, so everything due by then runs together.
	latest time.Time

	lastFeed   time.Time     // start of the last cycle that polled the feed
	feedPeriod time.Duration // jittered FeedInterval drawn at that poll

	// incidentStart is the start of the first of the current run of non-ok
	// cycles; zero while the verdict is ok.
	incidentStart time.Time

	// The regular plan, drawn once per finished cycle so Next is idempotent.
	local    slot
	localWhy Reason
	feed     slot // set when the feed is due before the next regular cycle

	// Early cycles asked for by Trigger.
	checkNow, wake, network slot
	burstStart              time.Time // first change of the current network burst
}

// New returns a scheduler for cfg, which must pass Validate (the agent
// validates its configuration at load; New panics otherwise, as that is a
// programming error). random returns values in [0,1) for the jitter; nil
// means math/rand/v2's Float64. Tests pass a fixed sequence.
func New(cfg Config, random func() float64) *Scheduler {
	if err := cfg.Validate(); err != nil {
		panic("schedule.New: " + err.Error())
	}
	if random == nil {
		random = rand.Float64
	}
	return &Scheduler{cfg: cfg, random: random}
}

// Next says when the next cycle is due, whether it should also poll the
// feed, and why. A due time in the past (or the zero time) means "now". Next
// only reads state, so the loop may call it as often as it likes.
//
// When several reasons apply, due is the earliest; withFeed and why take
// into account every reason due by the time the cycle can actually start
// (the later of due and the last time the loop reported), so a wake that
// arrives after an overdue timer still polls the feed and reads as "wake".
func (s *Scheduler) Next() (due time.Time, withFeed bool, why Reason) {
	if !s.ran {
		return time.Time{}, !s.cfg.FeedAfterStart, ReasonStart
	}
	// Priority order for why: what the user or the system asked for first,
	// then the regular plan, and "feed" only when the feed alone brought the
	// cycle forward.
	cands := []struct {
		slot
		why Reason
	}{
		{s.checkNow, ReasonCheckNow}, {s.wake, ReasonWake}, {s.network, ReasonNetwork},
		{s.local, s.localWhy}, {s.feed, ReasonFeed},
	}
	first := true
	for _, c := range cands {
		if c.set && (first || c.due.Before(due)) {
			due, first = c.due, false
		}
	}
	horizon := due
	if s.latest.After(horizon) {
		horizon = s.latest
	}
	for _, c := range cands {
		if !c.set || c.due.After(horizon) {
			continue
		}
		withFeed = withFeed || c.feed
		if why == "" {
			why = c.why
		}
	}
	return due, withFeed, why
}

// Ran records a finished cycle that started at at. withFeed says the cycle
// took its feed turn: pass the withFeed Next returned even when the feed is
// disabled or the poll failed, so a broken feed is retried after
// FeedInterval rather than on every cycle. ok says the verdict was ok; the
// code does not matter, as an incident lasts while the verdict is not ok
// whatever it is called (a "dns_filtered" that turns into "offline" is one
// outage to the person waiting for it to end).
func (s *Scheduler) Ran(at time.Time, withFeed bool, ok bool) {
	s.ran = true
	s.see(at)

	// Requests due by the time the cycle started are answered by it; one due
	// later (a network change during the cycle, still settling) still runs.
	for _, sl := range []*slot{&s.checkNow, &s.wake, &s.network} {
		if sl.set && !sl.due.After(at) {
			*sl = slot{}
		}
	}
	if !s.network.set {
		s.burstStart = time.Time{}
	}

	if withFeed {
		s.lastFeed = at
		s.feedPeriod = s.jittered(s.cfg.FeedInterval)
	}

	switch {
	case ok:
		s.incidentStart = time.Time{}
	case s.incidentStart.IsZero():
		s.incidentStart = at
	}

	if p, fast := s.recheckPeriod(at); fast {
		s.local = slot{due: at.Add(p), set: true}
		s.localWhy = ReasonRecheck
	} else {
		s.local = slot{due: at.Add(s.jittered(s.cfg.Interval)), set: true}
		s.localWhy = ReasonTimer
	}

	s.feed = slot{}
	feedDue := s.lastFeed.Add(s.feedPeriod) // zero lastFeed: overdue
	switch {
	case !feedDue.After(at):
		// Overdue: the loop did not poll the feed when offered. Ride along
		// with the next regular cycle instead of scheduling one right away,
		// which with a loop that never polls would spin.
		s.local.feed = true
	case !feedDue.After(s.local.due):
		// Due before the next regular cycle: bring that cycle forward, but
		// not closer than Recheck to this one (two cycles seconds apart
		// would each see half a network change).
		d := feedDue
		if early := at.Add(s.cfg.Recheck); d.Before(early) {
			d = early
		}
		if d.After(s.local.due) {
			d = s.local.due
		}
		s.feed = slot{due: d, feed: true, set: true}
	}
}

// IncidentSince is when the first cycle of the ongoing incident started: the
// first of the latest run of cycles that were not ok. Zero when the last
// cycle was ok or none has run.
func (s *Scheduler) IncidentSince() time.Time { return s.incidentStart }

// recheckPeriod is the period after a cycle started at at while an incident
// is ongoing, and false when there is none or it has backed off to Interval
// (see Config.FastFor). The period is not jittered, like Recheck.
func (s *Scheduler) recheckPeriod(at time.Time) (time.Duration, bool) {
	if s.incidentStart.IsZero() {
		return 0, false
	}
	age := at.Sub(s.incidentStart)
	if age <= s.cfg.FastFor {
		return s.cfg.Recheck, true
	}
	// Recheck×age/FastFor in floating point: age can be days and the
	// integer product would overflow.
	p := time.Duration(float64(s.cfg.Recheck) * (float64(age) / float64(s.cfg.FastFor))).Round(time.Second)
	if p >= s.cfg.Interval {
		return 0, false
	}
	return p, true
}

// Trigger asks for an early cycle at now:
//   - ReasonCheckNow: due now; with the feed when it was last polled at least
//     CheckNowFeedMin ago (or never).
//   - ReasonWake: due now, with the feed (hours may have passed).
//   - ReasonNetwork: due now+Debounce; every later change in the same burst
//     pushes that back to its own now+Debounce, but never past
//     5×Debounce after the burst's first change. The network's state says
//     nothing about Apple's, so it does not poll the feed by itself.
//
// Other reasons are not requests and are ignored. A trigger before the first
// cycle is answered by that cycle if it is due by the time the cycle starts.
func (s *Scheduler) Trigger(r Reason, now time.Time) {
	switch r {
	case ReasonCheckNow:
		feed := s.lastFeed.IsZero() || now.Sub(s.lastFeed) >= CheckNowFeedMin
		s.checkNow = earliest(s.checkNow, slot{due: now, feed: feed, set: true})
	case ReasonWake:
		s.wake = earliest(s.wake, slot{due: now, feed: true, set: true})
	case ReasonNetwork:
		due := now.Add(s.cfg.Debounce)
		if !s.network.set {
			s.burstStart = now
		} else {
			if s.network.due.After(due) { // the clock went backwards: keep the later time
				due = s.network.due
			}
			if limit := s.burstStart.Add(burstCap * s.cfg.Debounce); due.After(limit) {
				due = limit
			}
		}
		s.network = slot{due: due, set: true}
	default:
		return
	}
	s.see(now)
}

func (s *Scheduler) see(t time.Time) {
	if t.After(s.latest) {
		s.latest = t
	}
}

// earliest merges two requests of the same kind: the earlier time wins and
// the feed is polled if either wanted it.
func earliest(a, b slot) slot {
	if !a.set {
		return b
	}
	if b.due.Before(a.due) {
		a.due = b.due
	}
	a.feed = a.feed || b.feed
	return a
}

// jittered draws d±Jitter, rounded to the second (the periods are shown in
// logs, and sub-second precision is noise there) and never below a second.
func (s *Scheduler) jittered(d time.Duration) time.Duration {
	r := s.random()
	if !(r >= 0 && r < 1) { // also catches NaN from a broken source
		r = 0.5
	}
	p := time.Duration(float64(d) * (1 + s.cfg.Jitter*(2*r-1))).Round(time.Second)
	return max(p, time.Second)
}
