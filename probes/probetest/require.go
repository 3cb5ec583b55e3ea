package probetest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
)

// Require is the one place a test gives up for want of a tool, root or a
// namespace. With problem nil it does nothing. Otherwise it skips tb with
// problem and hint (what to install or run, shown to the developer), or fails
// it when envVar is "1": CI sets the IDPULSE_REQUIRE_* variables so that a
// machine that cannot run a test fails instead of passing silently.
func Require(tb testing.TB, envVar string, problem error, hint string) {
	tb.Helper()
	if problem == nil {
		return
	}
	msg := problem.Error()
	if hint != "" {
		msg += " (" + hint + ")"
	}
	if os.Getenv(envVar) == "1" {
		tb.Fatalf("%s; %s=1: this test must run on this machine", msg, envVar)
	}
	tb.Skipf("%s; set %s=1 to fail instead", msg, envVar)
}

// RequireTool returns the path of the program tool, or Requires it.
func RequireTool(tb testing.TB, envVar, tool, hint string) string {
	tb.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		Require(tb, envVar, fmt.Errorf("needs %s: %w", tool, err), hint)
	}
	return path
}

// RootEnv makes the tests that need root fail instead of skipping: CI runs
// as root, so a test that skips there for want of it hides a gap.
const RootEnv = "IDPULSE_REQUIRE_ROOT"

// RequireRoot Requires root, for what (giving files away, mounting, ...);
// err, when not nil, is a root-only step that failed anyway (a filesystem
// without chattr +i, a container without mount rights) and Requires the
// same way.
func RequireRoot(tb testing.TB, what string, err error) {
	tb.Helper()
	if os.Geteuid() != 0 {
		Require(tb, RootEnv, fmt.Errorf("%s needs root", what), "run the tests as root")
	}
	if err != nil {
		Require(tb, RootEnv, fmt.Errorf("%s: %w", what, err), "")
	}
}

// SyncBuffer is a bytes.Buffer that one goroutine (os/exec copying a
// child's output) writes while the test reads it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
