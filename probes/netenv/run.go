// Package netenv reads the machine's network environment: default route,
// proxies, VPN services, name servers and OS version. Each reader is a pure
// parser of a command's output (tested on Linux against real macOS captures)
// behind the command.Runner exec boundary.
//
// Parsers live in portable files so that Linux CI exercises the macOS formats;
// readers take goos so that their darwin branch runs on Linux with a fake
// Runner. Nothing here keeps package-level mutable state.
package netenv

import (
	"context"
	"fmt"
	"strings"

	"github.com/idpulse/idpulse/probes/command"
)

// run is the readers' single path to a command: it refuses a nil Runner (a
// forgotten dependency must fail loudly, not panic inside a probe) and names
// the command in the error.
func run(ctx context.Context, r command.Runner, path string, args ...string) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("%s: no Runner configured", path)
	}
	return r.Run(ctx, path, args...)
}

// Absolute paths of the macOS commands the readers run. They are fixed on
// every macOS release idpulse supports; Homebrew copies are never wanted.
const (
	scutilPath = "/usr/sbin/scutil"
	routePath  = "/sbin/route"
	swVersPath = "/usr/bin/sw_vers"
	sysctlPath = "/usr/sbin/sysctl"
	ioregPath  = "/usr/sbin/ioreg"

	// ipPath is iproute2 on Linux (see routeToLinux for /usr/sbin/ip).
	ipPath = "/sbin/ip"
)

// readFields stores the values of a command's "key: value" lines (sw_vers,
// route -n get) into the strings named by their keys, trimmed; other lines
// and keys are skipped.
func readFields(out string, into map[string]*string) {
	for line := range strings.Lines(out) {
		k, v, ok := strings.Cut(line, ":")
		if dst, known := into[strings.TrimSpace(k)]; ok && known {
			*dst = strings.TrimSpace(v)
		}
	}
}
