package fixes

import "github.com/idpulse/idpulse/agent/verdict"

const (
	sntp        = "/usr/bin/sntp"
	timedatectl = "/usr/bin/timedatectl"
	chronyc     = "/usr/bin/chronyc"

	appleTimeServer = "time.apple.com"
)

// syncClock sets the clock from a time server now, rather than waiting for
// timed's hourly run: a skewed clock makes Apple's certificates look invalid.
func syncClock() Fix {
	return Fix{
		ID: verdict.FixSyncClock, Title: "Set Clock from Time Server",
		Explain:      "Sets the clock from Apple's time server now, because sign-in fails when the date and time are off.",
		NeedsAdmin:   true,
		ChangesState: true,
		plan: func(c Context) (Plan, error) {
			switch c.GOOS {
			case "darwin":
				// -s allows slewing and -S stepping; with both, sntp
				// slews a small offset and steps a large one.
				return available("Clock synchronised with "+appleTimeServer,
					Step{Argv: []string{sntp, "-sS", appleTimeServer}, Admin: true})
			case "linux":
				// chrony steps at once; timedatectl only turns on the
				// NTP service, which then corrects the clock itself.
				if c.LookPath(chronyc) {
					return available("Clock stepped to the time server (chrony)",
						Step{Argv: []string{chronyc, "makestep"}, Admin: true})
				}
				if c.LookPath(timedatectl) {
					return available("Automatic time synchronisation turned on",
						Step{Argv: []string{timedatectl, "set-ntp", "true"}, Admin: true})
				}
				return unavailable("neither chrony nor systemd's timedatectl is present")
			}
			return notSupported(c.GOOS)
		},
	}
}
