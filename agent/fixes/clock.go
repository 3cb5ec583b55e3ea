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
// On macOS sntp -s allows slewing and -S stepping: with both it slews a
// small offset and steps a large one. On Linux chrony steps at once;
// timedatectl only turns on the NTP service, which then corrects the clock
// itself.
func syncClock() Fix {
	return adminChange(verdict.FixSyncClock, "Set Clock from Time Server",
		"Sets the clock from Apple's time server now, because sign-in fails when the date and time are off.",
		perOS(
			always("Clock synchronised with "+appleTimeServer,
				Step{Argv: []string{sntp, "-sS", appleTimeServer}, Admin: true}),
			firstOf("neither chrony nor systemd's timedatectl is present",
				installed(chronyc, "Clock stepped to the time server (chrony)",
					Step{Argv: []string{chronyc, "makestep"}, Admin: true}),
				installed(timedatectl, "Automatic time synchronisation turned on",
					Step{Argv: []string{timedatectl, "set-ntp", "true"}, Admin: true}))))
}
