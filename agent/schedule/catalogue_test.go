package schedule_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/schedule"
)

// TestCatalogueTimeline walks the agent through a day: each step is a cycle
// (its offset from the start, why it runs, whether the previous sample
// failed) and whether it checks the whole catalogue.
func TestCatalogueTimeline(t *testing.T) {
	type step struct {
		at     time.Duration
		why    schedule.Reason
		failed bool
		full   bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"healthy: the sample until Every has passed", []step{
			{0, schedule.ReasonStart, false, false},
			{time.Minute, schedule.ReasonTimer, false, false},
			{6*time.Hour - time.Second, schedule.ReasonTimer, false, false},
			{6 * time.Hour, schedule.ReasonTimer, false, true},
			{6*time.Hour + time.Minute, schedule.ReasonTimer, false, false},
			{12 * time.Hour, schedule.ReasonTimer, false, true},
		}},
		{"a failing sample is followed by one full check, then Retry applies", []step{
			{0, schedule.ReasonStart, false, false},
			// The agent started at 0, which counts as the last full check:
			// a failure in the first hour waits for Retry.
			{30 * time.Minute, schedule.ReasonTimer, true, false},
			{time.Hour, schedule.ReasonRecheck, true, true},
			{time.Hour + 15*time.Second, schedule.ReasonRecheck, true, false},
			{2*time.Hour - time.Second, schedule.ReasonTimer, true, false},
			{2 * time.Hour, schedule.ReasonTimer, true, true},
			// Healthy again: back to Every from the last full check.
			{3 * time.Hour, schedule.ReasonTimer, false, false},
			{8 * time.Hour, schedule.ReasonTimer, false, true},
		}},
		{"Check Now always checks everything", []step{
			{0, schedule.ReasonStart, false, false},
			{time.Minute, schedule.ReasonCheckNow, false, true},
			{2 * time.Minute, schedule.ReasonCheckNow, true, true},
			// ...and counts as the last full check.
			{time.Hour, schedule.ReasonTimer, true, false},
			{time.Hour + 2*time.Minute, schedule.ReasonTimer, true, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := schedule.DefaultCatalogue()
			c.Started(at(0))
			var got, want []string
			for _, s := range tt.steps {
				line := fmt.Sprintf("%s %s failed=%v", s.at, s.why, s.failed)
				got = append(got, fmt.Sprintf("%s full=%v", line, c.Full(at(s.at), s.why, s.failed)))
				want = append(want, fmt.Sprintf("%s full=%v", line, s.full))
			}
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Errorf("timeline differs\n--- got\n%s\n--- want\n%s", g, w)
			}
		})
	}
}
