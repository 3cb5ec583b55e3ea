package probetest

import (
	"errors"
	"fmt"
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

func TestRequire(t *testing.T) {
	const env = "IDPULSE_REQUIRE_PROBETEST_SELFTEST"
	problem := errors.New("needs a thing")
	for _, tt := range []struct {
		env      string
		problem  error
		fatal    bool
		skip     bool
		contains string
	}{
		{env: "", problem: problem, skip: true, contains: "needs a thing (apt-get install thing); set " + env + "=1 to fail instead"},
		{env: "0", problem: problem, skip: true},
		{env: "1", problem: problem, fatal: true, contains: env + "=1: this test must run"},
		{env: "1", problem: nil},
	} {
		t.Setenv(env, tt.env)
		r := record(t, func(tb testing.TB) { Require(tb, env, tt.problem, "apt-get install thing") })
		if (r.fatal != "") != tt.fatal || (r.skip != "") != tt.skip {
			t.Errorf("%s=%q, problem %v: fatal %q, skip %q; want fatal %v, skip %v", env, tt.env, tt.problem, r.fatal, r.skip, tt.fatal, tt.skip)
		}
		if !strings.Contains(r.fatal+r.skip, tt.contains) {
			t.Errorf("%s=%q: message %q, want it to contain %q", env, tt.env, r.fatal+r.skip, tt.contains)
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
