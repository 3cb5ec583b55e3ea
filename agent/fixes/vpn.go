package fixes

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/netenv"
)

const (
	scutil = "/usr/sbin/scutil"
	nmcli  = "/usr/bin/nmcli"
)

// uuidPattern is a UUID as `scutil --nc list` prints a service ID and
// nmcli a connection's UUID. Compiled on first use, like the patterns in
// network.go: the agent only needs them when a fix is offered, and compiled
// at start-up they held 33 KB of heap (GODEBUG=inittrace=1) in every
// idpulse process for as long as it ran.
var uuidPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
})

// disconnectVPN stops each VPN the check saw connected: on macOS the
// Connected network connection services, on Linux the active
// NetworkManager VPN and WireGuard connections. The service name is text the
// user (or a VPN profile) chose, so it only ever travels as one argv
// element, and on Linux not at all: nmcli is given the connection's UUID.
func disconnectVPN() Fix {
	return change(verdict.FixDisconnectVPN, "Disconnect VPN",
		"Disconnects the active VPN, which may route Apple's traffic through a network that blocks or filters it.",
		func(c Context) (Plan, error) {
			switch c.GOOS {
			case "darwin":
			case "linux":
				if !c.LookPath(nmcli) {
					return unavailable(notInstalled("NetworkManager", nmcli))
				}
			default:
				return notSupported(c.GOOS)
			}
			ev := evidence[probes.VPNEvidence](c.Doc)
			var names []string // for the outcome
			var steps []Step
			for _, s := range connectedServices(ev) {
				var argv []string
				switch {
				case c.GOOS == "linux" && uuidPattern().MatchString(s.ID):
					// "uuid" makes nmcli take the next word as a UUID, never
					// as a name or an option.
					argv = []string{nmcli, "connection", "down", "uuid", s.ID}
				case c.GOOS == "linux":
					continue
				case uuidPattern().MatchString(s.ID):
					// The ID is exact where the name may not be: scutil
					// truncates names of 32 characters or more in its list.
					argv = []string{scutil, "--nc", "stop", s.ID}
				case !safeArg(s.Name):
					continue
				default:
					argv = []string{scutil, "--nc", "stop", s.Name}
				}
				steps = append(steps, Step{Argv: argv})
				names = append(names, fmt.Sprintf("%q", s.Name))
			}
			switch {
			case len(steps) > 0:
				return available("Disconnected VPN "+strings.Join(names, ", "), steps...)
			case ev != nil && ev.Active && c.GOOS == "linux":
				return unavailable("the VPN is not a NetworkManager connection; disconnect it in the VPN app")
			case ev != nil && ev.Active:
				return unavailable("the VPN's connection name is not known; disconnect it in the VPN app")
			}
			return unavailable("no connected VPN was found in the last check")
		})
}

// connectedServices are the Connected services of the vpn evidence.
func connectedServices(ev *probes.VPNEvidence) []netenv.NCService {
	if ev == nil {
		return nil
	}
	var out []netenv.NCService
	for _, s := range ev.Services {
		if s.Status == "Connected" {
			out = append(out, s)
		}
	}
	return out
}

// safeArg reports whether s can be handed to a command as an operand: not
// empty, no NUL (exec cannot carry it), and no leading dash (getopt_long
// permutes arguments, so "-x" after a subcommand may still be an option).
func safeArg(s string) bool {
	return s != "" && !strings.HasPrefix(s, "-") && !strings.ContainsRune(s, 0)
}
