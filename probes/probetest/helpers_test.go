package probetest

import (
	"testing"
	"time"
)

// waitFor polls cond until it holds. The bound is only a safety net against a
// hung test; nothing passes or fails because something was fast or slow.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
