package timeline_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/probes/filetest"
)

var t0 = time.Date(2026, 11, 2, 0, 0, 30, 0, time.UTC)

// cycle is the n-th record of a run at one check a minute from t0; every
// tenth is down.
func cycle(n int) timeline.Record {
	r := timeline.Record{At: t0.Add(time.Duration(n) * time.Minute), Code: "ok", Level: "ok", Cause: "none", TookMS: float64(n),
		Probes: "dns=ok tls=ok https=ok"}
	if n%10 == 9 {
		r.Code, r.Level, r.Cause, r.Headline = "dns_failure", "down", "network", "DNS is not working"
		r.Probes = "dns=fail tls=ok https=ok"
	}
	return r
}

func TestAppendRead(t *testing.T) {
	s := timeline.Store{Dir: filepath.Join(t.TempDir(), "timeline")}
	for n := range 3000 { // two days and a bit
		if err := s.Append(cycle(n)); err != nil {
			t.Fatal(err)
		}
	}
	all, skipped, err := s.Read(time.Time{})
	if err != nil || skipped != 0 || len(all) != 3000 {
		t.Fatalf("Read = %d records, %d skipped, %v; want 3000", len(all), skipped, err)
	}
	for i, r := range all {
		if r.TookMS != float64(i) || !r.At.Equal(cycle(i).At) || r.Code != cycle(i).Code {
			t.Fatalf("record %d = %+v, want %+v", i, r, cycle(i))
		}
	}
	since := cycle(2000).At
	some, _, err := s.Read(since)
	if err != nil || len(some) != 1000 || !some[0].At.Equal(since) {
		t.Fatalf("Read(since) = %d records from %v, %v; want 1000 from %v", len(some), some[0].At, err, since)
	}
	names, _ := os.ReadDir(s.Dir)
	if len(names) != 3 {
		t.Errorf("%d segment files, want one a day (3)", len(names))
	}
}

func TestRetentionDropsWholeDays(t *testing.T) {
	s := timeline.Store{Dir: t.TempDir(), Days: 2}
	for n := 0; n < 4*1440; n += 30 {
		if err := s.Append(cycle(n)); err != nil {
			t.Fatal(err)
		}
	}
	all, _, err := s.Read(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	first := cycle(4*1440-30).At.Truncate(24*time.Hour).AddDate(0, 0, -1)
	if len(all) == 0 || all[0].At.Before(first) {
		t.Errorf("oldest record %v, want none before %v (two days kept)", all[0].At, first)
	}
	if names, _ := os.ReadDir(s.Dir); len(names) != 2 {
		t.Errorf("%d segment files, want 2", len(names))
	}
}

// TestPruneAppliesALoweredRetention: appends prune only when a day starts,
// so a retention lowered between two runs takes effect through Prune (the
// agent calls it at start-up), not at the next midnight.
func TestPruneAppliesALoweredRetention(t *testing.T) {
	dir := t.TempDir()
	long := timeline.Store{Dir: dir, Days: 10}
	for n := 0; n < 5*1440; n += 60 {
		if err := long.Append(cycle(n)); err != nil {
			t.Fatal(err)
		}
	}
	short := timeline.Store{Dir: dir, Days: 2}
	last := cycle(5*1440 - 60).At
	if err := short.Append(cycle(5*1440 - 30)); err != nil { // same day: no prune
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 5 {
		t.Fatalf("%d segments before Prune, want all 5 (an append within a day does not prune)", len(names))
	}
	if err := short.Prune(last); err != nil {
		t.Fatal(err)
	}
	if names, _ := os.ReadDir(dir); len(names) != 2 {
		t.Errorf("%d segments after Prune, want 2", len(names))
	}
}

// TestTornTailIsSkippedAndEnded: a line cut short by a crash is skipped by
// readers, and the next append starts on a line of its own.
func TestTornTailIsSkippedAndEnded(t *testing.T) {
	s := timeline.Store{Dir: t.TempDir()}
	if err := s.Append(cycle(0)); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(s.Dir, "2026-11-02.jsonl")
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"t":"2026-11-02T00:01:30Z","code":"o`) // cut mid-record
	f.Close()
	// Until an append ends it, the cut line may be a write in progress:
	// not a record, and not a torn one yet.
	if all, skipped, err := s.Read(time.Time{}); err != nil || skipped != 0 || len(all) != 1 {
		t.Fatalf("Read with an unended line = %d records, %d skipped, %v; want 1, 0", len(all), skipped, err)
	}
	if err := s.Append(cycle(2)); err != nil {
		t.Fatal(err)
	}
	all, skipped, err := s.Read(time.Time{})
	if err != nil || skipped != 1 || len(all) != 2 || all[1].TookMS != 2 {
		t.Fatalf("Read = %+v, %d skipped, %v; want records 0 and 2 with the torn line skipped", all, skipped, err)
	}
}

func TestSymlinkedSegmentIsRefused(t *testing.T) {
	s := timeline.Store{Dir: t.TempDir()}
	victim := filetest.Plant(t, filepath.Join(s.Dir, "2026-11-02.jsonl"))
	if err := s.Append(cycle(0)); err == nil {
		t.Error("Append through a planted symlink succeeded")
	}
	filetest.Untouched(t, victim)
}

// TestReadWhileWriting: a reader in another goroutine sees an ordered
// prefix of what the writer has appended, never an error or a torn record.
func TestReadWhileWriting(t *testing.T) {
	s := timeline.Store{Dir: t.TempDir()}
	const n = 2000
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			if err := s.Append(cycle(i)); err != nil {
				t.Error(err)
				return
			}
		}
	})
	reads := 0
	for done := false; !done; reads++ {
		all, skipped, err := s.Read(time.Time{})
		if err != nil || skipped != 0 {
			t.Errorf("read %d: %v, %d skipped", reads, err, skipped)
			break
		}
		for i, r := range all {
			if r.TookMS != float64(i) {
				t.Errorf("read %d: record %d is %v, want the writer's %d-th", reads, i, r.TookMS, i)
				break
			}
		}
		done = len(all) == n || t.Failed()
	}
	wg.Wait()
	t.Logf("%d reads while %d records were written", reads, n)
}

// TestCrashSafety kills a writer process with SIGKILL 50 times at arbitrary
// points of its append loop: after each kill the store reads without error,
// in order, with every record of earlier runs intact and at most the last
// one lost.
func TestCrashSafety(t *testing.T) {
	if dir := os.Getenv("IDPULSE_TIMELINE_WRITER"); dir != "" {
		from, _ := strconv.Atoi(os.Getenv("IDPULSE_TIMELINE_FROM"))
		s := timeline.Store{Dir: dir}
		for i := from; ; i++ {
			if err := s.Append(cycle(i)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			// Paced, so the parent's kill lands after a few hundred
			// records rather than tens of thousands.
			time.Sleep(100 * time.Microsecond)
		}
	}
	dir := t.TempDir()
	s := timeline.Store{Dir: dir}
	next := 0 // the first sequence number the next writer appends
	for round := range 50 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSafety$")
		cmd.Env = append(os.Environ(), "IDPULSE_TIMELINE_WRITER="+dir, "IDPULSE_TIMELINE_FROM="+strconv.Itoa(next))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		// Once it writes, let it run a varying while, then kill it
		// wherever it is in its loop.
		for {
			all, _, err := s.Read(cycle(next).At)
			if err != nil {
				t.Fatalf("round %d, writer running: %v", round, err)
			}
			if len(all) > 0 {
				break
			}
			select {
			case <-exited:
				t.Fatalf("writer exited: %s", stderr.String())
			default:
			}
		}
		time.Sleep(time.Duration(rand.IntN(20_000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited

		all, skipped, err := s.Read(time.Time{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if skipped > round+1 {
			t.Fatalf("round %d: %d torn lines, more than one per kill", round, skipped)
		}
		seq := -1
		for _, r := range all {
			if int(r.TookMS) <= seq {
				t.Fatalf("round %d: record %v after %d: out of order or repeated", round, r.TookMS, seq)
			}
			if c := cycle(int(r.TookMS)); !r.At.Equal(c.At) || r.Code != c.Code || r.Probes.Get("dns") != c.Probes.Get("dns") {
				t.Fatalf("round %d: record %+v, want %+v", round, r, c)
			}
			seq = int(r.TookMS)
		}
		if seq < next {
			t.Fatalf("round %d: last record %d, the writer had written %d", round, seq, next)
		}
		next = seq + 1
	}
	t.Logf("50 kills, %d records", next)
}
