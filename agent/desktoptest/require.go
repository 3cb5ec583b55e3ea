//go:build linux

package desktoptest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// RequireEnv set to 1 (CI sets it) turns "no dbus-daemon" from a skip into a
// failure.
const RequireEnv = "IDPULSE_REQUIRE_DBUS"

// RequireDaemon returns the path of dbus-daemon. Without one it skips tb, or
// fails it when IDPULSE_REQUIRE_DBUS=1. StartBus calls it; call it yourself
// to skip before expensive setup or t.Parallel.
func RequireDaemon(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err == nil {
		return bin
	}
	msg := fmt.Sprintf("needs dbus-daemon (apt-get install dbus): %v", err)
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("%s (%s=1: the D-Bus tests must run on this machine)", msg, RequireEnv)
	}
	tb.Skipf("%s; set %s=1 to fail instead", msg, RequireEnv)
	return ""
}
