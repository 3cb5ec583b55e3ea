package schedule_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/schedule"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// fixed is a jitter source that always draws r and counts its draws.
type fixed struct {
	r     float64
	draws int
}

func (f *fixed) next() float64 { f.draws++; return f.r }

// mid draws 0.5: no jitter at all, so expectations read as plain config.
func mid() func() float64 { return (&fixed{r: 0.5}).next }

func TestDefaultConfigIsValid(t *testing.T) {
	if err := schedule.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name string
		edit func(*schedule.Config)
		want string // error prefix
	}{
		{"sub-second interval", func(c *schedule.Config) { c.Interval = 500 * time.Millisecond }, "interval: must be at least 1s"},
		{"zero feed interval", func(c *schedule.Config) { c.FeedInterval = 0 }, "feed_interval: must be at least 1s"},
		{"negative recheck", func(c *schedule.Config) { c.Recheck = -time.Second }, "recheck: must be at least 1s"},
		{"recheck slower than interval", func(c *schedule.Config) { c.Recheck = 2 * time.Minute }, "recheck: 2m0s is longer than interval 1m0s"},
		{"zero debounce", func(c *schedule.Config) { c.Debounce = 0 }, "debounce: must be at least 1s"},
		{"sub-second wake gap", func(c *schedule.Config) { c.WakeGap = time.Millisecond }, "wake_gap: must be at least 1s"},
		{"negative jitter", func(c *schedule.Config) { c.Jitter = -0.1 }, "jitter: -0.1 is not between 0 and 0.5"},
		{"huge jitter", func(c *schedule.Config) { c.Jitter = 0.9 }, "jitter: 0.9 is not between 0 and 0.5"},
		{"NaN jitter", func(c *schedule.Config) { c.Jitter = math.NaN() }, "jitter: NaN is not between"},
		{"sub-second fast_for", func(c *schedule.Config) { c.FastFor = time.Millisecond }, "fast_for: must be at least 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := schedule.DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want %q…", err, tt.want)
			}
		})
	}
}

func TestNewPanicsOnInvalidConfig(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted an invalid config")
		}
	}()
	schedule.New(schedule.Config{}, nil)
}

// event is one step of a scheduler timeline: a finished cycle or a trigger,
// followed by what Next must answer.
type event struct {
	ran      bool
	trigger  schedule.Reason
	at       time.Duration
	withFeed bool   // ran: the cycle polled the feed
	code     string // ran: verdict code; "ok" is ok
	wantDue  time.Duration
	wantFeed bool
	wantWhy  schedule.Reason
}

func ran(t time.Duration, feed bool, code string) event {
	return event{ran: true, at: t, withFeed: feed, code: code}
}

func trig(r schedule.Reason, t time.Duration) event { return event{trigger: r, at: t} }

func (e event) next(due time.Duration, feed bool, why schedule.Reason) event {
	e.wantDue, e.wantFeed, e.wantWhy = due, feed, why
	return e
}

func TestTimelines(t *testing.T) {
	const (
		timer    = schedule.ReasonTimer
		recheck  = schedule.ReasonRecheck
		feedWhy  = schedule.ReasonFeed
		wake     = schedule.ReasonWake
		network  = schedule.ReasonNetwork
		checkNow = schedule.ReasonCheckNow
	)
	s, m := time.Second, time.Minute
	tests := []struct {
		name   string
		cfg    func(*schedule.Config)
		events []event
	}{
		{"ok cadence is Interval, feed joins the cycle where it falls due", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			ran(60*s, false, "ok").next(120*s, false, timer),
			ran(120*s, false, "ok").next(180*s, false, timer),
			ran(180*s, false, "ok").next(240*s, false, timer),
			ran(240*s, false, "ok").next(300*s, true, timer), // feed due at 300 = the cycle
			ran(300*s, true, "ok").next(360*s, false, timer),
		}},
		{"feed due before the next cycle brings it forward", func(c *schedule.Config) { c.FeedInterval = 150 * s }, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			ran(60*s, false, "ok").next(120*s, false, timer),
			ran(120*s, false, "ok").next(150*s, true, feedWhy),
			ran(150*s, true, "ok").next(210*s, false, timer),
		}},
		{"feed brought forward no closer than Recheck", func(c *schedule.Config) { c.FeedInterval = 65 * s }, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			ran(60*s, false, "ok").next(75*s, true, feedWhy), // feed due at 65, not before 60+15
		}},
		{"an incident is rechecked every Recheck for FastFor, then backs off to Interval", func(c *schedule.Config) { c.FeedInterval = 24 * time.Hour }, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			ran(60*s, false, "dns_filtered").next(75*s, false, recheck), // the incident starts at 60 s
			ran(75*s, false, "dns_filtered").next(90*s, false, recheck),
			ran(90*s, false, "offline").next(105*s, false, recheck),               // a new code is the same incident
			ran(60*s+10*m, false, "offline").next(60*s+10*m+15*s, false, recheck), // 10 min in: still fast
			ran(60*s+15*m, false, "offline").next(60*s+15*m+23*s, false, recheck), // 15×15/10 = 22.5 s, rounded
			ran(60*s+20*m, false, "offline").next(60*s+20*m+30*s, false, recheck),
			ran(60*s+30*m, false, "offline").next(60*s+30*m+45*s, false, recheck),
			ran(60*s+40*m, false, "offline").next(60*s+41*m, false, timer), // 60 s: back to the interval
			ran(60*s+5*time.Hour, false, "offline").next(60*s+5*time.Hour+m, false, timer),
			ran(60*s+5*time.Hour+m, true, "ok").next(60*s+5*time.Hour+2*m, false, timer),
			ran(60*s+5*time.Hour+2*m, false, "dns_filtered").next(60*s+5*time.Hour+2*m+15*s, false, recheck), // ok ended it: a new incident
		}},
		{"an incident days old does not overflow the back-off", nil, []event{
			ran(0, true, "offline").next(15*s, false, recheck),
			ran(400*24*time.Hour, true, "offline").next(400*24*time.Hour+m, false, timer),
		}},
		{"feed due during rechecks rides along", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			ran(290*s, false, "dns_filtered").next(305*s, true, recheck), // feed due at 300
			ran(305*s, true, "dns_filtered").next(320*s, false, recheck),
		}},
		{"check now polls the feed only if it is a minute old", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			trig(checkNow, 30*s).next(30*s, false, checkNow),
			ran(30*s, false, "ok").next(90*s, false, timer),
			trig(checkNow, 70*s).next(70*s, true, checkNow),
			ran(70*s, true, "ok").next(130*s, false, timer),
			trig(checkNow, 80*s).next(80*s, false, checkNow),
			trig(checkNow, 85*s).next(80*s, false, checkNow), // pressed twice before it ran: one cycle
			ran(80*s, false, "ok").next(140*s, false, timer),
		}},
		{"wake runs now with the feed, even when the timer is overdue", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			trig(wake, 8*time.Hour).next(60*s, true, wake), // due in the past: run now
			ran(8*time.Hour, true, "offline").next(8*time.Hour+15*s, false, recheck),
		}},
		{"network changes are debounced after the last one", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			trig(network, 10*s).next(12*s, false, network),
			trig(network, 11*s).next(13*s, false, network),
			trig(network, 12500*time.Millisecond).next(14500*time.Millisecond, false, network),
			ran(14500*time.Millisecond, false, "ok").next(74500*time.Millisecond, false, timer),
			trig(network, 20*s).next(22*s, false, network), // a new burst
		}},
		{"a flapping network is checked within 5×Debounce of the first change", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			trig(network, 10*s), trig(network, 11*s), trig(network, 12*s), trig(network, 13*s),
			trig(network, 14*s), trig(network, 15*s), trig(network, 16*s), trig(network, 17*s),
			trig(network, 18*s).next(20*s, false, network),
			trig(network, 19*s).next(20*s, false, network),
		}},
		{"a network change during a cycle still gets its own cycle", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			trig(network, 59*s).next(60*s, false, timer),      // timer at 60 comes first…
			ran(60*s, false, "ok").next(61*s, false, network), // …but ran before the network settled
			ran(61*s, false, "ok").next(121*s, false, timer),
		}},
		{"triggers before the first cycle are answered by it", nil, []event{
			trig(checkNow, 0).next(0, false, schedule.ReasonStart),
			ran(0, true, "ok").next(60*s, false, timer),
		}},
		{"the first feed poll rides with the second cycle", nil, []event{
			ran(0, false, "ok").next(60*s, true, timer),
			ran(60*s, true, "ok").next(120*s, false, timer),
		}},
		{"the first feed poll rides with a recheck when the first verdict is not ok", nil, []event{
			ran(0, false, "dns_filtered").next(15*s, true, recheck),
		}},
		{"without FeedAfterStart the first cycle polls the feed", func(c *schedule.Config) { c.FeedAfterStart = false }, []event{
			trig(checkNow, 0).next(0, true, schedule.ReasonStart),
			ran(0, true, "ok").next(60*s, false, timer),
		}},
		{"a feed the loop did not poll rides with the next cycle instead of spinning", nil, []event{
			ran(0, false, "ok").next(60*s, true, timer),
			ran(60*s, false, "ok").next(120*s, true, timer),
			ran(120*s, true, "ok").next(180*s, false, timer),
		}},
		{"non-request reasons are ignored", nil, []event{
			ran(0, true, "ok").next(60*s, false, timer),
			trig(schedule.ReasonTimer, 5*s).next(60*s, false, timer),
			trig(schedule.ReasonFeed, 5*s).next(60*s, false, timer),
			trig("bogus", 5*s).next(60*s, false, timer),
		}},
		{"long periods", func(c *schedule.Config) { c.Interval, c.FeedInterval = 10*m, 30*m }, []event{
			ran(0, true, "ok").next(10*m, false, timer),
			ran(20*m, false, "ok").next(30*m, true, timer),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := schedule.DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			sch := schedule.New(cfg, mid())
			for i, e := range tt.events {
				if e.ran {
					sch.Ran(at(e.at), e.withFeed, e.code == "ok")
				} else {
					sch.Trigger(e.trigger, at(e.at))
				}
				if e.wantWhy == "" {
					continue // no expectation at this step
				}
				due, feed, why := sch.Next()
				wantDue := at(e.wantDue)
				if e.wantWhy == schedule.ReasonStart {
					wantDue = time.Time{}
				}
				if !due.Equal(wantDue) || feed != e.wantFeed || why != e.wantWhy {
					t.Errorf("step %d: Next() = (+%s, feed=%v, %s), want (+%s, feed=%v, %s)",
						i, due.Sub(t0), feed, why, wantDue.Sub(t0), e.wantFeed, e.wantWhy)
				}
			}
		})
	}
}

func TestFirstNextStartsNowFeedLater(t *testing.T) {
	sch := schedule.New(schedule.DefaultConfig(), mid())
	for range 3 { // idempotent
		due, feed, why := sch.Next()
		if !due.IsZero() || feed || why != schedule.ReasonStart {
			t.Fatalf("Next() = %v, %v, %s; want zero, false (the start-up delay), start", due, feed, why)
		}
	}
}

// TestFeedAfterStartSpreadsAFleet: 1,000 agents started in the same second
// poll the feed spread over the second cycle's jitter, not together.
func TestFeedAfterStartSpreadsAFleet(t *testing.T) {
	cfg := schedule.DefaultConfig()
	lo := time.Duration(float64(cfg.Interval) * (1 - cfg.Jitter))
	hi := time.Duration(float64(cfg.Interval) * (1 + cfg.Jitter))
	rng := rand.New(rand.NewPCG(1, 2))
	perSecond := map[time.Duration]int{}
	for range 1000 {
		sch := schedule.New(cfg, rng.Float64)
		_, feed, _ := sch.Next()
		sch.Ran(t0, feed, true)
		due, withFeed, _ := sch.Next()
		if feed || !withFeed || due.Sub(t0) < lo || due.Sub(t0) > hi {
			t.Fatalf("first cycle feed %v; first feed poll at +%s (feed %v), want within [%s, %s]", feed, due.Sub(t0), withFeed, lo, hi)
		}
		perSecond[due.Sub(t0)]++
	}
	busiest := 0
	for _, n := range perSecond {
		busiest = max(busiest, n)
	}
	// 12 s of whole seconds, about 80 a second; together they would be 1,000.
	if len(perSecond) < 12 || busiest > 150 {
		t.Errorf("first polls over %d distinct seconds, busiest %d: %v", len(perSecond), busiest, perSecond)
	}
}

func TestJitterDrawnOncePerCycle(t *testing.T) {
	src := &fixed{r: 0.25}
	sch := schedule.New(schedule.DefaultConfig(), src.next)
	sch.Ran(t0, true, true) // draws for the feed and for the interval
	drawn := src.draws
	first, _, _ := sch.Next()
	for range 5 {
		if due, _, _ := sch.Next(); !due.Equal(first) {
			t.Fatalf("Next moved from %v to %v between calls", first, due)
		}
	}
	if src.draws != drawn {
		t.Errorf("Next drew jitter %d times", src.draws-drawn)
	}
	if drawn != 2 {
		t.Errorf("Ran drew %d times, want 2 (interval and feed)", drawn)
	}
	// r=0.25 is half-way to the low end: 60s × (1 - 0.05) = 57s.
	if got := first.Sub(t0); got != 57*time.Second {
		t.Errorf("jittered interval = %s, want 57s", got)
	}
}

func TestJitterBounds(t *testing.T) {
	tests := []struct {
		r    float64
		want time.Duration
	}{
		{0, 54 * time.Second},
		{0.5, 60 * time.Second},
		{0.999999, 66 * time.Second},
		{1, 60 * time.Second},      // out of contract: treated as no jitter
		{-3, 60 * time.Second},     // likewise
		{0.4321, 59 * time.Second}, // rounded to the second
	}
	for _, tt := range tests {
		sch := schedule.New(schedule.DefaultConfig(), func() float64 { return tt.r })
		sch.Ran(t0, true, true)
		if due, _, _ := sch.Next(); due.Sub(t0) != tt.want {
			t.Errorf("r=%v: interval %s, want %s", tt.r, due.Sub(t0), tt.want)
		}
	}
}

func TestRecheckIsNotJittered(t *testing.T) {
	sch := schedule.New(schedule.DefaultConfig(), func() float64 { return 0 })
	sch.Ran(t0, true, false)
	if due, _, why := sch.Next(); due.Sub(t0) != 15*time.Second || why != schedule.ReasonRecheck {
		t.Errorf("Next() = +%s %s, want +15s recheck", due.Sub(t0), why)
	}
}

func TestSubSecondJitteredPeriodIsOneSecond(t *testing.T) {
	cfg := schedule.DefaultConfig()
	cfg.Interval, cfg.Recheck, cfg.Jitter = time.Second, time.Second, 0.5
	sch := schedule.New(cfg, func() float64 { return 0 })
	sch.Ran(t0, true, true)
	if due, _, _ := sch.Next(); due.Sub(t0) != time.Second {
		t.Errorf("interval = %s, want the 1s floor", due.Sub(t0))
	}
}

// TestSimulatedLoopProperties runs the scheduler the way the agent loop does,
// with random jitter, verdicts and triggers, and checks the promises the rest
// of the agent relies on.
func TestSimulatedLoopProperties(t *testing.T) {
	cfg := schedule.DefaultConfig()
	minInterval := time.Duration(float64(cfg.Interval) * (1 - cfg.Jitter)).Round(time.Second)
	minFeed := time.Duration(float64(cfg.FeedInterval) * (1 - cfg.Jitter)).Round(time.Second)
	maxFeed := time.Duration(float64(cfg.FeedInterval) * (1 + cfg.Jitter)).Round(time.Second)
	codes := []string{"ok", "ok", "ok", "dns_filtered", "clock_skew", "offline"}
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 42))
		sch := schedule.New(cfg, rng.Float64)
		now, lastFeed := t0, time.Time{}
		var lastStart time.Time
		triggered := false
		for range 300 {
			// Sometimes something happens before the cycle is due.
			if rng.IntN(8) == 0 {
				due, _, _ := sch.Next()
				if due.After(now) {
					now = now.Add(time.Duration(rng.Int64N(int64(due.Sub(now)) + 1)))
				}
				sch.Trigger([]schedule.Reason{schedule.ReasonCheckNow, schedule.ReasonWake, schedule.ReasonNetwork}[rng.IntN(3)], now)
				triggered = true
			}
			due, feed, why := sch.Next()
			if due.After(now) {
				now = due
			}
			if why == "" {
				t.Fatalf("seed %d: Next gave no reason", seed)
			}
			early := triggered || why == schedule.ReasonCheckNow || why == schedule.ReasonWake || why == schedule.ReasonNetwork
			if !lastStart.IsZero() && !early {
				gap := now.Sub(lastStart)
				if gap < cfg.Recheck {
					t.Fatalf("seed %d: untriggered cycles %s apart (%s), less than Recheck", seed, gap, why)
				}
				if why == schedule.ReasonTimer && gap < minInterval {
					t.Fatalf("seed %d: timer cycle after %s, less than %s", seed, gap, minInterval)
				}
			}
			if feed && !lastFeed.IsZero() && !early && now.Sub(lastFeed) < minFeed {
				t.Fatalf("seed %d: feed polled after %s, less than %s", seed, now.Sub(lastFeed), minFeed)
			}
			if !lastFeed.IsZero() && now.Sub(lastFeed) > maxFeed+cfg.Interval+cfg.Interval/5 {
				t.Fatalf("seed %d: feed not polled for %s", seed, now.Sub(lastFeed))
			}
			code := codes[rng.IntN(len(codes))]
			sch.Ran(now, feed, code == "ok")
			if feed {
				lastFeed = now
			}
			lastStart, triggered = now, false
			now = now.Add(time.Duration(rng.Int64N(int64(3 * time.Second)))) // the cycle's own duration
		}
	}
}

func TestWakeDetector(t *testing.T) {
	s := time.Second
	type obs struct {
		wall      time.Duration // wall clock, from t0
		mono      time.Duration // monotonic reading
		wantSlept time.Duration
		wantJump  bool
	}
	tests := []struct {
		name string
		obs  []obs
	}{
		{"first call never reports", []obs{{8 * time.Hour, 0, 0, false}}},
		{"awake: clocks agree", []obs{{0, 0, 0, false}, {60 * s, 60 * s, 0, false}, {120 * s, 120 * s, 0, false}}},
		{"timer latency and slewing are not sleep", []obs{{0, 0, 0, false}, {65 * s, 60 * s, 0, false}, {124 * s, 123 * s, 0, false}}},
		{"slept 8 hours", []obs{{0, 0, 0, false}, {8*time.Hour + 60*s, 60 * s, 8 * time.Hour, false}, {8*time.Hour + 120*s, 120 * s, 0, false}}},
		{"just past the gap", []obs{{0, 0, 0, false}, {66 * s, 60 * s, 6 * s, false}}},
		{"clock set back an hour", []obs{{0, 0, 0, false}, {-time.Hour + 60*s, 60 * s, 0, true}, {-time.Hour + 120*s, 120 * s, 0, false}}},
		{"clock set back less than a cycle", []obs{{0, 0, 0, false}, {30 * s, 60 * s, 0, true}}},
		{"monotonic restarted: new baseline", []obs{{0, time.Hour, 0, false}, {2 * time.Hour, 0, 0, false}, {2*time.Hour + 60*s, 60 * s, 0, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := schedule.NewWakeDetector(schedule.DefaultConfig().WakeGap)
			for i, o := range tt.obs {
				slept, jumped := d.Observe(at(o.wall), o.mono)
				if slept != o.wantSlept || jumped != o.wantJump {
					t.Errorf("obs %d: Observe = (%s, %v), want (%s, %v)", i, slept, jumped, o.wantSlept, o.wantJump)
				}
			}
		})
	}
}

func TestIncidentSince(t *testing.T) {
	sch := schedule.New(schedule.DefaultConfig(), mid())
	steps := []struct {
		at   time.Duration
		ok   bool
		want time.Duration // -1: zero
	}{
		{0, true, -1},
		{60 * time.Second, false, 60 * time.Second},
		{75 * time.Second, false, 60 * time.Second},
		{90 * time.Second, true, -1},
		{150 * time.Second, false, 150 * time.Second},
	}
	if got := sch.IncidentSince(); !got.IsZero() {
		t.Fatalf("before any cycle: %v", got)
	}
	for _, s := range steps {
		sch.Ran(at(s.at), false, s.ok)
		got := sch.IncidentSince()
		if s.want < 0 {
			if !got.IsZero() {
				t.Errorf("after +%s (ok=%v): %v, want zero", s.at, s.ok, got)
			}
			continue
		}
		if !got.Equal(at(s.want)) {
			t.Errorf("after +%s (ok=%v): +%s, want +%s", s.at, s.ok, got.Sub(t0), s.want)
		}
	}
}
