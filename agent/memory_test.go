package agent_test

import (
	"runtime/metrics"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/verdict"
)

// TestAgentReleasesMemoryAfterACycle: once a cycle is done the agent hands
// its heap back to the OS before sleeping (memory.go), which the runtime
// counts as a forced collection. Nothing else in this package's tests
// forces one, so without the release the count never moves. The wait's cap
// only stops a hung test.
func TestAgentReleasesMemoryAfterACycle(t *testing.T) {
	h := start(t)
	h.ui.waitFor(t, "the first verdict", func(_ menu.Model, d *verdict.Document) bool { return d != nil })
	before := forcedGCs()
	h.checkNow(t)
	deadline := time.Now().Add(30 * time.Second)
	for forcedGCs() <= before {
		if time.Now().After(deadline) {
			t.Fatalf("no forced collection after a cycle (%d before Check Now, still %d)", before, forcedGCs())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// forcedGCs is how many collections the program has forced so far.
func forcedGCs() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
