package fixes

import "github.com/idpulse/idpulse/agent/verdict"

const (
	dscacheutil = "/usr/bin/dscacheutil"
	killall     = "/usr/bin/killall"
	resolvectl  = "/usr/bin/resolvectl"
)

// flushDNS drops cached answers, which outlive a fixed hosts file or DNS
// server. On macOS 10.11 and later both caches must go: Directory Service's
// and mDNSResponder's (HUP makes it flush without restarting). On Linux
// only systemd-resolved keeps a system-wide cache worth flushing; glibc
// alone caches nothing.
func flushDNS() Fix {
	return adminChange(verdict.FixFlushDNS, "Flush DNS Cache",
		"Clears the system's cached DNS answers so a corrected hosts file or DNS server takes effect at once.",
		perOS(
			always("DNS cache flushed",
				Step{Argv: []string{dscacheutil, "-flushcache"}, Admin: true},
				Step{Argv: []string{killall, "-HUP", "mDNSResponder"}, Admin: true}),
			firstOf("systemd-resolved not present",
				installed(resolvectl, "DNS cache flushed", Step{Argv: []string{resolvectl, "flush-caches"}, Admin: true}))))
}
