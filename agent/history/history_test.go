package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/readcap"
	"github.com/idpulse/idpulse/agent/statefile"
)

// The logs sit beside the state file: one directory for a user to find, and
// for an uninstaller to remove.
func TestDefaultDirIsStateFileDir(t *testing.T) {
	state, serr := statefile.DefaultPath()
	dir, derr := DefaultDir()
	if (serr == nil) != (derr == nil) {
		t.Fatalf("statefile err %v, history err %v", serr, derr)
	}
	if serr == nil && filepath.Dir(state) != dir {
		t.Errorf("DefaultDir = %q, state file in %q", dir, filepath.Dir(state))
	}
}

func TestNamedLogs(t *testing.T) {
	if got := Attempts("/s").Path; got != filepath.Join("/s", "attempts.jsonl") {
		t.Errorf("Attempts = %q", got)
	}
	if got := Transitions("/s").Path; got != filepath.Join("/s", "transitions.jsonl") {
		t.Errorf("Transitions = %q", got)
	}
}

func at(min int) time.Time { return time.Date(2026, 3, 14, 9, min, 0, 0, time.UTC) }

func TestAppendRecentRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "deep", "state")
	l := Attempts(dir)
	want := []Attempt{
		{At: at(1), Fix: "flush-dns", Outcome: "DNS cache flushed", VerdictAfter: "dns_filtered"},
		{At: at(2), Fix: "disconnect-vpn", Outcome: "failed", Error: "scutil --nc stop: exit status 1\nsecond line", Cancelled: true},
		{At: at(3), Fix: "sync-clock", Outcome: "clock set"},
	}
	for _, a := range want {
		if err := l.Append(a); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(dir); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Errorf("dir: %v, %v; want 0700", fi.Mode(), err)
	}
	if fi, err := os.Stat(l.Path); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("file: %v, %v; want 0600", fi.Mode(), err)
	}
	data, _ := os.ReadFile(l.Path)
	if n := bytes.Count(data, []byte{'\n'}); n != len(want) {
		t.Errorf("%d lines, want %d (an error with a newline must stay on one line):\n%s", n, len(want), data)
	}
	for _, tt := range []struct {
		n    int
		want []Attempt
	}{{0, want}, {-1, want}, {2, want[1:]}, {3, want}, {10, want}, {1, want[2:]}} {
		got, err := l.Recent(tt.n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Recent(%d) = %+v\nwant %+v", tt.n, got, tt.want)
		}
	}
}

func TestRecentMissingFile(t *testing.T) {
	got, err := Transitions(t.TempDir()).Recent(5)
	if got != nil || err != nil {
		t.Errorf("= %v, %v; want nil, nil", got, err)
	}
}

func TestRecentCorruptLines(t *testing.T) {
	line := func(to string) string {
		b, _ := json.Marshal(Transition{At: at(0), From: "ok", To: to, Level: "down", Headline: "h"})
		return string(b)
	}
	tests := []struct {
		name    string
		content string
		n       int
		want    []string // the To of each entry
		bad     []int
	}{
		{"clean", line("a") + "\n" + line("b") + "\n", 0, []string{"a", "b"}, nil},
		{"empty file", "", 0, nil, nil},
		{"blank lines ignored", "\n" + line("a") + "\n\n  \n" + line("b") + "\n", 0, []string{"a", "b"}, nil},
		{"CRLF", line("a") + "\r\n" + line("b") + "\r\n", 0, []string{"a", "b"}, nil},
		{"corrupt middle", line("a") + "\n{\"at\":\n" + line("b") + "\nnot json\n" + line("c") + "\n", 0, []string{"a", "b", "c"}, []int{2, 4}},
		{"wrong type", line("a") + "\n{\"at\":42}\n", 0, []string{"a"}, []int{2}},
		{"corrupt outside the window is not read", "garbage\n" + line("a") + "\n" + line("b") + "\n", 2, []string{"a", "b"}, nil},
		{"corrupt inside the window", "garbage\n" + line("a") + "\n" + line("b") + "\n", 3, []string{"a", "b"}, []int{1}},
		{"torn last line is a write in progress", line("a") + "\n" + line("b")[:20], 0, []string{"a"}, nil},
		{"whole last line without newline counts", line("a") + "\n" + line("b"), 0, []string{"a", "b"}, nil},
		{"torn line followed by more is corrupt", line("a")[:20] + line("b") + "\n" + line("c") + "\n", 0, []string{"c"}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Transitions(t.TempDir())
			if err := os.WriteFile(l.Path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := l.Recent(tt.n)
			var tos []string
			for _, g := range got {
				tos = append(tos, g.To)
			}
			if !reflect.DeepEqual(tos, tt.want) {
				t.Errorf("entries %q, want %q", tos, tt.want)
			}
			var ce *CorruptLinesError
			switch {
			case tt.bad == nil && err != nil:
				t.Errorf("err = %v, want nil", err)
			case tt.bad != nil && !errors.As(err, &ce):
				t.Errorf("err = %v, want *CorruptLinesError", err)
			case tt.bad != nil && !reflect.DeepEqual(ce.Lines, tt.bad):
				t.Errorf("bad lines %v, want %v (%v)", ce.Lines, tt.bad, err)
			}
		})
	}
}

func TestCorruptLinesErrorMessage(t *testing.T) {
	for _, tt := range []struct {
		lines []int
		want  string
	}{
		{[]int{3}, "history /s/a.jsonl: skipped corrupt line 3"},
		{[]int{2, 4}, "history /s/a.jsonl: skipped corrupt lines 2, 4"},
	} {
		if got := (&CorruptLinesError{Path: "/s/a.jsonl", Lines: tt.lines}).Error(); got != tt.want {
			t.Errorf("= %q, want %q", got, tt.want)
		}
	}
}

// A torn last line (a crash mid-write) costs only itself: the next append
// starts on a new line instead of gluing onto it.
func TestAppendAfterTornLine(t *testing.T) {
	l := Attempts(t.TempDir())
	if err := os.WriteFile(l.Path, []byte(`{"at":"2026-03-14T09:00:00Z","fix":"fl`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Attempt{At: at(5), Fix: "sync-clock", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Recent(0)
	var ce *CorruptLinesError
	if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Lines, []int{1}) {
		t.Errorf("err = %v, want corrupt line 1", err)
	}
	if len(got) != 1 || got[0].Fix != "sync-clock" {
		t.Errorf("= %+v, want the appended attempt", got)
	}
}

func TestCompaction(t *testing.T) {
	tests := []struct {
		name    string
		keep    int
		appends int
		want    int // lines on disk afterwards
	}{
		{"below the threshold", 5, 10, 10},
		{"one past twice keep compacts to keep", 5, 11, 5},
		{"grows again after compacting", 5, 14, 8},
		{"compacts again", 5, 17, 5},
		{"grows after the second compaction", 5, 22, 10},
		{"default keep", 0, 2*Keep + 1, Keep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Transitions(t.TempDir())
			l.keep = tt.keep
			for i := range tt.appends {
				if err := l.Append(Transition{At: at(0), To: strconv.Itoa(i)}); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(l.Path)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(data, []byte{'\n'}); n != tt.want {
				t.Fatalf("%d lines, want %d", n, tt.want)
			}
			got, err := l.Recent(0)
			if err != nil {
				t.Fatal(err)
			}
			for i, g := range got { // the newest survive, in order
				if want := strconv.Itoa(tt.appends - tt.want + i); g.To != want {
					t.Fatalf("entry %d is %q, want %q", i, g.To, want)
				}
			}
			if fi, _ := os.Stat(l.Path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
				t.Errorf("mode after compaction %v, want 0600", fi.Mode())
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(l.Path), ".*tmp*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// checkWhole asserts every line decodes and that each writer's entries are
// all there (when nothing was compacted away) and in its own order.
func checkWhole(t *testing.T, l Log[Attempt], writers, each int, compacted bool) {
	t.Helper()
	data, err := os.ReadFile(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int{}
	count := map[string]int{}
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'}) {
		var a Attempt
		if err := json.Unmarshal(line, &a); err != nil {
			t.Fatalf("line %d interleaved or torn: %q", i+1, line)
		}
		seq, _ := strconv.Atoi(a.Outcome)
		if p, ok := last[a.Fix]; ok && seq <= p {
			t.Fatalf("writer %s: entry %d after %d", a.Fix, seq, p)
		}
		last[a.Fix] = seq
		count[a.Fix]++
	}
	if compacted {
		// Entries compacted away cannot be counted, but the number of lines
		// left is fixed by the number of appends: one lost to a writer that
		// appended to a file already replaced would show here.
		lines := 0
		for range writers * each {
			if lines++; lines > 2*l.limit() {
				lines = l.limit()
			}
		}
		if n := bytes.Count(data, []byte{'\n'}); n != lines {
			t.Errorf("%d lines after %d appends, want %d: some were lost", n, writers*each, lines)
		}
		return
	}
	if len(count) != writers {
		t.Errorf("%d writers in the log, want %d", len(count), writers)
	}
	for w, n := range count {
		if n != each {
			t.Errorf("writer %s: %d entries, want %d", w, n, each)
		}
	}
}

// Long lines (a few KiB of error text) from many writers at once: each line
// is one write, so none is split by another.
func TestConcurrentAppendsDoNotInterleave(t *testing.T) {
	for _, tt := range []struct {
		name string
		keep int
	}{{"no compaction", 1000}, {"compacting while others write", 7}} {
		t.Run(tt.name, func(t *testing.T) {
			l := Attempts(t.TempDir())
			l.keep = tt.keep
			const writers, each = 8, 40
			filler := strings.Repeat("x", 4000)
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						a := Attempt{At: at(0), Fix: fmt.Sprintf("w%d", w), Outcome: strconv.Itoa(i), Error: filler}
						if err := l.Append(a); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			checkWhole(t, l, writers, each, writers*each > 2*tt.keep)
		})
	}
}

// The agent and the CLI are separate processes: the test binary re-runs
// itself as the writers.
func TestConcurrentAppendsFromProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "attempts.jsonl")
	const writers, each = 4, 50
	var cmds []*exec.Cmd
	for w := range writers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppender$")
		cmd.Env = append(os.Environ(), "HISTORY_HELPER_PATH="+path, "HISTORY_HELPER_ID=p"+strconv.Itoa(w),
			"HISTORY_HELPER_N="+strconv.Itoa(each))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer process: %v", err)
		}
	}
	checkWhole(t, Log[Attempt]{Path: path}, writers, each, false)
}

func TestHelperAppender(t *testing.T) {
	path := os.Getenv("HISTORY_HELPER_PATH")
	if path == "" {
		t.Skip("helper process for TestConcurrentAppendsFromProcesses")
	}
	n, _ := strconv.Atoi(os.Getenv("HISTORY_HELPER_N"))
	l := Log[Attempt]{Path: path, keep: 1000}
	filler := strings.Repeat("y", 3000)
	for i := range n {
		if err := l.Append(Attempt{At: at(0), Fix: os.Getenv("HISTORY_HELPER_ID"), Outcome: strconv.Itoa(i), Error: filler}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The state "directory" is a file: the error names the log.
	err := Attempts(blocker).Append(Attempt{Fix: "x"})
	if err == nil || !strings.Contains(err.Error(), "attempts.jsonl") {
		t.Errorf("err = %v, want one naming the log", err)
	}
	// A value JSON cannot encode is refused before touching the file.
	l := Log[func()]{Path: filepath.Join(dir, "f.jsonl")}
	if err := l.Append(func() {}); err == nil {
		t.Error("encoding a func succeeded")
	}
	if _, err := os.Stat(l.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("log created for a value that failed to encode: %v", err)
	}
}

// An append knows the line count from the one before: the log is read to
// count once per process, and again only after another writer touched it.
func TestAppendDoesNotRereadTheLog(t *testing.T) {
	dir := t.TempDir()
	l := Attempts(dir)
	l.keep = 5
	for i := range 23 { // compacts twice on the way
		if err := l.Append(Attempt{At: at(0), Fix: "f", Outcome: strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if l.count.counted != 1 {
		t.Fatalf("log read to count %d times in 23 appends, want once", l.count.counted)
	}
	// Another process appends (a Log of its own, counting afresh).
	if err := (Log[Attempt]{Path: l.Path, keep: 5}).Append(Attempt{Fix: "other"}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := l.Append(Attempt{At: at(0), Fix: "f"}); err != nil {
			t.Fatal(err)
		}
	}
	if l.count.counted != 2 {
		t.Fatalf("counted %d times, want twice: once more after the other writer", l.count.counted)
	}
	data, _ := os.ReadFile(l.Path)
	// 23 appends: 11 compacts to 5, grows to 10 at 16, 11 compacts to 5 at
	// 17, 6 more make 11 at 23 → 5; then 4 more make 9.
	if n := bytes.Count(data, []byte{'\n'}); n != 9 {
		t.Errorf("%d lines, want 9", n)
	}
}

// A log over MaxBytes (a few huge lines, a hand edit) is compacted by the
// next append from its tail, and Recent refuses it until then.
func TestLogOverMaxBytes(t *testing.T) {
	l := Attempts(t.TempDir())
	big := strings.Repeat("y", MaxBytes/4)
	for i := range 5 {
		line, _ := json.Marshal(Attempt{Fix: strconv.Itoa(i), Error: big})
		f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(append(line, '\n'))
		f.Close()
	}
	_, err := l.Recent(1)
	var tl *readcap.TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), l.Path) || !strings.Contains(err.Error(), "4 MiB") {
		t.Fatalf("Recent: err = %v, want a too-large error naming %s and 4 MiB", err, l.Path)
	}
	if err := l.Append(Attempt{Fix: "new"}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(l.Path)
	if fi.Size() > MaxBytes {
		t.Fatalf("log is %d bytes after the append, want at most %d", fi.Size(), MaxBytes)
	}
	got, err := l.Recent(0)
	if err != nil {
		t.Fatal(err)
	}
	var fixes []string
	for _, a := range got {
		fixes = append(fixes, a.Fix)
	}
	// The window holds the last 4 MiB: lines 2, 3, 4 whole (1 is cut, dropped) and the new one.
	if strings.Join(fixes, ",") != "2,3,4,new" {
		t.Errorf("kept %v, want 2,3,4,new", fixes)
	}
}
