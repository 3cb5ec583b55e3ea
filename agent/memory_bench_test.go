package agent

import (
	"runtime"
	"testing"
)

// BenchmarkReleaseMemory is releaseMemory's cost once a cycle, on a heap
// shaped like the agent's after one: about 1 MiB live in small objects and
// 4 MiB of garbage to collect and hand back. ns/op is the forced collection
// and the release together: the CPU the agent adds to each cycle.
func BenchmarkReleaseMemory(b *testing.B) {
	live := make([][]byte, 0, 1<<14)
	for range 1 << 14 {
		live = append(live, make([]byte, 64))
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		garbage := make([][]byte, 0, 1<<12)
		for range 1 << 12 {
			garbage = append(garbage, make([]byte, 1<<10))
		}
		runtime.KeepAlive(garbage)
		b.StartTimer()
		releaseMemory()
	}
	runtime.KeepAlive(live)
}
