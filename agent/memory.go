package agent

import "runtime/debug"

// releaseMemory returns the heap a finished cycle used to the operating
// system, because the agent is about to sleep for most of a minute with
// almost none of it live.
//
// Why: a cycle allocates several MB (TLS handshakes with hybrid key
// exchange, DNS, the feed) against about 1 MB that stays live, so the Go
// heap grows to its minimum goal (4 MB at GOGC=100) every cycle. The
// runtime's background scavenger keeps up to about 10% over that goal
// resident and releases the rest slowly, so between cycles the agent held
// 3-5 MB of free heap pages: the difference between inside and outside its
// 25 MB RSS budget (cmd/idpulse/e2e BenchmarkAgentRSS has the figures).
//
// Cost, once a cycle (a minute on the default schedule): one forced GC of
// a ~1 MB live heap plus the madvise calls that release the free spans
// (BenchmarkReleaseMemory: about 8 ms wall a call on a shared 2-core
// machine, of which the collection is about 1 ms of CPU by gctrace), and
// the next cycle's first touches of the released pages (minor faults). It
// runs at the end of a cycle, never between cycles, so the idle window
// stays without wake-ups (BenchmarkAgentFootprint: idle-wakeups-per-min 0).
func releaseMemory() { debug.FreeOSMemory() }
