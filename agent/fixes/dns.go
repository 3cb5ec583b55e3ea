package fixes

import "github.com/idpulse/idpulse/agent/verdict"

const (
	dscacheutil = "/usr/bin/dscacheutil"
	killall     = "/usr/bin/killall"
	resolvectl  = "/usr/bin/resolvectl"
)

// flushDNS drops cached answers, which outlive a fixed hosts file or DNS
// server. On macOS 10.11 and later both caches must go: Directory Service's
// and mDNSResponder's (HUP makes it flush without restarting).
func flushDNS() Fix {
	return Fix{
		ID: verdict.FixFlushDNS, Title: "Flush DNS Cache",
		Explain:      "Clears the system's cached DNS answers so a corrected hosts file or DNS server takes effect at once.",
		NeedsAdmin:   true,
		ChangesState: true,
		plan: func(c Context) (Plan, error) {
			switch c.GOOS {
			case "darwin":
				return available("DNS cache flushed",
					Step{Argv: []string{dscacheutil, "-flushcache"}, Admin: true},
					Step{Argv: []string{killall, "-HUP", "mDNSResponder"}, Admin: true})
			case "linux":
				// Only systemd-resolved keeps a system-wide cache worth
				// flushing; glibc alone caches nothing.
				if !c.LookPath(resolvectl) {
					return unavailable("systemd-resolved not present")
				}
				return available("DNS cache flushed", Step{Argv: []string{resolvectl, "flush-caches"}, Admin: true})
			}
			return notSupported(c.GOOS)
		},
	}
}
