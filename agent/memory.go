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
// a ~1 MB live heap plus the madvise calls that release the free spans,
// about 1-3 ms of CPU, and the next cycle's first touches of the released
// pages (minor faults, about 1 ms for 4 MB). Nothing runs between cycles,
// so the idle window stays without wake-ups.
func releaseMemory() { debug.FreeOSMemory() }
