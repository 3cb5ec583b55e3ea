package probetest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// recordTB stands in for a test to see what Require does to it. Like a real
// test, it stops the goroutine at Fatalf and Skipf.
type recordTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recordTB) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// record runs f against a recordTB, as a test's own goroutine would.
func record(t *testing.T, f func(tb testing.TB)) *recordTB {
	r := &recordTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// TestRequire: a problem skips the test, or fails it under the variable's
// "1"; RequireRoot makes a missing root, or a root-only step that failed,
// such a problem.
func TestRequire(t *testing.T) {
	const env = "IDPULSE_REQUIRE_PROBETEST_SELFTEST"
	problem := errors.New("needs a thing")
	require := func(tb testing.TB, err error) { Require(tb, env, err, "apt-get install thing") }
	stepFailed := errors.New("Operation not supported")
	requireRoot := func(tb testing.TB, err error) { RequireRoot(tb, "chattr +i", err) }
	for _, tt := range []struct {
		envVar, env string
		call        func(testing.TB, error)
		problem     error
		fatal, skip bool
		contains    string
	}{
		{env, "", require, problem, false, true, "needs a thing (apt-get install thing); set " + env + "=1 to fail instead"},
		{env, "0", require, problem, false, true, ""},
		{env, "1", require, problem, true, false, env + "=1: this test must run"},
		{env, "1", require, nil, false, false, ""},
		{RootEnv, "", requireRoot, nil, false, os.Geteuid() != 0, ""},
		{RootEnv, "", requireRoot, stepFailed, false, true, "chattr +i: "},
		{RootEnv, "1", requireRoot, stepFailed, true, false, RootEnv + "=1: this test must run"},
	} {
		t.Setenv(tt.envVar, tt.env)
		r := record(t, func(tb testing.TB) { tt.call(tb, tt.problem) })
		if (r.fatal != "") != tt.fatal || (r.skip != "") != tt.skip {
			t.Errorf("%s=%q, problem %v: fatal %q, skip %q; want fatal %v, skip %v", tt.envVar, tt.env, tt.problem, r.fatal, r.skip, tt.fatal, tt.skip)
		}
		if !strings.Contains(r.fatal+r.skip, tt.contains) {
			t.Errorf("%s=%q: message %q, want it to contain %q", tt.envVar, tt.env, r.fatal+r.skip, tt.contains)
		}
	}
}

func TestRequireTool(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r := record(t, func(tb testing.TB) { RequireTool(tb, "IDPULSE_REQUIRE_PROBETEST_SELFTEST", "dbus-daemon", "") })
	if !strings.Contains(r.skip, `needs dbus-daemon: exec: "dbus-daemon": executable file not found`) {
		t.Errorf("skip %q, want one naming the missing tool", r.skip)
	}
}
