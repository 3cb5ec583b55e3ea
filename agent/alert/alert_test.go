package alert_test

import (
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // quiet-hours tests need a real zone on any CI machine

	"github.com/idpulse/idpulse/agent/alert"
	"github.com/idpulse/idpulse/agent/verdict"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// fixtures are the verdicts timelines are written with.
var fixtures = map[string]alert.Observation{
	"ok":               {Level: "ok", Code: "ok", Headline: "Apple ID connectivity is healthy"},
	"dns":              {Level: "down", Code: "dns_filtered", Headline: "This network's DNS blocks Apple's servers", Reason: "this network's DNS blocks Apple's servers", Fix: "Flush DNS Cache"},
	"clock":            {Level: "down", Code: "clock_skew", Headline: "This Mac's clock is wrong", Reason: "your clock is 7 min slow", Fix: "Sync Clock"},
	"push":             {Level: "degraded", Code: "push_blocked", Headline: "This network blocks Apple push", Reason: "this network blocks Apple's push service"},
	"offline":          {Level: "down", Code: "offline", Headline: "This Mac is not connected to a network", Reason: "no network"},
	"offline on a Mac": {Level: "down", Code: "offline", Headline: "This Mac is not connected to a network", Reason: "no network", Machine: verdict.MachineMac},
	"offline on Linux": {Level: "down", Code: "offline", Headline: "This computer is not connected to a network", Reason: "no network", Machine: verdict.MachineComputer},
	"outage":           {Level: "down", Code: "apple_outage", Headline: "Apple reports an outage", Reason: "Apple reports an Apple ID outage", Fix: "Open System Status"},
}

func obsAt(at time.Time, key string) alert.Observation {
	o, ok := fixtures[key]
	if !ok {
		panic("no fixture " + key)
	}
	o.At = at
	return o
}

// step is one moment of a timeline: an observation, a wake, a tick or a
// settings change, and the notifications expected right then as "kind:code".
type step struct {
	at       time.Duration
	obs      string
	woke     bool
	tick     bool
	settings func(*alert.Settings) // applies from this step on
	want     []string
	// announced, when set, is the expected Announced() after the step;
	// "none" stands for "".
	announced verdict.Code
}

func o(at time.Duration, key string, want ...string) step {
	return step{at: at, obs: key, want: want}
}
func tick(at time.Duration, want ...string) step { return step{at: at, tick: true, want: want} }
func woke(at time.Duration) step                 { return step{at: at, woke: true} }
func set(at time.Duration, f func(*alert.Settings)) step {
	return step{at: at, settings: f}
}
func (s step) ann(code verdict.Code) step { s.announced = code; return s }

type timeline struct {
	name     string
	settings alert.Settings
	cfg      func(*alert.Config)
	steps    []step
}

const (
	sec = time.Second
	min = time.Minute
)

var (
	plain    = alert.Settings{Enabled: true}
	recovery = alert.Settings{Enabled: true, NotifyRecovery: true}
)

// run plays a timeline from start and checks each step's expectations.
func run(t *testing.T, tl timeline, start time.Time) []alert.Notification {
	t.Helper()
	return replay(tl, start, func(i int, st step, got []alert.Notification, p *alert.Policy) {
		t.Helper()
		var kinds []string
		for _, n := range got {
			kinds = append(kinds, string(n.Kind)+":"+string(n.Code))
		}
		if !slices.Equal(kinds, st.want) {
			t.Errorf("step %d (+%s %s): got %q, want %q", i, st.at, describe(st), kinds, st.want)
		}
		if st.announced != "" {
			want := st.announced
			if want == "none" {
				want = ""
			}
			if a := p.Announced(); a != want {
				t.Errorf("step %d (+%s): Announced() = %q, want %q", i, st.at, a, want)
			}
		}
	})
}

// replay plays a timeline from start and returns everything notified;
// after each step, check (if not nil) sees what it notified.
func replay(tl timeline, start time.Time, check func(i int, st step, got []alert.Notification, p *alert.Policy)) []alert.Notification {
	cfg := alert.DefaultConfig()
	if tl.cfg != nil {
		tl.cfg(&cfg)
	}
	p := alert.New(cfg)
	s := tl.settings
	var all []alert.Notification
	for i, st := range tl.steps {
		now := start.Add(st.at)
		if st.settings != nil {
			st.settings(&s)
		}
		var got []alert.Notification
		switch {
		case st.woke:
			p.Woke(now)
		case st.tick:
			got = p.Tick(now, s)
		case st.obs != "":
			got = p.Observe(obsAt(now, st.obs), s)
		}
		all = append(all, got...)
		if check != nil {
			check(i, st, got, p)
		}
	}
	return all
}

func describe(s step) string {
	switch {
	case s.woke:
		return "woke"
	case s.tick:
		return "tick"
	case s.settings != nil:
		return "settings"
	}
	return s.obs
}

func TestTimelines(t *testing.T) {
	tests := []timeline{
		// Rule 1: raise after RaiseAfter, recover after one ok.
		{"problem announced on the 2nd consecutive check", plain, nil, []step{
			o(0, "dns").ann("none"),
			o(15*sec, "dns", "problem:dns_filtered").ann("dns_filtered"),
			o(30*sec, "dns"), o(90*sec, "dns"), o(150*sec, "dns").ann("dns_filtered"),
		}},
		{"the code may change while raising: the latest is announced", plain, nil, []step{
			o(0, "dns"),
			o(15*sec, "clock", "problem:clock_skew"),
		}},
		{"RaiseAfter=3 waits a check longer", plain, func(c *alert.Config) { c.RaiseAfter = 3 }, []step{
			o(0, "dns"), o(15*sec, "dns"),
			o(30*sec, "dns", "problem:dns_filtered"),
		}},
		{"an ok check restarts the count", plain, nil, []step{
			o(0, "dns"), o(15*sec, "ok"), o(75*sec, "dns"),
			o(90*sec, "dns", "problem:dns_filtered"),
		}},
		{"degraded is announced like down", plain, nil, []step{
			o(0, "push"), o(15*sec, "push", "problem:push_blocked"),
		}},
		{"recovery takes one ok check", recovery, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(30*sec, "ok", "recovered:dns_filtered").ann("none"),
			o(90*sec, "ok"),
		}},

		// Rule 2: no all-clear for a blip, and only if asked for.
		{"a blip that never raised gets no recovered", recovery, nil, []step{
			o(0, "dns"), o(15*sec, "ok"), o(75*sec, "clock"), o(90*sec, "ok"),
		}},
		{"recovery toggle off: silent, but the problem is cleared", plain, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(30*sec, "ok").ann("none"),
			o(90*sec, "dns"), o(105*sec, "dns", "problem:dns_filtered"),
		}},
		{"recovery toggle switched on later applies to the next recovery", plain, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			set(20*sec, func(s *alert.Settings) { s.NotifyRecovery = true }),
			o(30*sec, "ok", "recovered:dns_filtered"),
		}},

		// Rule 3: wake grace.
		{"nothing during wake grace; the held problem comes at the first tick after", plain, nil, []step{
			woke(0),
			o(1*sec, "dns"), o(6*sec, "dns"), o(16*sec, "dns").ann("none"),
			tick(19 * sec),
			tick(20*sec, "problem:dns_filtered").ann("dns_filtered"),
		}},
		{"or at the first check after grace", plain, nil, []step{
			woke(0),
			o(5*sec, "dns"), o(10*sec, "dns"),
			o(25*sec, "dns", "problem:dns_filtered"),
		}},
		{"a problem gone by the end of grace is never told", recovery, nil, []step{
			woke(0),
			o(1*sec, "dns"), o(6*sec, "dns"), o(12*sec, "ok"),
			tick(20 * sec), o(72*sec, "ok"),
		}},
		{"recovery during grace waits for grace too", recovery, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			woke(time.Hour),
			o(time.Hour+2*sec, "ok").ann("dns_filtered"),
			tick(time.Hour+20*sec, "recovered:dns_filtered"),
		}},

		// Rule 4: offline.
		{"offline is not notified; a long outage ends with back-online", recovery, nil, []step{
			o(0, "ok"),
			o(1*min, "offline"), o(1*min+15*sec, "offline"), o(1*min+30*sec, "offline"),
			o(2*min+30*sec, "offline"), o(12*min, "offline").ann("none"),
			o(13*min, "ok", "back-online:offline").ann("none"),
			o(14*min, "ok"),
		}},
		{"an outage after an announced problem: back-online, not recovered", recovery, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(1*min, "offline"), o(1*min+15*sec, "offline"), o(2*min, "offline").ann("dns_filtered"),
			o(3*min, "ok", "back-online:offline").ann("none"),
		}},
		{"Apple alerts are held while offline", plain, nil, []step{
			o(0, "dns"), o(15*sec, "offline"), o(30*sec, "dns"), o(45*sec, "offline"),
			o(60*sec, "dns"),
			o(75*sec, "dns", "problem:dns_filtered"),
		}},
		{"a one-check offline blip is not an outage", recovery, nil, []step{
			o(0, "ok"), o(1*min, "offline"), o(2*min, "ok"),
		}},
		{"a blip after a problem ends in recovered", recovery, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(30*sec, "offline"), o(45*sec, "ok", "recovered:dns_filtered"),
		}},
		{"another problem after the outage is announced instead, after its RaiseAfter", recovery, nil, []step{
			o(0, "offline"), o(15*sec, "offline"), o(30*sec, "offline"),
			o(45*sec, "clock"),
			o(60*sec, "clock", "problem:clock_skew"),
			o(2*min, "ok", "recovered:clock_skew"),
		}},
		{"the same problem after the outage is not repeated", recovery, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(1*min, "offline"), o(1*min+15*sec, "offline"),
			o(2*min, "dns"), o(2*min+15*sec, "dns"), o(3*min, "dns").ann("dns_filtered"),
			o(4*min, "ok", "recovered:dns_filtered"),
		}},
		{"a one-check problem after the outage does not cancel back-online", recovery, nil, []step{
			o(0, "offline"), o(15*sec, "offline"),
			o(30*sec, "dns"),
			o(45*sec, "ok", "back-online:offline"),
		}},
		{"back-online follows the recovery toggle", plain, nil, []step{
			o(0, "offline"), o(15*sec, "offline"), o(30*sec, "offline"),
			o(45*sec, "ok"),
			o(2*min, "ok"),
		}},
		{"an outage inside wake grace is not an outage", recovery, nil, []step{
			woke(0),
			o(1*sec, "offline"), o(6*sec, "offline"), o(11*sec, "offline"),
			o(16*sec, "ok"), tick(20 * sec), o(80*sec, "ok"),
		}},
		{"an outage outlasting wake grace is", recovery, nil, []step{
			woke(0),
			o(1*sec, "offline"), o(16*sec, "offline"), o(31*sec, "offline"),
			o(46*sec, "ok", "back-online:offline"),
		}},

		// Rule 5: cause change.
		{"a new cause is announced once it holds RaiseAfter checks", plain, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(30*sec, "clock").ann("dns_filtered"),
			o(45*sec, "clock", "cause-changed:clock_skew").ann("clock_skew"),
			o(60*sec, "clock"), o(2*min, "clock"),
		}},
		{"a cause flickering for one check is not a change", plain, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(30*sec, "clock"), o(45*sec, "dns"), o(60*sec, "outage"), o(75*sec, "dns"),
		}},
		{"changing back is a change too", plain, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(30*sec, "clock"), o(45*sec, "clock", "cause-changed:clock_skew"),
			o(60*sec, "dns"), o(75*sec, "dns", "cause-changed:dns_filtered"),
		}},

		// Rule 6: rate limit.
		{"a flapping cause: PerCause messages, one unstable, then silence until the window frees", recovery, nil, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(1*min, "ok", "recovered:dns_filtered"),
			o(2*min, "dns"), o(2*min+15*sec, "dns", "problem:dns_filtered"),
			o(3*min, "ok", "unstable:dns_filtered").ann("dns_filtered"),
			o(4*min, "dns"), o(4*min+15*sec, "dns"),
			o(5*min, "ok"), o(6*min, "ok"),
			o(7*min, "dns"), o(7*min+15*sec, "dns"),
			o(8*min, "ok"), o(59*min, "ok"),
			// 15s and 1m have left the window: the pending all-clear is told.
			o(61*min, "ok", "recovered:dns_filtered").ann("none"),
			o(62*min, "dns"), o(62*min+15*sec, "dns", "problem:dns_filtered"),
			o(63*min, "ok", "recovered:dns_filtered"),
			// The unstable message of minute 3 has left the window too: this
			// fourth message in the window becomes one more "unstable".
			o(64*min, "dns"), o(64*min+15*sec, "dns", "unstable:dns_filtered"),
			o(65*min, "ok"), // the user's last word was the all-clear: nothing to tell
			o(66*min, "dns"), o(66*min+15*sec, "dns"), o(67*min, "ok"),
		}},
		{"the limit is per cause", recovery, func(c *alert.Config) { c.PerCause = 1 }, []step{
			o(0, "dns"), o(15*sec, "dns", "problem:dns_filtered"),
			o(30*sec, "clock"), o(45*sec, "clock", "cause-changed:clock_skew"),
			o(60*sec, "ok", "unstable:clock_skew"),
			o(75*sec, "ok"),
		}},

		// Rule 7: disabled, pause, quiet hours.
		{"disabled: nothing at all", alert.Settings{NotifyRecovery: true}, nil, []step{
			o(0, "dns"), o(15*sec, "dns"), o(30*sec, "clock"), o(45*sec, "clock").ann("none"),
			o(1*min, "ok"), o(2*min, "offline"), o(3*min, "offline"), o(4*min, "ok"),
			woke(5 * min), tick(6 * min),
		}},
		{"enabling later does not replay, but a problem still current is told", alert.Settings{NotifyRecovery: true}, nil, []step{
			o(0, "offline"), o(15*sec, "offline"), o(30*sec, "dns"), o(45*sec, "dns"), o(60*sec, "ok"),
			o(2*min, "clock"), o(2*min+15*sec, "clock"),
			set(3*min, func(s *alert.Settings) { s.Enabled = true }),
			tick(3*min, "problem:clock_skew"),
			o(4*min, "ok", "recovered:clock_skew"),
		}},
		{"disabling drops what a pause held", recovery, nil, []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(time.Hour) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"),
			set(2*min, func(s *alert.Settings) { s.Enabled = false }),
			o(3*min, "ok"),
			set(4*min, func(s *alert.Settings) { s.Enabled = true }),
			tick(time.Hour), o(time.Hour+time.Minute, "ok"),
		}},
		{"pause holds everything; one summary when it ends", recovery, nil, []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns").ann("dns_filtered"),
			o(2*min, "clock"), o(2*min+15*sec, "clock"),
			o(3*min, "ok").ann("none"),
			o(4*min, "offline"), o(5*min, "offline"), o(10*min, "ok"),
			tick(29 * min),
			tick(30*min, "summary:"),
			tick(31 * min), o(32*min, "ok"),
		}},
		{"a pause ending on a check: the summary, not the problem", plain, nil, []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(29*min, "dns"), o(29*min+15*sec, "dns"),
			o(30*min, "dns", "summary:").ann("dns_filtered"),
			o(31*min, "dns"),
		}},
		{"a pause with nothing to tell ends silently", recovery, nil, []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(2*min, "ok"), o(3*min, "offline"), o(4*min, "ok"),
			tick(30 * min), o(31*min, "ok"),
		}},
		{"a pause ending inside wake grace waits for grace", plain, nil, []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(10 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"),
			woke(10*min - 5*sec),
			tick(10 * min),
			tick(10*min+15*sec, "summary:"),
		}},
	}
	for _, tl := range tests {
		t.Run(tl.name, func(t *testing.T) { run(t, tl, t0) })
	}
}

// The texts, rule 8.
func TestTexts(t *testing.T) {
	tests := []struct {
		name  string
		tl    timeline
		title string
		body  string // of the last notification
	}{
		{name: "problem", tl: timeline{settings: plain, steps: []step{o(0, "clock"), o(15*sec, "clock")}},
			title: "Can't reach Apple ID", body: "Your clock is 7 min slow. Open idpulse → Sync Clock"},
		{name: "degraded without a fix", tl: timeline{settings: plain, steps: []step{o(0, "push"), o(15*sec, "push")}},
			title: "Apple ID connection degraded", body: "This network blocks Apple's push service. Open idpulse for details"},
		{name: "cause changed", tl: timeline{settings: plain, steps: []step{o(0, "dns"), o(15*sec, "dns"), o(30*sec, "clock"), o(45*sec, "clock")}},
			title: "Can't reach Apple ID", body: "Cause changed — your clock is 7 min slow. Open idpulse → Sync Clock"},
		{name: "recovered", tl: timeline{settings: recovery, steps: []step{o(0, "dns"), o(15*sec, "dns"), o(30*sec, "ok")}},
			title: "Apple ID is reachable again", body: "The problem (DNS blocked) lasted 30 s and has cleared; Apple ID sign-in should work now."},
		{name: "recovered after a long incident whose cause changed", tl: timeline{settings: recovery, steps: []step{
			o(0, "ok"), o(1*min, "clock"), o(1*min+15*sec, "dns"), o(2*min, "dns"), o(3*min, "offline"), o(13*min, "dns"), o(13*min+15*sec, "dns"), o(15*min, "ok")}},
			title: "Apple ID is reachable again", body: "The problem (DNS blocked) lasted 14 min and has cleared; Apple ID sign-in should work now."},
		{name: "back online", tl: timeline{settings: recovery, steps: []step{o(0, "offline"), o(1*min, "offline"), o(12*min, "ok")}},
			title: "Back online", body: "Back online after 12 min; Apple ID is reachable again."},
		{name: "long outage", tl: timeline{settings: recovery, steps: []step{o(0, "offline"), o(1*min, "offline"), o(125*min, "ok")}},
			title: "Back online", body: "Back online after 2 h 5 min; Apple ID is reachable again."},
		{name: "unstable", tl: timeline{settings: recovery, cfg: func(c *alert.Config) { c.PerCause = 1 },
			steps: []step{o(0, "dns"), o(15*sec, "dns"), o(30*sec, "ok")}},
			title: "Connection unstable", body: "Apple ID connectivity keeps changing (DNS blocked). idpulse stays quiet about it for a while; open idpulse for the current state."},
		{name: "summary after pause, now ok", tl: timeline{settings: recovery, steps: []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"), o(2*min, "clock"), o(2*min+15*sec, "clock"),
			o(3*min, "offline"), o(4*min, "offline"), o(16*min, "ok"), tick(30 * min)}},
			title: "Apple ID is reachable", body: "While paused: 2 problems (DNS blocked, clock wrong); offline for 13 min. Now: Apple ID is reachable."},
		{name: "summary after pause, still a problem", tl: timeline{settings: plain, steps: []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"), tick(30 * min)}},
			title: "Can't reach Apple ID", body: "While paused: 1 problem (DNS blocked). Now: this network's DNS blocks Apple's servers. Open idpulse → Flush DNS Cache"},
		{name: "summary while offline", tl: timeline{settings: plain, steps: []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"), o(2*min, "offline"), tick(30 * min)}},
			title: "This Mac is offline", body: "While paused: 1 problem (DNS blocked). Now: this Mac is offline."},
		{name: "summary while offline, macOS", tl: timeline{settings: plain, steps: []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"), o(2*min, "offline on a Mac"), tick(30 * min)}},
			title: "This Mac is offline", body: "While paused: 1 problem (DNS blocked). Now: this Mac is offline."},
		{name: "summary while offline, Linux", tl: timeline{settings: plain, steps: []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"), o(2*min, "offline on Linux"), tick(30 * min)}},
			title: "This computer is offline", body: "While paused: 1 problem (DNS blocked). Now: this computer is offline."},
		{name: "summary lists at most three causes", tl: timeline{settings: plain, steps: []step{
			set(0, func(s *alert.Settings) { s.PausedUntil = t0.Add(30 * min) }),
			o(1*min, "dns"), o(1*min+15*sec, "dns"), o(2*min, "clock"), o(2*min+15*sec, "clock"),
			o(3*min, "push"), o(3*min+15*sec, "push"), o(4*min, "outage"), o(4*min+15*sec, "outage"), tick(30 * min)}},
			title: "Can't reach Apple ID", body: "While paused: 4 problems (DNS blocked, clock wrong, push blocked, …). Now: Apple reports an Apple ID outage. Open idpulse → Open System Status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := tt.tl
			// Only the texts are checked here; TestTimelines checks the kinds.
			var steps []step
			for _, s := range tl.steps {
				s.want = nil
				steps = append(steps, s)
			}
			tl.steps = steps
			all := replay(tl, t0, nil)
			if len(all) == 0 {
				t.Fatal("no notification")
			}
			n := all[len(all)-1]
			if n.Title != tt.title || n.Body != tt.body {
				t.Errorf("got\n  %q\n  %q\nwant\n  %q\n  %q", n.Title, n.Body, tt.title, tt.body)
			}
		})
	}
}

func TestTextsAreCleanAndBounded(t *testing.T) {
	p := alert.New(alert.DefaultConfig())
	long := strings.Repeat("very long reason ", 30)
	bad := alert.Observation{Level: "down", Code: "weird_\ncode", Reason: "line one\nline two\x00\x1b[31m red\u2028" + long, Fix: "Do\tIt\r\n"}
	s := alert.Settings{Enabled: true}
	bad.At = t0
	p.Observe(bad, s)
	bad.At = t0.Add(15 * sec)
	ns := p.Observe(bad, s)
	if len(ns) != 1 {
		t.Fatalf("got %d notifications", len(ns))
	}
	n := ns[0]
	for _, txt := range []string{n.Title, n.Body} {
		if strings.ContainsFunc(txt, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\u2028' }) {
			t.Errorf("control character in %q", txt)
		}
	}
	if got := len([]rune(n.Body)); got > alert.MaxBody {
		t.Errorf("body is %d characters", got)
	}
	if !strings.HasPrefix(n.Body, "Line one line two [31m red very long") || !strings.HasSuffix(n.Body, "…") {
		t.Errorf("body = %q", n.Body)
	}
}

func TestQuietHoursContains(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	night := alert.QuietHours{Enabled: true, Start: 22 * time.Hour, End: 7 * time.Hour}
	day := alert.QuietHours{Enabled: true, Start: 12 * time.Hour, End: 13*time.Hour + 30*time.Minute}
	tests := []struct {
		name string
		q    alert.QuietHours
		t    time.Time
		want bool
	}{
		{"before start", night, time.Date(2025, 3, 14, 21, 59, 59, 0, ny), false},
		{"at start", night, time.Date(2025, 3, 14, 22, 0, 0, 0, ny), true},
		{"before midnight", night, time.Date(2025, 3, 14, 23, 30, 0, 0, ny), true},
		{"after midnight", night, time.Date(2025, 3, 15, 3, 0, 0, 0, ny), true},
		{"just before end", night, time.Date(2025, 3, 15, 6, 59, 59, 0, ny), true},
		{"at end", night, time.Date(2025, 3, 15, 7, 0, 0, 0, ny), false},
		{"midday", night, time.Date(2025, 3, 15, 12, 0, 0, 0, ny), false},
		// The same instants in UTC read differently: the location decides.
		{"23:30 in New York is 03:30 UTC", night, time.Date(2025, 3, 15, 3, 30, 0, 0, time.UTC).In(ny), true},
		{"22:30 UTC is 18:30 in New York", night, time.Date(2025, 3, 14, 22, 30, 0, 0, time.UTC).In(ny), false},
		{"22:30 UTC read in UTC", night, time.Date(2025, 3, 14, 22, 30, 0, 0, time.UTC), true},
		// DST starts 2025-03-09 02:00 in New York: 06:30 is still quiet by the clock.
		{"DST morning", night, time.Date(2025, 3, 9, 6, 30, 0, 0, ny), true},
		{"non-wrapping window inside", day, time.Date(2025, 3, 14, 13, 0, 0, 0, ny), true},
		{"non-wrapping window outside", day, time.Date(2025, 3, 14, 13, 30, 0, 0, ny), false},
		{"disabled", alert.QuietHours{Start: 22 * time.Hour, End: 7 * time.Hour}, time.Date(2025, 3, 14, 23, 0, 0, 0, ny), false},
		{"empty window", alert.QuietHours{Enabled: true, Start: 7 * time.Hour, End: 7 * time.Hour}, time.Date(2025, 3, 14, 7, 0, 0, 0, ny), false},
	}
	for _, tt := range tests {
		if got := tt.q.Contains(tt.t); got != tt.want {
			t.Errorf("%s: Contains(%s) = %v, want %v", tt.name, tt.t, got, tt.want)
		}
	}
}

// TestQuietHoursTimeline: a night in New York, quiet from 22:00 to 07:00.
func TestQuietHoursTimeline(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	evening := time.Date(2025, 3, 14, 21, 0, 0, 0, ny) // 01:00 UTC on the 15th
	s := alert.Settings{Enabled: true, NotifyRecovery: true,
		Quiet: alert.QuietHours{Enabled: true, Start: 22 * time.Hour, End: 7 * time.Hour}}
	tl := timeline{settings: s, steps: []step{
		o(0, "clock"), o(15*sec, "clock", "problem:clock_skew"), // 21:00, not quiet
		o(30*min, "ok", "recovered:clock_skew"),
		o(2*time.Hour+30*min, "dns"), o(2*time.Hour+30*min+15*sec, "dns"), // 23:30: held
		o(5*time.Hour, "ok"),           // 02:00: held
		tick(9*time.Hour + 59*min),     // 06:59
		tick(10*time.Hour, "summary:"), // 07:00
	}}
	run(t, tl, evening)

	p := alert.New(alert.DefaultConfig())
	p.Observe(obsAt(evening.Add(2*time.Hour+30*min), "dns"), s)
	p.Observe(obsAt(evening.Add(2*time.Hour+31*min), "dns"), s)
	want := time.Date(2025, 3, 15, 7, 0, 0, 0, ny)
	if got := p.NextTick(evening.Add(3*time.Hour), s); !got.Equal(want) {
		t.Errorf("NextTick = %s, want %s", got, want)
	}
	n := p.Tick(want, s)
	if len(n) != 1 || n[0].Body != "During quiet hours: 1 problem (DNS blocked). Now: this network's DNS blocks Apple's servers. Open idpulse → Flush DNS Cache" {
		t.Errorf("Tick = %+v", n)
	}
}

func TestNextTick(t *testing.T) {
	quiet := alert.QuietHours{Enabled: true, Start: 22 * time.Hour, End: 7 * time.Hour}
	tests := []struct {
		name     string
		settings alert.Settings
		woke     time.Duration // -1: no wake
		obs      []string      // one a second from t0
		now      time.Duration
		want     time.Duration // -1: zero
	}{
		{"nothing held", plain, -1, []string{"dns", "dns"}, 5 * sec, -1},
		{"grace holds a problem", plain, 0, []string{"dns", "dns"}, 5 * sec, 20 * sec},
		{"grace holds nothing", plain, 0, []string{"dns", "ok"}, 5 * sec, -1},
		{"pause holds a summary", alert.Settings{Enabled: true, PausedUntil: t0.Add(time.Hour)}, -1, []string{"dns", "dns"}, 5 * sec, time.Hour},
		{"pause holds nothing", alert.Settings{Enabled: true, PausedUntil: t0.Add(time.Hour)}, -1, []string{"dns"}, 5 * sec, -1},
		{"pause runs into quiet hours", alert.Settings{Enabled: true, PausedUntil: t0.Add(13*time.Hour + 30*min), Quiet: quiet}, -1,
			[]string{"dns", "dns"}, 5 * sec, 22 * time.Hour}, // t0 is 09:00 UTC: quiet from 22:30, ends 07:00
		{"quiet hours, then wake grace", alert.Settings{Enabled: true, Quiet: alert.QuietHours{Enabled: true, Start: 8 * time.Hour, End: 9*time.Hour + 10*sec}}, 0,
			[]string{"dns", "dns"}, 5 * sec, 20 * sec},
		{"disabled", alert.Settings{PausedUntil: t0.Add(time.Hour)}, 0, []string{"dns", "dns"}, 5 * sec, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := alert.New(alert.DefaultConfig())
			if tt.woke >= 0 {
				p.Woke(t0.Add(tt.woke))
			}
			for i, k := range tt.obs {
				p.Observe(obsAt(t0.Add(time.Duration(i)*sec), k), tt.settings)
			}
			got := p.NextTick(t0.Add(tt.now), tt.settings)
			want := time.Time{}
			if tt.want >= 0 {
				want = t0.Add(tt.want)
			}
			if !got.Equal(want) {
				t.Errorf("NextTick = %s, want %s", got, want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	if err := alert.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		edit func(*alert.Config)
		want string
	}{
		{func(c *alert.Config) { c.RaiseAfter = 0 }, "raise_after: must be at least 1"},
		{func(c *alert.Config) { c.WakeGrace = -time.Second }, "wake_grace: must not be negative"},
		{func(c *alert.Config) { c.PerCause = 0 }, "per_cause: must be at least 1"},
		{func(c *alert.Config) { c.Window = 0 }, "window: must be at least 1s"},
	}
	for _, tt := range tests {
		c := alert.DefaultConfig()
		tt.edit(&c)
		if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Validate() = %v, want %q…", err, tt.want)
		}
	}
	if err := (alert.QuietHours{Start: 24 * time.Hour}).Validate(); err == nil || !strings.HasPrefix(err.Error(), "quiet_hours.start:") {
		t.Errorf("QuietHours.Validate() = %v", err)
	}
	if err := (alert.QuietHours{Start: 22 * time.Hour, End: 7 * time.Hour}).Validate(); err != nil {
		t.Errorf("QuietHours.Validate() = %v", err)
	}
}
