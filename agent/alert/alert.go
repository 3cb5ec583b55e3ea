// Package alert decides which verdict changes become desktop notifications.
// The menu bar icon always shows the live verdict; a notification interrupts
// the user, so it is reserved for a problem that holds, a change they should
// act on, and (if they asked) the all-clear. Everything else — blips, the
// seconds after wake, being offline, flapping, quiet hours — stays quiet.
//
// The Policy is a pure state machine driven by the agent loop: Observe after
// every cycle, Tick when NextTick says. No goroutines, timers or clock reads.
//
// The rules, each implemented and tested as stated:
//
//  1. Raise after RaiseAfter: a problem is announced once RaiseAfter
//     consecutive checks are not ok (the code may change between them; the
//     latest is announced). Recovery needs a single ok check.
//  2. No all-clear for a blip: "recovered" only follows an announced problem,
//     and only with Settings.NotifyRecovery. It says how long the problem
//     lasted: from the first check that was not ok to the ok check that
//     ended it.
//  3. Wake grace: nothing is announced for WakeGrace after Woke. Checks still
//     count, and whatever is still due when grace ends is announced then.
//  4. Offline is not notified (macOS already says so) and holds Apple alerts.
//     An outage long enough to have been announced (RaiseAfter checks, outside
//     wake grace) ends with one "back-online" notification if Apple ID is then
//     reachable; if another problem follows, that problem is announced instead,
//     after its own RaiseAfter checks.
//  5. Cause change: while a problem is announced, a different cause is
//     announced once ("cause-changed") when it has held for RaiseAfter
//     consecutive checks; the cause already announced is never repeated.
//  6. Rate limit: at most PerCause notifications per cause in any Window, then
//     one "unstable" notification, then silence for that cause until the
//     window frees up. A suppressed change is not forgotten: it is told once
//     the window allows, if it still holds.
//  7. Disabled means nothing, ever: not during, not replayed after (only a
//     problem still current is announced once enabled). Paused or quiet hours:
//     notifications are held and, when the hold ends, replaced by one
//     "summary" of what happened and the current state.
//  8. Words: the title names the state, the body the cause and the fix; no
//     control characters, bodies at most MaxBody characters.
package alert

import (
	"fmt"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
)

// Config tunes how eager the policy is.
type Config struct {
	// RaiseAfter is how many consecutive non-ok checks announce a problem:
	// one failed check is too often a roaming Wi-Fi or a slow resolver.
	RaiseAfter int
	// WakeGrace mutes alerts after a wake while Wi-Fi reassociates and DHCP
	// renews; the first checks after a wake routinely fail.
	WakeGrace time.Duration
	// PerCause notifications per cause per Window, before "unstable".
	PerCause int
	Window   time.Duration
}

// DefaultConfig is the policy when nothing is configured.
func DefaultConfig() Config {
	return Config{RaiseAfter: 2, WakeGrace: 20 * time.Second, PerCause: 3, Window: time.Hour}
}

// Validate reports the first invalid field, named as in the configuration file.
func (c Config) Validate() error {
	switch {
	case c.RaiseAfter < 1:
		return fmt.Errorf("raise_after: must be at least 1, got %d", c.RaiseAfter)
	case c.WakeGrace < 0:
		return fmt.Errorf("wake_grace: must not be negative, got %s", c.WakeGrace)
	case c.PerCause < 1:
		return fmt.Errorf("per_cause: must be at least 1, got %d", c.PerCause)
	case c.Window < time.Second:
		return fmt.Errorf("window: must be at least 1s, got %s", c.Window)
	}
	return nil
}

// Settings are the user's notification choices from the menu; they may change
// between any two calls.
type Settings struct {
	Enabled        bool
	PausedUntil    time.Time // zero = not paused
	NotifyRecovery bool
	Quiet          QuietHours
}

// QuietHours is a daily window without notifications.
type QuietHours struct {
	Enabled bool
	// Start and End are times of day as offsets from local midnight (22h and
	// 7h); End before Start wraps midnight. Start == End is an empty window.
	Start, End time.Duration
}

// Validate rejects times that are not a time of day.
func (q QuietHours) Validate() error {
	for _, f := range []struct {
		key string
		d   time.Duration
	}{{"quiet_hours.start", q.Start}, {"quiet_hours.end", q.End}} {
		if f.d < 0 || f.d >= 24*time.Hour {
			return fmt.Errorf("%s: %s is not a time of day (0s to 23h59m)", f.key, f.d)
		}
	}
	return nil
}

// Contains reports whether t falls in the quiet hours, reading t's clock in
// t's location. The time of day is the clock reading, not the time elapsed
// since midnight, so "22:00" means 22:00 on DST change days too.
func (q QuietHours) Contains(t time.Time) bool {
	if !q.Enabled {
		return false
	}
	s, e, now := timeOfDay(q.Start), timeOfDay(q.End), clock(t)
	switch {
	case s < e:
		return s <= now && now < e
	case s > e: // wraps midnight
		return now >= s || now < e
	}
	return false
}

// end is the first time after t that the quiet hours end.
func (q QuietHours) end(t time.Time) time.Time {
	e := timeOfDay(q.End)
	y, m, d := t.Date()
	// time.Date normalises an end inside a DST gap to just after it.
	h, mi, sec, ns := int(e/time.Hour), int(e%time.Hour/time.Minute), int(e%time.Minute/time.Second), int(e%time.Second)
	end := time.Date(y, m, d, h, mi, sec, ns, t.Location())
	if !end.After(t) {
		end = time.Date(y, m, d+1, h, mi, sec, ns, t.Location())
	}
	return end
}

func timeOfDay(d time.Duration) time.Duration {
	d %= 24 * time.Hour
	if d < 0 {
		d += 24 * time.Hour
	}
	return d
}

func clock(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// Observation is one cycle's verdict, in the words notifications use.
type Observation struct {
	At       time.Time
	Level    verdict.Level // ok, degraded or down
	Code     verdict.Code  // verdict.CodeOffline is never notified (rule 4)
	Headline string        // "This network's DNS blocks Apple's servers"
	Reason   string        // short root cause for a body: "your clock is 7 min slow"
	Fix      string        // title of the first fix, "Sync Clock"; "" if none
	// Machine is what the texts call this machine (verdict.Machine of the
	// check's results): "Mac", or "computer" off macOS; "" is a Mac.
	Machine string
}

// Kind is what a notification is about.
type Kind string

const (
	KindProblem      Kind = "problem"
	KindCauseChanged Kind = "cause-changed"
	KindRecovered    Kind = "recovered"
	KindBackOnline   Kind = "back-online"
	KindUnstable     Kind = "unstable"
	KindSummary      Kind = "summary"

	// The agent sends these itself, outside the policy: a new event in
	// Apple's feed, the outcome of a one-click fix, the report copied.
	KindAppleEvent Kind = "apple-event"
	KindFix        Kind = "fix"
	KindReport     Kind = "report"
)

// Notification is one desktop notification. Code is the cause it is about
// (for a recovery, the cause that cleared; for back-online, "offline"); a
// summary covers a period, not a cause, and has no Code. A KindFix
// notification is about a fix, named by Fix, not about a cause.
type Notification struct {
	Kind  Kind
	Title string
	Body  string
	Code  verdict.Code
	Fix   string
}

// MaxBody and MaxTitle bound notification texts, in characters: macOS
// truncates longer ones mid-word anyway.
const (
	MaxBody  = 200
	MaxTitle = 64
)

// Policy is the notification state machine. It is not safe for concurrent
// use; the agent loop owns it.
type Policy struct {
	cfg Config

	seen bool
	last Observation
	// streak counts consecutive checks that were neither ok nor offline;
	// same counts consecutive checks with last.Code.
	streak, same int

	// The current (or last) offline episode.
	offlineSince time.Time
	offlineN     int
	offlineLong  bool          // lasted RaiseAfter checks outside wake grace
	backOnline   bool          // an outage ended and has not been told yet
	offlineFor   time.Duration // how long that outage lasted

	// The current (or last) incident: consecutive checks that were not ok,
	// offline included, whatever their codes. troubleFor is how long the
	// last one lasted, from its first check to the ok check that ended it,
	// for the "recovered" notification.
	troubleSince time.Time
	troubleFor   time.Duration

	// announced is what the user was last told is wrong; zero Code: nothing.
	announced Observation

	graceUntil time.Time
	budgets    map[verdict.Code]*budget
	held       heldLog
}

// New returns a policy for cfg, which must pass Validate (New panics
// otherwise: the agent validates its configuration at load).
func New(cfg Config) *Policy {
	if err := cfg.Validate(); err != nil {
		panic("alert.New: " + err.Error())
	}
	return &Policy{cfg: cfg, budgets: map[verdict.Code]*budget{}}
}

// Woke starts the wake grace period (rule 3).
func (p *Policy) Woke(at time.Time) {
	if end := at.Add(p.cfg.WakeGrace); end.After(p.graceUntil) {
		p.graceUntil = end
	}
}

// Announced is the code of the problem the user currently believes in: ""
// when none was announced or it has been cleared.
func (p *Policy) Announced() verdict.Code { return p.announced.Code }

// Observe records one cycle's verdict and returns what to notify now.
func (p *Policy) Observe(o Observation, s Settings) []Notification {
	p.record(o)
	return p.step(o.At, s)
}

// Tick returns what became deliverable without a new check: the summary at
// the end of a pause or quiet hours, an announcement held by wake grace.
func (p *Policy) Tick(now time.Time, s Settings) []Notification {
	if !p.seen {
		return nil
	}
	return p.step(now, s)
}

// NextTick is when Tick will have something to do: the end of the pause,
// quiet hours and wake grace that hold back a notification. Zero when nothing
// is held back by them (a change held by the rate limit is picked up by the
// next Observe).
func (p *Policy) NextTick(now time.Time, s Settings) time.Time {
	if !s.Enabled || !p.seen {
		return time.Time{}
	}
	if _, ok := p.transition(s); !ok && !p.held.any {
		return time.Time{}
	}
	t := now
	// Pause, quiet hours and grace may overlap or abut: move past each until
	// none applies. Three of them, so a few rounds always settle.
	for range 8 {
		moved := false
		if t.Before(s.PausedUntil) {
			t, moved = s.PausedUntil, true
		}
		if s.Quiet.Contains(t) {
			t, moved = s.Quiet.end(t), true
		}
		if t.Before(p.graceUntil) {
			t, moved = p.graceUntil, true
		}
		if !moved {
			break
		}
	}
	if !t.After(now) && !p.held.any {
		return time.Time{} // nothing holds it back: the rate limit does
	}
	return t
}

func (p *Policy) inGrace(t time.Time) bool { return t.Before(p.graceUntil) }

// record folds one observation into the counters.
func (p *Policy) record(o Observation) {
	o = normalize(o)
	wasOffline := p.seen && p.last.Code == verdict.CodeOffline
	switch {
	case o.Level != verdict.LevelOK && p.troubleSince.IsZero():
		p.troubleSince = o.At
	case o.Level == verdict.LevelOK && !p.troubleSince.IsZero():
		p.troubleFor, p.troubleSince = o.At.Sub(p.troubleSince), time.Time{}
	}
	switch {
	case o.Code == verdict.CodeOffline:
		if !wasOffline && !p.backOnline {
			// A new outage. (One that starts again before the previous one
			// was told about continues it: one message for both.)
			p.offlineSince, p.offlineN, p.offlineLong = o.At, 0, false
		}
		p.offlineN++
		if p.offlineN >= p.cfg.RaiseAfter && !p.inGrace(o.At) {
			p.offlineLong = true
		}
		p.streak = 0
	default:
		if wasOffline && p.offlineLong {
			p.backOnline, p.offlineFor = true, o.At.Sub(p.offlineSince)
		}
		if o.Level == verdict.LevelOK {
			p.streak = 0
		} else {
			p.streak++
			if p.streak >= p.cfg.RaiseAfter {
				p.backOnline = false // rule 4: a problem follows; it is what gets told
			}
		}
	}
	if p.seen && p.last.Code == o.Code {
		p.same++
	} else {
		p.same = 1
	}
	if o.Code == p.announced.Code {
		p.announced = o // same cause, fresher words ("8 min slow")
	}
	p.last, p.seen = o, true
}

// normalize fills in what a sloppy caller left out, so that "nothing
// announced" (empty Code) cannot be confused with a problem.
func normalize(o Observation) Observation {
	if o.Level == "" {
		o.Level = verdict.LevelDown
		if o.Code == "" || o.Code == verdict.CodeOK {
			o.Level = verdict.LevelOK
		}
	}
	if o.Level == verdict.LevelOK {
		o.Code = verdict.CodeOK
	} else if o.Code == "" {
		o.Code = "unknown"
	}
	return o
}

// transition is one change of what the user has been told.
type transition struct {
	kind   Kind
	key    verdict.Code  // the cause it is about, for the rate limit
	from   Observation   // announced before
	to     Observation   // announced after; zero Code: nothing
	silent bool          // commit without telling: a recovery the user opted out of
	outage time.Duration // back-online: how long the Mac was offline; recovered: how long the problem lasted
}

// transition is the change the current state calls for, if any (rules 1, 2,
// 4 and 5). It does not look at holds, grace or the rate limit.
func (p *Policy) transition(s Settings) (transition, bool) {
	if !p.seen {
		return transition{}, false
	}
	o, a := p.last, p.announced
	switch {
	case o.Code == verdict.CodeOffline:
		// Rule 4: hold everything while offline.
	case o.Level == verdict.LevelOK:
		// Back-online replaces "recovered": one all-clear per outage. Both
		// are good news the user opted into (or out of) with NotifyRecovery.
		if p.backOnline {
			return transition{kind: KindBackOnline, key: verdict.CodeOffline, from: a, silent: !s.NotifyRecovery, outage: p.offlineFor}, true
		}
		if a.Code != "" {
			return transition{kind: KindRecovered, key: a.Code, from: a, silent: !s.NotifyRecovery, outage: p.troubleFor}, true
		}
	case a.Code == "":
		if p.streak >= p.cfg.RaiseAfter {
			return transition{kind: KindProblem, key: o.Code, from: a, to: o}, true
		}
	case a.Code != o.Code && p.same >= p.cfg.RaiseAfter:
		// The user already knows something is wrong: a new cause must hold
		// as long as a new problem would before it is worth an interruption.
		return transition{kind: KindCauseChanged, key: o.Code, from: a, to: o}, true
	}
	return transition{}, false
}

func (p *Policy) apply(t transition) {
	p.announced = t.to
	if t.kind == KindBackOnline {
		p.backOnline = false
	}
}

// step applies the pending transition as the settings and time allow.
func (p *Policy) step(now time.Time, s Settings) []Notification {
	p.sweep(now)
	t, ok := p.transition(s)
	switch { // the order is the precedence of the rules
	case !s.Enabled:
		// Rule 7: nothing is told, so nothing is announced, and nothing
		// waits to be told later. Once enabled again, a problem that still
		// holds is announced like a new one (and no "recovered" can follow
		// a problem the user never heard of).
		p.announced, p.backOnline, p.held = Observation{}, false, heldLog{}
		return nil
	case now.Before(s.PausedUntil) || s.Quiet.Contains(now):
		if ok {
			p.apply(t)
			if !t.silent {
				during := "During quiet hours"
				if now.Before(s.PausedUntil) {
					during = "While paused"
				}
				p.held.add(t, during)
			}
		}
		return nil
	case p.inGrace(now):
		return nil
	case p.held.any:
		if ok {
			p.apply(t)
			if !t.silent {
				p.held.add(t, "")
			}
		}
		n := p.summary()
		p.held = heldLog{}
		return []Notification{n}
	case !ok:
		return nil
	case t.silent:
		p.apply(t)
		return nil
	}
	switch p.spend(t.key, now) {
	case spendOK:
		n := p.render(t)
		p.apply(t)
		return []Notification{n}
	case spendUnstable:
		// Not applied: once the window frees up, the state then current is
		// told (if it still differs from what the user last heard).
		return []Notification{unstable(t.key)}
	}
	return nil
}

// budget is one cause's rate-limit record (rule 6).
type budget struct {
	sent     []time.Time // notifications within the window
	unstable time.Time   // last "unstable" notification
}

type spendResult int

const (
	spendOK spendResult = iota
	spendUnstable
	spendSilent
)

// inWindow reports whether t still counts at now. Times more than a window
// ahead of now come from a clock that was set back; they no longer count.
func (p *Policy) inWindow(t, now time.Time) bool {
	return !t.IsZero() && now.Sub(t) < p.cfg.Window && t.Sub(now) < p.cfg.Window
}

// sweep drops rate-limit records the window has freed, so the map holds
// only causes seen within the last window.
func (p *Policy) sweep(now time.Time) {
	for key, b := range p.budgets {
		kept := b.sent[:0]
		for _, t := range b.sent {
			if p.inWindow(t, now) {
				kept = append(kept, t)
			}
		}
		b.sent = kept
		if !p.inWindow(b.unstable, now) {
			b.unstable = time.Time{}
		}
		if len(b.sent) == 0 && b.unstable.IsZero() {
			delete(p.budgets, key)
		}
	}
}

func (p *Policy) spend(key verdict.Code, now time.Time) spendResult {
	b := p.budgets[key]
	if b == nil {
		b = &budget{}
		p.budgets[key] = b
	}
	switch {
	case len(b.sent) < p.cfg.PerCause:
		b.sent = append(b.sent, now)
		return spendOK
	case b.unstable.IsZero():
		b.unstable = now
		return spendUnstable
	}
	return spendSilent
}

// heldLog is what a pause or quiet hours held back, for the summary.
type heldLog struct {
	any      bool
	during   string        // "While paused", "During quiet hours"
	problems int           // problems and cause changes
	causes   []string      // their labels, first seen first
	offline  time.Duration // longest outage that ended
}

// maxCauses bounds the summary's list of causes (and the log's memory).
const maxCauses = 3

func (h *heldLog) add(t transition, during string) {
	if !h.any {
		h.during = during
	}
	if h.during == "" { // defensive: the first add always names the hold
		h.during = "Meanwhile"
	}
	h.any = true
	switch t.kind {
	case KindProblem, KindCauseChanged:
		h.problems++
		l := label(string(t.to.Code))
		found := false
		for _, c := range h.causes {
			found = found || c == l
		}
		if !found && len(h.causes) <= maxCauses { // one more than shown: "…" says there were more
			h.causes = append(h.causes, l)
		}
	case KindBackOnline:
		h.offline = max(h.offline, t.outage)
	}
}
