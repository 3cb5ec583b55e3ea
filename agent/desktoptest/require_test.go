//go:build linux

package desktoptest

import (
	"fmt"
	"runtime"
	"testing"
)

// recordTB stands in for a test to see what RequireDaemon does to it. Like
// a real test, it stops the goroutine at Fatalf and Skipf.
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

func TestRequireDaemonWithoutDaemon(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, env := range []string{"", "0", "1"} {
		t.Setenv(RequireEnv, env)
		r := &recordTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			RequireDaemon(r)
		}()
		<-done
		if env == "1" {
			if r.fatal == "" || r.skip != "" {
				t.Errorf("%s=%q: fatal %q, skip %q; want a failure", RequireEnv, env, r.fatal, r.skip)
			}
		} else if r.skip == "" || r.fatal != "" {
			t.Errorf("%s=%q: fatal %q, skip %q; want a skip", RequireEnv, env, r.fatal, r.skip)
		}
	}
}
