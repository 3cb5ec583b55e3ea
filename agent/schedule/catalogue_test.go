package schedule_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/schedule"
)

// TestCatalogueTimeline walks the agent through a day: each step is a cycle
// (its offset from the start, whether the previous cycle's sample failed)
// and whether it checks the whole catalogue.
func TestCatalogueTimeline(t *testing.T) {
	type step struct {
		at     time.Duration
		failed bool
		full   bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"healthy: the sample until Every has passed", []step{
			{0, false, false},
			{time.Minute, false, false},
			{6*time.Hour - time.Second, false, false},
			{6 * time.Hour, false, true},
			{6*time.Hour + time.Minute, false, false},
			{12 * time.Hour, false, true},
		}},
		{"a failing sample is followed by one full check, then Retry applies", []step{
			{0, false, false},
			{30 * time.Minute, true, true}, // no full check yet: at once
			{30*time.Minute + 15*time.Second, true, false},
			{90*time.Minute - time.Second, true, false},
			{90 * time.Minute, true, true},
			// Healthy again: back to Every from the last full check.
			{3 * time.Hour, false, false},
			{7*time.Hour + 30*time.Minute, false, true},
		}},
		{"a failure at start-up is looked at in full at once", []step{
			{0, true, true},
			{time.Minute, true, false},
			{time.Hour, true, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := schedule.DefaultCatalogue()
			c.Started(at(0))
			var got, want []string
			for _, s := range tt.steps {
				line := fmt.Sprintf("%s failed=%v", s.at, s.failed)
				got = append(got, fmt.Sprintf("%s full=%v", line, c.Full(at(s.at), s.failed)))
				want = append(want, fmt.Sprintf("%s full=%v", line, s.full))
			}
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Errorf("timeline differs\n--- got\n%s\n--- want\n%s", g, w)
			}
		})
	}
}
