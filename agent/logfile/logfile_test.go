package logfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestOpenValidates(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		max  int64
		keep int
		want string
	}{{0, 1, "maxBytes must be positive"}, {-5, 1, "maxBytes"}, {10, -1, "keep must not be negative"}} {
		if _, err := Open(filepath.Join(dir, "a.log"), tt.max, tt.keep); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%d, %d) = %v, want %q", tt.max, tt.keep, err, tt.want)
		}
	}
}

func TestRotation(t *testing.T) {
	tests := []struct {
		name   string
		max    int64
		keep   int
		writes []string
		want   map[string]string // file suffix ("" is the live file) → content; others must not exist
	}{
		{"fits exactly", 10, 2, []string{"aaaaa", "bbbbb"},
			map[string]string{"": "aaaaabbbbb"}},
		{"one byte over rotates", 10, 2, []string{"aaaaa", "bbbbb", "c"},
			map[string]string{"": "c", ".1": "aaaaabbbbb"}},
		{"write that would cross rotates first", 10, 2, []string{"aaaaaaaa", "bbb"},
			map[string]string{"": "bbb", ".1": "aaaaaaaa"}},
		{"oversized record goes whole into a fresh file", 4, 2, []string{"ab", "0123456789", "cd"},
			map[string]string{"": "cd", ".1": "0123456789", ".2": "ab"}},
		{"oversized first record is not rotated away", 4, 2, []string{"0123456789"},
			map[string]string{"": "0123456789"}},
		{"keep drops the oldest", 3, 2, []string{"111", "222", "333", "444", "555"},
			map[string]string{"": "555", ".1": "444", ".2": "333"}},
		{"keep 1", 3, 1, []string{"111", "222", "333"},
			map[string]string{"": "333", ".1": "222"}},
		{"keep 0 truncates", 3, 0, []string{"111", "222", "333"},
			map[string]string{"": "333"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "idpulse.log")
			w, err := Open(path, tt.max, tt.keep)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				got[strings.TrimPrefix(e.Name(), "idpulse.log")] = string(b)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("files = %v, want %v", got, tt.want)
			}
		})
	}
}

// A restarted agent continues its file and rotates it at the same size.
func TestReopenAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idpulse.log")
	for _, s := range []string{"first\n", "second\n"} {
		w, err := Open(path, 16, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	if b, _ := os.ReadFile(path); string(b) != "first\nsecond\n" {
		t.Fatalf("content = %q", b)
	}
	w, err := Open(path, 16, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write([]byte("third\n")) // 13 + 6 > 16: rotates
	if b, _ := os.ReadFile(path + ".1"); string(b) != "first\nsecond\n" {
		t.Errorf(".1 = %q", b)
	}
	if b, _ := os.ReadFile(path); string(b) != "third\n" {
		t.Errorf("live = %q", b)
	}
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Logs", "idpulse")
	w, err := Open(filepath.Join(dir, "idpulse.log"), 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if runtime.GOOS == "windows" {
		return
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v, %v; want 0700", fi.Mode().Perm(), err)
	}
}

func TestWriteAfterClose(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "x.log"), 100, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Write after Close = %v, want fs.ErrClosed", err)
	}
}

// Many goroutines logging through slog while the file rotates: every record
// must land whole, exactly once, in one of the files.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "idpulse.log")
	const workers, perWorker = 8, 200
	// Large enough keep that nothing is dropped, small maxBytes so it rotates often.
	w, err := Open(path, 4096, workers*perWorker)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				logger.Info("probe done", "worker", g, "seq", i, "pad", strings.Repeat("x", 40))
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	seen := map[string]int{}
	files := 0
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		files++
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		if fi.Size() > 4096 {
			t.Errorf("%s is %d bytes, over the limit", e.Name(), fi.Size())
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			var g, i int
			if _, err := fmt.Sscanf(line, "level=INFO msg=\"probe done\" worker=%d seq=%d pad="+strings.Repeat("x", 40), &g, &i); err != nil {
				t.Fatalf("torn line in %s: %q", e.Name(), line)
			}
			seen[line]++
		}
		f.Close()
	}
	if len(seen) != workers*perWorker {
		t.Errorf("found %d distinct records, want %d", len(seen), workers*perWorker)
	}
	for line, n := range seen {
		if n != 1 {
			t.Errorf("record %q appears %d times", line, n)
		}
	}
	if files < 3 {
		t.Errorf("only %d files: the test did not exercise rotation", files)
	}
}

// When rotation fails the record is still written (to the current file) and
// the failure reported; the next write tries again.
func TestRotationFailureKeepsRecords(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "idpulse.log")
	// A non-empty directory where the backup must go makes the rename fail.
	if err := os.MkdirAll(filepath.Join(path+".1", "blocker"), 0o700); err != nil {
		t.Fatal(err)
	}
	w, err := Open(path, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write([]byte("aaaa"))
	n, err := w.Write([]byte("bbbb"))
	if n != 4 || err == nil || !strings.Contains(err.Error(), "rotate log") {
		t.Fatalf("Write = %d, %v; want 4 and a rotation error", n, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "aaaabbbb" {
		t.Errorf("live file = %q, want both records", b)
	}
	os.RemoveAll(path + ".1")
	if _, err := w.Write([]byte("cccc")); err != nil {
		t.Fatalf("Write after the obstacle is gone = %v", err)
	}
	if b, _ := os.ReadFile(path + ".1"); string(b) != "aaaabbbb" {
		t.Errorf(".1 = %q", b)
	}
}
