//go:build linux

package desktoptest

import (
	"testing"

	"github.com/idpulse/idpulse/probes/probetest"
)

// RequireEnv set to 1 (CI sets it) turns "no dbus-daemon" from a skip into a
// failure.
const RequireEnv = "IDPULSE_REQUIRE_DBUS"

// RequireDaemon returns the path of dbus-daemon. Without one it skips tb, or
// fails it when IDPULSE_REQUIRE_DBUS=1. StartBus calls it; call it yourself
// to skip before expensive setup or t.Parallel.
func RequireDaemon(tb testing.TB) string {
	tb.Helper()
	return probetest.RequireTool(tb, RequireEnv, "dbus-daemon", "apt-get install dbus")
}
