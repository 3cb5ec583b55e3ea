package netenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeRunner replays canned command outputs keyed by "path arg arg", and
// records what was asked so tests can assert the exact argv a reader used.
type fakeRunner struct {
	replies map[string]fakeReply

	mu    sync.Mutex
	calls []string
}

type fakeReply struct {
	out string
	err error
}

func (f *fakeRunner) Run(ctx context.Context, path string, args ...string) ([]byte, error) {
	key := strings.Join(append([]string{path}, args...), " ")
	f.mu.Lock()
	f.calls = append(f.calls, key)
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep, ok := f.replies[key]
	if !ok {
		return nil, fmt.Errorf("fake runner: unexpected command %q", key)
	}
	return []byte(rep.out), rep.err
}

func (f *fakeRunner) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testdataPath is for readers that take a file path.
func testdataPath(name string) string { return filepath.Join("testdata", name) }

// addTestdataSeeds seeds a fuzz target with every testdata capture whose name
// starts with prefix, so fuzzing starts from real shapes.
func addTestdataSeeds(f *testing.F, prefix string) {
	f.Helper()
	matches, err := filepath.Glob(filepath.Join("testdata", prefix+"*"))
	if err != nil {
		f.Fatal(err)
	}
	n := 0
	for _, m := range matches {
		if strings.HasSuffix(m, ".source.txt") {
			continue
		}
		b, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		n++
	}
	if n == 0 {
		f.Fatalf("no testdata seeds for %q", prefix)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRunNilRunner(t *testing.T) {
	if _, err := run(context.Background(), nil, "/usr/sbin/scutil", "--proxy"); err == nil || !strings.Contains(err.Error(), "no Runner") {
		t.Errorf("error %v, want one naming the missing Runner", err)
	}
}
