package schedule

import "time"

// WakeDetector notices that the machine slept, without any OS notification.
//
// Why it works: Go's monotonic clock (what time.Since and timers run on) is
// CLOCK_MONOTONIC on Linux and mach_absolute_time on macOS, and neither
// advances while the system is asleep. Timers pause with it, so a timer set
// for 60s before an 8-hour sleep fires after 60s of awake time: 8 hours late
// by the wall clock. Comparing how far the wall clock moved with how far the
// monotonic clock moved between two observations therefore measures the
// sleep in between; on a machine that stayed awake the two agree to within
// NTP's slewing.
//
// What it cannot tell apart: a wall clock stepped forward (the user, or NTP
// after a long drift) looks exactly like a sleep of that length. That is
// harmless, since the agent's answer to a wake is one extra cycle and a short
// alert grace period. A wall clock stepped back cannot be a sleep and is
// reported as a clock jump instead.
type WakeDetector struct {
	gap  time.Duration
	have bool
	wall time.Time
	mono time.Duration
}

// NewWakeDetector returns a detector that ignores differences up to gap
// (Config.WakeGap): timer latency and clock slewing, not sleep.
func NewWakeDetector(gap time.Duration) *WakeDetector {
	return &WakeDetector{gap: gap}
}

// Observe takes the wall-clock time and a monotonic reading (for example
// time.Since(processStart)) and returns how long the machine slept since the
// previous call: the amount by which the wall clock ran ahead of the
// monotonic one, or 0 when that is at most gap. The first call returns 0.
//
// clockJumped reports that the wall clock fell behind the monotonic one by
// more than gap, which only a clock set back does; slept is 0 then. A
// monotonic reading smaller than the previous one (the caller restarted its
// stopwatch) is a new baseline: 0, false.
//
// wall's own monotonic reading, if it has one (time.Now does), is stripped:
// time.Time.Sub would otherwise use it, and the sleep would vanish.
func (d *WakeDetector) Observe(wall time.Time, mono time.Duration) (slept time.Duration, clockJumped bool) {
	wall = wall.Round(0)
	prevWall, prevMono, had := d.wall, d.mono, d.have
	d.wall, d.mono, d.have = wall, mono, true
	if !had {
		return 0, false
	}
	dm := mono - prevMono
	if dm < 0 {
		return 0, false
	}
	switch ahead := wall.Sub(prevWall) - dm; {
	case ahead > d.gap:
		return ahead, false
	case ahead < -d.gap:
		return 0, true
	}
	return 0, false
}
