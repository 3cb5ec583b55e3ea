package probetest

import (
	"sync"
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

// flapConcurrently calls step from 4 goroutines, 20 times each (80 calls),
// with flip alternating between calls, and returns when all are done: the
// race detector's view of a fake that tests change while probes use it.
func flapConcurrently(step func(flip bool)) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				step((i+j)%2 == 0)
			}
		})
	}
	wg.Wait()
}
