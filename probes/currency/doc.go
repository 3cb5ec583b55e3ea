// Package currency says whether this Mac runs the current release of its
// macOS line, by Apple's own list (gdmf.apple.com/v2/pmv, the "Apple
// Software Lookup Service" MDM servers read): Apple Support's first
// question for an error 3014 is "is macOS up to date?".
//
// It is pure except for Fetch (one HTTP GET through the caller's client)
// and Cache (one small file): Parse reads Apple's response, Version and
// Compare order releases (10.x majors against 11 and later, minors,
// patches, "(a)" security responses, betas), and Assess judges an installed
// version against the newest release of its line with an injected clock.
//
// # Trust
//
// gdmf.apple.com is served on Apple's private PKI. The fetch verifies its
// chain against the embedded Apple Root CA alone (AppleRoots), never the
// system's roots: a TLS-inspecting proxy, whose CA the Mac may well trust,
// then fails verification, which the probe reports as "gdmf.apple.com's
// certificate is not Apple's" (class cert_untrusted, interception) — a
// finding in itself, never "outdated".
//
// # Timing: never on the sign-in path's critical timing
//
// The probe (probes.Currency) runs in the cycle like every probe, each in
// its own goroutine, so no sign-in probe ever waits for it. It reads the
// cache first; while the cache is fresh (for Refresh plus up to
// RefreshJitter after the last fetch) it makes no request at all, which is
// every cycle but about one a day. When the cache is due, the request runs
// inside the probe, concurrently with the others, under a budget shorter
// than the probe's own timeout; the response is small (about 60 KB), so it
// does not crowd the sign-in handshakes being timed. A failed request is
// remembered in the cache and not repeated for Retry (plus jitter), so a
// network that blocks gdmf costs one attempt an hour, not one a minute.
// The agent therefore needs no background refresher of its own: its
// regular cycles are the refresh.
//
// Unknown stays unknown: no version, no list, or no release of the
// installed line in it is StateUnknown, never StateCurrent.
package currency
