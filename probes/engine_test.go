package probes_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
)

// fakeProbe behaves as told: sleep honouring ctx, ignore ctx, or panic.
type fakeProbe struct {
	id        probes.ID
	sleep     time.Duration
	ignoreCtx bool
	panics    bool
	running   *atomic.Int32
	maxSeen   *atomic.Int32
}

func (p fakeProbe) ID() probes.ID { return p.id }

func (p fakeProbe) Run(ctx context.Context) probes.Result {
	if p.running != nil {
		n := p.running.Add(1)
		defer p.running.Add(-1)
		for {
			m := p.maxSeen.Load()
			if n <= m || p.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
	}
	if p.panics {
		panic("boom")
	}
	if p.ignoreCtx {
		time.Sleep(p.sleep)
		return probes.Result{Status: probes.StatusOK, Summary: "late"}
	}
	select {
	case <-time.After(p.sleep):
		return probes.Result{Status: probes.StatusOK, Summary: "done"}
	case <-ctx.Done():
		return probes.Result{Status: probes.StatusFail, Summary: "timed out"}
	}
}

func TestEngineIsolatesBrokenProbes(t *testing.T) {
	list := []probes.Probe{
		fakeProbe{id: "fast", sleep: time.Millisecond},
		fakeProbe{id: "panics", panics: true},
		fakeProbe{id: "hangs", sleep: time.Hour, ignoreCtx: true},
		fakeProbe{id: "polite", sleep: time.Hour},
	}
	res := probes.Engine{Deadline: 200 * time.Millisecond}.Run(context.Background(), list)
	want := []struct {
		id     probes.ID
		status probes.Status
	}{{"fast", probes.StatusOK}, {"panics", probes.StatusError}, {"hangs", probes.StatusError}, {"polite", probes.StatusFail}}
	if len(res) != len(want) {
		t.Fatalf("got %d results, want %d", len(res), len(want))
	}
	for i, w := range want {
		if res[i].ID != w.id || res[i].Status != w.status {
			t.Errorf("result %d = %s/%s (%s), want %s/%s", i, res[i].ID, res[i].Status, res[i].Summary, w.id, w.status)
		}
	}
	ev, ok := res[1].Evidence.(*probes.ErrorEvidence)
	if !ok || ev.Error != "boom" {
		t.Errorf("panic evidence = %#v", res[1].Evidence)
	}
}

func TestEngineRunsProbesConcurrently(t *testing.T) {
	var running, maxSeen atomic.Int32
	var list []probes.Probe
	for _, id := range []probes.ID{"a", "b", "c", "d", "e"} {
		list = append(list, fakeProbe{id: id, sleep: 50 * time.Millisecond, running: &running, maxSeen: &maxSeen})
	}
	res := probes.Engine{Deadline: 10 * time.Second}.Run(context.Background(), list)
	for i, r := range res {
		if r.ID != list[i].ID() || r.Status != probes.StatusOK {
			t.Errorf("result %d = %s/%s", i, r.ID, r.Status)
		}
	}
	if maxSeen.Load() != int32(len(list)) {
		t.Errorf("at most %d probes ran at once, want all %d", maxSeen.Load(), len(list))
	}
}

func TestResultJSONShape(t *testing.T) {
	r := probes.Result{ID: probes.IDDNS, Status: probes.StatusWarn, Summary: "s", Duration: 1500 * time.Microsecond}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["id"] != "dns" || m["status"] != "warn" || m["duration_ms"] != 1.5 {
		t.Errorf("json = %s", b)
	}
	if ev, ok := m["evidence"].(map[string]any); !ok || len(ev) != 0 {
		t.Errorf("evidence of a probe without evidence = %v, want {}", m["evidence"])
	}
	p, _ := json.Marshal(probes.Phases{Resolve: time.Millisecond, TLS: 2 * time.Millisecond})
	if string(p) != `{"resolve_ms":1,"tls_ms":2}` {
		t.Errorf("phases = %s", p)
	}
}

// BenchmarkCycleParallel measures a cycle's wall time against its slowest
// probe: with truly parallel probes the ratio stays close to 1.
func BenchmarkCycleParallel(b *testing.B) {
	var list []probes.Probe
	slowest := 40 * time.Millisecond
	for i, d := range []time.Duration{5, 10, 20, 30, 40, 25, 15, 35, 40, 10, 20, 5} {
		list = append(list, fakeProbe{id: probes.ID(rune('a' + i)), sleep: d * time.Millisecond})
	}
	e := probes.Engine{Deadline: 5 * time.Second}
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		e.Run(context.Background(), list)
		total += time.Since(start)
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(slowest), "x-slowest")
}

// TestEngineHugeDeadline: a deadline near the largest Duration is clamped,
// so the grace past it cannot overflow and cut every probe off at once.
func TestEngineHugeDeadline(t *testing.T) {
	rs := probes.Engine{Deadline: time.Duration(1<<63 - 1)}.Run(context.Background(), []probes.Probe{
		fakeProbe{id: "a", sleep: 20 * time.Millisecond},
	})
	if rs[0].Status != probes.StatusOK {
		t.Errorf("status %s (%s), want ok: the probe was cut off", rs[0].Status, rs[0].Summary)
	}
}
