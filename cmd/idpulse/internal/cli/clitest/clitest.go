// Package clitest is what the commands' tests share: a configuration that
// points idpulse at a loopback world, injected instead of read from a file,
// an output that fails, and the check that an output says what it must.
package clitest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// WorldConfig is the default configuration aimed at w (its hosts file and
// feed), with a deadline short enough for tests and long enough for a
// loaded machine.
func WorldConfig(w *probetest.World) config.Config {
	cfg := config.Default()
	cfg.Check = w.Config
	cfg.Check.Deadline = probes.Duration(3 * time.Second)
	cfg.Check.ProbeTimeout = probes.Duration(2 * time.Second)
	cfg.AppleStatus.URL = w.FeedURL()
	return cfg
}

// Loader is a cli.LoadConfig that reads nothing: it returns cfg whatever
// --config named, and err when err is not nil.
func Loader(cfg config.Config, err error) cli.LoadConfig {
	return func(string) (config.Config, error) { return cfg, err }
}

// ErrBroken is what BrokenWriter returns.
var ErrBroken = errors.New("broken pipe")

// BrokenWriter is an output every write to fails, like a closed pipe.
type BrokenWriter struct{}

func (BrokenWriter) Write([]byte) (int, error) { return 0, ErrBroken }

// Contains fails t for each of want that out lacks.
func Contains(t testing.TB, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
