package verdict

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/currency"
)

// Code identifies a verdict or a finding. Verdict codes are part of the
// idpulse.check/v1 contract; each is declared by its rows in Rules.
type Code string

const (
	CodeOK               Code = "ok"
	CodeOffline          Code = "offline"
	CodeCaptivePortal    Code = "captive_portal"
	CodeHostsOverride    Code = "hosts_override"
	CodeDNSFiltered      Code = "dns_filtered"
	CodeDNSFailure       Code = "dns_failure"
	CodeProxyFailure     Code = "proxy_failure"
	CodeBlocked          Code = "blocked"
	CodeTLSInterception  Code = "tls_interception"
	CodeClockSkew        Code = "clock_skew"
	CodeAppleOutage      Code = "apple_outage"
	CodeAppleUnreachable Code = "apple_unreachable"
	CodePushBlocked      Code = "push_blocked"
	CodeMTUBlackhole     Code = "mtu_blackhole"
	CodeSlowNetwork      Code = "slow_network"
	CodeCheckIncomplete  Code = "check_incomplete"
	CodeUpdateBlocked    Code = "update_blocked"

	FindingVPNActive        Code = "vpn_active"
	FindingProxyConfigured  Code = "proxy_configured"
	FindingClockDrift       Code = "clock_drift"
	FindingNTPUnavailable   Code = "ntp_unavailable"
	FindingAppleIssue       Code = "apple_issue"
	FindingAppleMaintenance Code = "apple_maintenance"
	FindingFeedUnavailable  Code = "feed_unavailable"
	FindingIPv6Broken       Code = "ipv6_broken"
	FindingServiceBlocked   Code = "service_blocked"
	FindingMacOSOutdated    Code = "macos_outdated"
)

// Fix ids: what the user can do. agent/fixes implements them.
const (
	FixFlushDNS            = "flush-dns"
	FixRemoveHostsEntries  = "remove-hosts-entries"
	FixOpenNetworkSettings = "open-network-settings"
	FixOpenProxySettings   = "open-proxy-settings"
	FixOpenVPNSettings     = "open-vpn-settings"
	FixDisconnectVPN       = "disconnect-vpn"
	FixOpenCaptivePortal   = "open-captive-portal"
	FixTryOtherNetwork     = "try-other-network"
	FixToggleWiFi          = "toggle-wifi"
	FixRenewDHCP           = "renew-dhcp"
	FixSyncClock           = "sync-clock"
	FixOpenDateTime        = "open-date-time"
	FixOpenSystemStatus    = "open-system-status"
	FixContactSupport      = "contact-support"
	FixOpenSoftwareUpdate  = "open-software-update"
)

// Rule declares one verdict or finding code (or one row of it: see the
// package doc). Everything else in the program that needs to know about a
// code (the alert's label, the fixes that address it, the report's chain)
// reads it here.
type Rule struct {
	Code  Code
	Kind  Kind
	Level Level
	Cause Cause
	// Probes are the probes whose evidence the rule reads, the one it is
	// filed under first (a finding's "probe", the report's chain).
	Probes []probes.ID
	// DependsOn are the codes that explain this one away when they match
	// (transitively: see the package doc).
	DependsOn []Code
	// UnlessVerdict (findings only) are the verdicts that already say what
	// the finding would: it is left out when one of them is the verdict,
	// and shown beside any other.
	UnlessVerdict []Code
	// Label is the code's short name in a list of problems ("DNS blocked").
	Label string
	// Fixes are the fix ids that address the code, best first.
	Fixes []string
	// VPNSuspect marks a network cause a VPN can produce: with a VPN active
	// the verdict says so and offers disconnect-vpn.
	VPNSuspect bool
	// Match detects the code, and nothing else: the words come from
	// Headline, Detail and Evidence, which run only when Match did.
	Match    func(*Facts) bool
	Headline func(*Facts) string
	Detail   func(*Facts) string
	Evidence func(*Facts) []string // nil: none
}

// Rules is every verdict and finding rule. Verdict rules come in root-cause
// order, which only breaks ties (see the package doc); the healthy verdict
// is declared too. The table is built on each call, so callers cannot change
// another caller's rules.
func Rules() []Rule {
	network := []string{FixOpenNetworkSettings, FixToggleWiFi, FixRenewDHCP, FixTryOtherNetwork}
	offline := func(cause Cause, vpn bool, match func(*Facts) bool, headline, detail func(*Facts) string, evidence func(*Facts) []string) Rule {
		return Rule{Code: CodeOffline, Kind: KindVerdict, Level: LevelDown, Cause: cause, Probes: []probes.ID{probes.IDLink, probes.IDControl},
			Label: "offline", Fixes: slices.Clone(network), VPNSuspect: vpn, Match: match, Headline: headline, Detail: detail, Evidence: evidence}
	}
	hosts := func(level Level, match func(*Facts) bool) Rule {
		return Rule{Code: CodeHostsOverride, Kind: KindVerdict, Level: level, Cause: CauseLocal, Probes: []probes.ID{probes.IDHosts, probes.IDDNS},
			Label: "hosts file", Fixes: []string{FixRemoveHostsEntries, FixFlushDNS},
			Match:    match,
			Headline: text("The hosts file redirects Apple's servers"),
			Detail: func(f *Facts) string {
				var names, services []string
				for _, e := range f.hostsEntries() {
					names = append(names, e.Names...)
					for _, id := range e.Services {
						if s, ok := catalog.Lookup(id); ok && !slices.Contains(services, s.Title) {
							services = append(services, s.Title)
						}
					}
				}
				affects := ""
				if len(services) > 0 {
					affects = " It affects " + listNames(services, len(services)) + "."
				}
				return fmt.Sprintf("%s pins %s to fixed addresses, overriding DNS.%s Tools and guides that block activation or updates add such lines; remove them.",
					f.hosts.Path, listNames(names, 3), affects)
			},
			Evidence: func(f *Facts) (ev []string) {
				for _, e := range f.hostsEntries() {
					ev = append(ev, fmt.Sprintf("%s line %d: %s %s", f.hosts.Path, e.Line, e.Address, strings.Join(e.Names, " ")))
				}
				return ev
			}}
	}
	appleOutage := func(level Level, kind string, match func(*Facts) bool) Rule {
		return Rule{Code: CodeAppleOutage, Kind: KindVerdict, Level: level, Cause: CauseApple, Probes: []probes.ID{probes.IDAppleStatus},
			// Root cause first: a cause on this Mac or network is the
			// verdict even during an Apple outage, which then shows as the
			// finding apple_issue.
			DependsOn: []Code{CodeOffline, CodeCaptivePortal, CodeHostsOverride, CodeDNSFiltered, CodeDNSFailure, CodeProxyFailure,
				CodeBlocked, CodeTLSInterception, CodeClockSkew, CodeMTUBlackhole},
			Label: "Apple outage", Fixes: []string{FixOpenSystemStatus},
			Match: match,
			Headline: func(f *Facts) string {
				return fmt.Sprintf("Apple reports %s with %s — nothing to fix on this Mac", kind, f.signInProblems()[0].svc.Name)
			},
			Detail:   text("Apple System Status shows an ongoing event on a sign-in service. Apple is working on it; sign-in should work again once it is resolved."),
			Evidence: func(f *Facts) []string { return describeEvents(f.signInProblems()) }}
	}

	dnsFailure := func(fixes []string, match func(*Facts) bool, headline, detail func(*Facts) string, evidence func(*Facts) []string) Rule {
		return Rule{Code: CodeDNSFailure, Kind: KindVerdict, Level: LevelDown, Cause: CauseNetwork, Probes: []probes.ID{probes.IDDNS},
			DependsOn: []Code{CodeOffline, CodeCaptivePortal},
			Label:     "DNS failing", Fixes: fixes, VPNSuspect: true,
			Match: match, Headline: headline, Detail: detail, Evidence: evidence}
	}
	// The services whose blocked hosts are the finding service_blocked;
	// software update's are the verdict update_blocked while sign-in works.
	others := []catalog.ServiceID{catalog.ICloud, catalog.AppStore, catalog.DeviceManagement}
	withUpdate := append(slices.Clone(others), catalog.SoftwareUpdate)
	serviceBlocked := func(ids []catalog.ServiceID, unless []Code, match func(*Facts) bool) Rule {
		return Rule{Code: FindingServiceBlocked, Kind: KindFinding, Level: LevelDegraded, Cause: CauseNetwork, Probes: []probes.ID{probes.IDServices},
			// Nothing on the internet answers, no name resolves, or every
			// connection goes through a proxy that fails: none of that is
			// one service being blocked.
			DependsOn:     []Code{CodeOffline, CodeCaptivePortal, CodeDNSFailure, CodeProxyFailure},
			UnlessVerdict: unless,
			Label:         "Apple service blocked", Fixes: []string{FixTryOtherNetwork},
			Match: match,
			Headline: func(f *Facts) string {
				return "This network blocks " + serviceTitles(f.blockedServices(ids...))
			},
			Detail: func(f *Facts) string {
				return fmt.Sprintf("Connections to %s's servers are blocked, filtered or intercepted on this network, while other checks pass. Those services will not work from here; a firewall, DNS filter or security software is the usual cause.",
					serviceTitles(f.blockedServices(ids...)))
			},
			Evidence: func(f *Facts) []string { return serviceEvidence(f.blockedServices(ids...)) }}
	}

	proxyFailure := func(match func(*Facts) bool, headline, detail func(*Facts) string) Rule {
		return Rule{Code: CodeProxyFailure, Kind: KindVerdict, Level: LevelDown, Cause: CauseLocal, Probes: []probes.ID{probes.IDProxy},
			// The proxy's own name must resolve and its traffic get out.
			DependsOn: []Code{CodeDNSFailure, CodeCaptivePortal},
			Label:     "proxy failing", Fixes: []string{FixOpenProxySettings, FixTryOtherNetwork},
			Match: match, Headline: headline, Detail: detail, Evidence: (*Facts).proxyEvidence}
	}

	return []Rule{
		offline(CauseLocal, false, (*Facts).linkDown,
			text("This Mac is not connected to a network"),
			func(f *Facts) string {
				return "No network interface is up with an address and a default route (" + f.summary(probes.IDLink) + "). Connect to Wi-Fi or Ethernet."
			},
			func(f *Facts) []string { return []string{f.summary(probes.IDLink)} }),
		offline(CauseNetwork, true, (*Facts).noInternet,
			text("Connected to the network, but not to the internet"),
			text("Neither Apple nor other well-known internet services answer. The router or the internet connection itself is down; Apple ID cannot work until it is back."),
			func(f *Facts) (ev []string) {
				for _, t := range f.control.Targets {
					ev = append(ev, fmt.Sprintf("%s: %s", t.Target, t.Class))
				}
				return ev
			}),
		{Code: CodeCaptivePortal, Kind: KindVerdict, Level: LevelDown, Cause: CauseNetwork, Probes: []probes.ID{probes.IDCaptive},
			DependsOn: []Code{CodeOffline}, // no network, no portal either
			Label:     "Wi-Fi login page", Fixes: []string{FixOpenCaptivePortal, FixTryOtherNetwork}, VPNSuspect: true,
			Match:    (*Facts).portal,
			Headline: text("A Wi-Fi login page is blocking the connection"),
			Detail:   text("This network wants you to sign in or accept terms in a web page before it lets traffic through. Open the login page, then check again."),
			Evidence: func(f *Facts) []string {
				c := f.captive
				if c.Via != "" && c.Direct != nil {
					c = c.Direct // the direct check is the one that saw the portal
				}
				ev := []string{fmt.Sprintf("%s answered HTTP %d instead of Apple's Success page", c.URL, c.StatusCode)}
				if c.Location != "" {
					ev = append(ev, "redirects to "+c.Location)
				}
				if c.Via != "" {
					ev = append(ev, fmt.Sprintf("through the proxy at %s, which itself works", c.Via))
				}
				return ev
			}},
		hosts(LevelDown, func(f *Facts) bool { return len(f.hostsEntries()) > 0 && f.hostsSevere() }),
		hosts(LevelDegraded, func(f *Facts) bool { return len(f.hostsEntries()) > 0 && !f.hostsSevere() }),
		{Code: CodeDNSFiltered, Kind: KindVerdict, Level: LevelDown, Cause: CauseNetwork, Probes: []probes.ID{probes.IDDNS},
			// The system resolver answers from the hosts file; a portal
			// answers every name with its own address.
			DependsOn: []Code{CodeHostsOverride, CodeCaptivePortal},
			Label:     "DNS blocked", Fixes: []string{FixFlushDNS, FixOpenNetworkSettings, FixTryOtherNetwork}, VPNSuspect: true,
			Match:    func(f *Facts) bool { return len(f.dnsFiltered()) > 0 },
			Headline: text("This network's DNS blocks Apple's servers"),
			Detail: func(f *Facts) string {
				how := "does not give a usable address for"
				if len(f.blockPages()) > 0 {
					how = "sends to a server that is not Apple's (a block page) for"
				}
				return fmt.Sprintf("The DNS server this Mac uses %s %s, while public DNS servers give Apple's address and it answers other names. A DNS filter (router, security software, corporate or school network) is blocking Apple; Apple is fine.",
					how, listNames(f.dnsFiltered(), 3))
			},
			Evidence: func(f *Facts) []string { return f.filterEvidence() }},
		dnsFailure([]string{FixOpenNetworkSettings, FixRenewDHCP, FixTryOtherNetwork, FixFlushDNS},
			func(f *Facts) bool { return len(f.dnsBroken()) > 0 },
			text("This network's DNS server is not working"),
			func(f *Facts) string {
				d := fmt.Sprintf("The DNS server this Mac uses %s for %s", f.brokenResolverClass(), listNames(f.dnsBroken(), 3))
				if f.dns.Control != nil && !f.controlResolves() {
					d += fmt.Sprintf(", and for %s too", f.dns.Control.Name)
				}
				return d + ", while public DNS servers answer. The resolver is broken or unreachable, not blocking Apple: restart the router, or set another DNS server in Network settings."
			},
			func(f *Facts) []string {
				ev := f.lookups(f.dnsBroken())
				if c := f.dns.Control; c != nil {
					ev = append(ev, "control "+describeLookup(*c))
				}
				return append(ev, "public resolvers answer")
			}),
		dnsFailure([]string{FixFlushDNS, FixRenewDHCP, FixOpenNetworkSettings, FixTryOtherNetwork},
			func(f *Facts) bool { return len(f.dnsFailed()) > 0 && len(f.dnsBroken()) == 0 },
			text("DNS is not working"),
			func(f *Facts) string {
				return fmt.Sprintf("%s cannot be looked up, and public DNS servers cannot be asked either. The network's DNS server is down or unreachable.", listNames(f.dnsFailed(), 3))
			},
			func(f *Facts) []string { return f.lookups(f.dnsFailed()) }),
		proxyFailure(func(f *Facts) bool { return f.proxyNeedsPassword() },
			text("The proxy server needs a password"),
			func(f *Facts) string {
				return fmt.Sprintf("This Mac sends web traffic through %s (%s), and it answers \"407 Proxy Authentication Required\": it wants a user name and password that it was not given. Enter them in the proxy settings, or ask whoever runs the proxy.",
					f.proxyFailed().Proxy, f.proxySource())
			}),
		proxyFailure(func(f *Facts) bool { return f.proxyFailed() != nil && !f.proxyNeedsPassword() },
			text("The proxy server is not letting Apple through"),
			func(f *Facts) string {
				p := f.proxyFailed()
				return fmt.Sprintf("This Mac sends web traffic through %s (%s), and it fails to connect to %s. Check the proxy settings or ask whoever runs the proxy.",
					p.Proxy, f.proxySource(), p.Target)
			}),
		{Code: CodeBlocked, Kind: KindVerdict, Level: LevelDown, Cause: CauseNetwork, Probes: []probes.ID{probes.IDReach, probes.IDTLS},
			// Each sends the connections somewhere that refuses them.
			// A stalled handshake is an MTU black hole's, and a clock far
			// off makes every handshake fail.
			DependsOn: []Code{CodeCaptivePortal, CodeHostsOverride, CodeDNSFiltered, CodeProxyFailure, CodeMTUBlackhole, CodeClockSkew},
			Label:     "network blocks Apple", Fixes: []string{FixTryOtherNetwork}, VPNSuspect: true,
			Match:    func(f *Facts) bool { return len(f.blockedAttempts()) > 0 },
			Headline: text("Something on this network blocks Apple's sign-in servers"),
			Detail: func(f *Facts) string {
				bad := f.blockedAttempts()
				return fmt.Sprintf("Other internet services answer, but connections to %s are %s. A firewall, security software or the network's filtering is blocking Apple.",
					bad[0].Target, describeClass(bad[0].Class))
			},
			Evidence: func(f *Facts) (ev []string) {
				for _, a := range f.blockedAttempts() {
					ev = append(ev, describeAttempt(a))
				}
				return ev
			}},
		{Code: CodeTLSInterception, Kind: KindVerdict, Level: LevelDown, Cause: CauseNetwork, Probes: []probes.ID{probes.IDTLS},
			// A portal or a sinkhole's server answers with its own certificate.
			// A clock far off makes genuine chains look wrong too.
			DependsOn: []Code{CodeCaptivePortal, CodeHostsOverride, CodeDNSFiltered, CodeClockSkew},
			Label:     "traffic intercepted", Fixes: []string{FixTryOtherNetwork}, VPNSuspect: true,
			Match:    func(f *Facts) bool { return f.interception() != nil },
			Headline: text("A security proxy is intercepting encrypted traffic to Apple"),
			Detail: func(f *Facts) string {
				h := f.interception()
				return fmt.Sprintf("The certificate presented for %s is issued by %s, not by a certificate authority Apple uses. Corporate \"TLS inspection\" and some antivirus software do this, and Apple's services refuse it. Use another network or ask IT to exempt Apple's domains.",
					h.Target, h.Issuer)
			},
			Evidence: func(f *Facts) []string {
				h := f.interception()
				return []string{fmt.Sprintf("%s issuer: %s", h.Target, h.Issuer)}
			}},
		{Code: CodeClockSkew, Kind: KindVerdict, Level: LevelDown, Cause: CauseLocal, Probes: []probes.ID{probes.IDClock, probes.IDTLS},
			Label: "clock wrong", Fixes: []string{FixSyncClock, FixOpenDateTime},
			Match: (*Facts).clockSkewed,
			Headline: func(f *Facts) string {
				if f.clockMeasured() {
					return "This Mac's clock is " + f.offset()
				}
				return "This Mac's clock appears to be wrong"
			},
			Detail: text("Apple's servers reject sign-in when the date and time are off: their certificates look invalid and security codes expire. Set the date and time automatically, then check again."),
			Evidence: func(f *Facts) (ev []string) {
				if f.clockMeasured() {
					ev = append(ev, f.offsetEvidence())
				}
				if c := f.certTime(); c != nil {
					ev = append(ev, fmt.Sprintf("certificate for %s is %s (valid %s – %s)", c.Target,
						strings.ReplaceAll(c.Validity, "_", " "), c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly)))
				}
				return ev
			}},
		appleOutage(LevelDown, "an outage", (*Facts).signInOutage),
		appleOutage(LevelDegraded, "a problem", func(f *Facts) bool { return len(f.signInProblems()) > 0 && !f.signInOutage() }),
		{Code: CodeAppleUnreachable, Kind: KindVerdict, Level: LevelDown, Cause: CauseApple, Probes: []probes.ID{probes.IDHTTPS, probes.IDTLS},
			// Apple's own report says it better; a failing proxy or a
			// middlebox answers errors of its own.
			DependsOn: []Code{CodeAppleOutage, CodeProxyFailure, CodeBlocked, CodeTLSInterception, CodeSlowNetwork},
			Label:     "Apple unreachable", Fixes: []string{FixOpenSystemStatus},
			Match: (*Facts).appleUnreachable,
			Headline: func(f *Facts) string {
				if f.apple != nil && f.apple.Error == nil {
					return "Apple's sign-in service is having problems (not yet on Apple System Status)"
				}
				return "Apple's sign-in service is having problems"
			},
			Detail: func(f *Facts) string {
				d := "Everything on this Mac and network checks out and Apple's servers present genuine certificates, but the sign-in service itself "
				if f.https.Class == probes.ClassHTTP5xx {
					d += fmt.Sprintf("answers with an error (HTTP %d).", f.https.StatusCode)
				} else {
					d += "does not answer."
				}
				switch {
				case f.apple == nil:
				case f.apple.Error != nil:
					d += " Apple System Status could not be checked."
				default:
					d += " Apple System Status does not show it yet; it often lags behind real outages."
				}
				return d + " There is nothing to fix on this Mac; wait and try again later."
			},
			Evidence: func(f *Facts) []string { return []string{fmt.Sprintf("%s: %s", f.https.URL, f.https.Error)} }},
		{Code: CodeMTUBlackhole, Kind: KindVerdict, Level: LevelDown, Cause: CauseNetwork, Probes: []probes.ID{probes.IDTLS},
			DependsOn: []Code{CodeOffline, CodeCaptivePortal, CodeHostsOverride, CodeDNSFiltered, CodeProxyFailure},
			Label:     "large packets dropped", Fixes: []string{FixTryOtherNetwork, FixOpenNetworkSettings}, VPNSuspect: true,
			Match:    func(f *Facts) bool { return f.mtuBlackhole() != nil },
			Headline: text("This network drops large packets to Apple"),
			Detail: text("Connections to Apple open, but the encrypted handshake stalls as soon as Apple sends full-size packets, and completes when idpulse asks for small ones. " +
				"Something on the way drops large packets: a VPN, a PPPoE internet connection or a router with a wrong MTU setting. Try another network, or check the router's and the VPN's MTU."),
			Evidence: func(f *Facts) []string { return []string{f.mtuBlackhole().Error} }},
		{Code: CodeSlowNetwork, Kind: KindVerdict, Level: LevelDegraded, Cause: CauseNetwork, Probes: []probes.ID{probes.IDReach, probes.IDTLS},
			DependsOn: []Code{CodeOffline, CodeCaptivePortal, CodeHostsOverride, CodeDNSFiltered, CodeDNSFailure, CodeProxyFailure,
				CodeBlocked, CodeTLSInterception, CodeClockSkew, CodeMTUBlackhole},
			Label: "network too slow", Fixes: []string{FixTryOtherNetwork, FixToggleWiFi}, VPNSuspect: true,
			Match: (*Facts).slowPath,
			Headline: func(f *Facts) string {
				h := f.handshakes()
				if h.Median > probes.SlowHandshake {
					return fmt.Sprintf("This network is too slow for Apple ID sign-in (%s round trips)", probes.HumanDuration(h.Median))
				}
				return fmt.Sprintf("This network loses packets on the way to Apple (%d of %d connections)", h.Lost, h.Samples)
			},
			Detail: text("Apple's servers answer, but so slowly or unreliably that signing in can time out (\"Verifying…\" keeps spinning). Move closer to the Wi-Fi router, stop large downloads, or try another network."),
			Evidence: func(f *Facts) []string {
				h := f.handshakes()
				return []string{fmt.Sprintf("median TCP handshake to Apple %s over %d connections, %d lost (slow above %s or a tenth lost)",
					probes.HumanDuration(h.Median), h.Samples, h.Lost, probes.HumanDuration(probes.SlowHandshake))}
			}},
		{Code: CodeUpdateBlocked, Kind: KindVerdict, Level: LevelDegraded, Cause: CauseNetwork, Probes: []probes.ID{probes.IDServices},
			// Sign-in is the primary question: when it fails, its cause is
			// the verdict and blocked update hosts are service_blocked.
			DependsOn: []Code{CodeOffline, CodeCaptivePortal, CodeHostsOverride, CodeDNSFiltered, CodeDNSFailure, CodeProxyFailure,
				CodeBlocked, CodeTLSInterception, CodeClockSkew, CodeMTUBlackhole},
			Label: "updates blocked", Fixes: []string{FixTryOtherNetwork}, VPNSuspect: true,
			Match:    func(f *Facts) bool { return f.updateBlocked() != nil },
			Headline: text("Installs, updates and restores will fail with error 3014 on this network"),
			Detail: func(f *Facts) string {
				b := f.updateBlocked()
				return fmt.Sprintf("Apple ID sign-in works, but Apple's software-update and restore servers are blocked: %s is %s. "+
					"macOS installs and updates, and restoring or updating a device from this Mac, need them (Apple's error 3014: the servers cannot verify the device). "+
					"Use another network, or ask whoever runs this one to allow Apple's update hosts.", b.hosts[0].Target, describeClass(b.hosts[0].Class))
			},
			Evidence: func(f *Facts) []string { return serviceEvidence([]blockedService{*f.updateBlocked()}) }},
		{Code: CodePushBlocked, Kind: KindVerdict, Level: LevelDegraded, Cause: CauseNetwork, Probes: []probes.ID{probes.IDReach},
			DependsOn: []Code{CodeBlocked}, // the same filter, and all that explains it
			Label:     "push blocked", Fixes: []string{FixTryOtherNetwork}, VPNSuspect: true,
			Match:    func(f *Facts) bool { return f.pushBlocked() != nil },
			Headline: text("Apple push notifications are blocked on this network"),
			Detail: func(f *Facts) string {
				p := f.pushBlocked()
				said := fmt.Sprintf("Sign-in works, but %s is %s.", p.Target, describeClass(p.Class))
				switch fb := f.pushFallback(); {
				case fb == nil:
					return said + " iMessage, FaceTime and Find My may not get updates until you use another network."
				case fb.OK:
					return said + fmt.Sprintf(" Push falls back to port 443 (%s answers), which is slower and works only on some networks: iMessage, FaceTime and Find My may be late.", fb.Target)
				default:
					return said + fmt.Sprintf(" Port 443, where push falls back, is %s too (%s): iMessage, FaceTime and Find My get no updates until you use another network.", describeClass(fb.Class), fb.Target)
				}
			},
			Evidence: func(f *Facts) []string {
				ev := []string{describeAttempt(*f.pushBlocked())}
				if fb := f.pushFallback(); fb != nil {
					ev = append(ev, describeAttempt(*fb))
				}
				return ev
			}},
		{Code: CodeCheckIncomplete, Kind: KindVerdict, Level: LevelDegraded, Cause: CauseNone, Probes: []probes.ID{probes.IDTLS, probes.IDHTTPS},
			// "ok" needs positive evidence: without it, and with no cause
			// found, the honest verdict is that the checks did not finish.
			DependsOn: []Code{CodeOffline, CodeCaptivePortal, CodeHostsOverride, CodeDNSFiltered, CodeDNSFailure, CodeProxyFailure,
				CodeBlocked, CodeTLSInterception, CodeClockSkew, CodeMTUBlackhole, CodeSlowNetwork, CodeAppleOutage, CodeAppleUnreachable},
			Label: "checks incomplete", Fixes: []string{},
			Match:    func(f *Facts) bool { return !f.signInShown() },
			Headline: text("idpulse could not finish its checks"),
			Detail: text("The checks that show Apple ID works (a genuine encrypted connection to Apple and an answer from its sign-in service) did not finish, " +
				"and nothing else points at a cause. Check again; on a very slow network give the check more time (--timeout, check.deadline)."),
			Evidence: func(f *Facts) []string {
				return []string{"tls: " + f.summary(probes.IDTLS), "https: " + f.summary(probes.IDHTTPS)}
			}},
		{Code: CodeOK, Kind: KindVerdict, Level: LevelOK, Cause: CauseNone, Probes: []probes.ID{probes.IDTLS},
			Label:    "ok",
			Headline: text("Apple ID connectivity is healthy"),
			Detail:   text("This Mac reaches Apple's sign-in servers with genuine certificates."),
			Evidence: func(f *Facts) []string {
				if f.genuineTLS() {
					return []string{"TLS issued by " + f.tls.Hosts[0].Issuer}
				}
				return nil
			}},

		// Findings: true whatever the verdict, shown after it.
		{Code: FindingVPNActive, Kind: KindFinding, Level: LevelOK, Cause: CauseLocal, Probes: []probes.ID{probes.IDVPN},
			Label: "VPN active", Fixes: []string{FixDisconnectVPN, FixOpenVPNSettings},
			Match:    (*Facts).vpnActive,
			Headline: text("A VPN is active"),
			Detail: func(f *Facts) string {
				return fmt.Sprintf("Traffic goes through the VPN %s. If Apple ID fails, disconnect it and check again.", f.vpnName())
			},
			Evidence: (*Facts).vpnEvidence},
		{Code: FindingProxyConfigured, Kind: KindFinding, Level: LevelOK, Cause: CauseLocal, Probes: []probes.ID{probes.IDProxy},
			Label: "proxy configured", Fixes: []string{FixOpenProxySettings},
			Match:    (*Facts).proxyConfigured,
			Headline: text("A proxy is configured"),
			Detail: func(f *Facts) string {
				return fmt.Sprintf("Web traffic goes through a proxy (%s).", f.proxySource())
			},
			Evidence: func(f *Facts) (ev []string) {
				if f.proxy.Proxied != nil {
					ev = append(ev, "proxy "+f.proxy.Proxied.Proxy)
				}
				if f.proxy.Note != "" {
					ev = append(ev, f.proxy.Note)
				}
				return ev
			}},
		{Code: FindingClockDrift, Kind: KindFinding, Level: LevelDegraded, Cause: CauseLocal, Probes: []probes.ID{probes.IDClock},
			DependsOn: []Code{CodeClockSkew}, // the verdict says it louder
			Label:     "clock drifting", Fixes: []string{FixSyncClock, FixOpenDateTime},
			Match:    (*Facts).clockDrifting,
			Headline: func(f *Facts) string { return "This Mac's clock is " + f.offset() },
			Detail:   text("Not enough to break sign-in yet, but a drifting clock eventually does. Turn on \"Set time and date automatically\"."),
			Evidence: func(f *Facts) []string { return []string{f.offsetEvidence()} }},
		{Code: FindingNTPUnavailable, Kind: KindFinding, Level: LevelOK, Cause: CauseNetwork, Probes: []probes.ID{probes.IDClock},
			DependsOn: []Code{CodeOffline, CodeCaptivePortal}, // nothing on the internet answers
			Label:     "time server unreachable",
			Match:     (*Facts).ntpUnavailable,
			Headline:  text("The time server cannot be reached"),
			Detail: func(f *Facts) string {
				return fmt.Sprintf("%s does not answer (%s) and no web server gave the time, so the clock could not be checked. Networks that block NTP (UDP port 123) do this.", f.clock.Server, f.clock.NTPClass)
			},
			Evidence: func(f *Facts) []string {
				if f.clock.NTPError != "" {
					return []string{f.clock.NTPError}
				}
				return nil
			}},
		{Code: FindingAppleIssue, Kind: KindFinding, Level: LevelDegraded, Cause: CauseApple, Probes: []probes.ID{probes.IDAppleStatus},
			Label: "Apple service issue", Fixes: []string{FixOpenSystemStatus},
			Match: func(f *Facts) bool { return len(f.otherProblems()) > 0 },
			Headline: func(f *Facts) string {
				names := []string{}
				for _, e := range f.otherProblems() {
					if !slices.Contains(names, e.svc.Name) {
						names = append(names, e.svc.Name)
					}
				}
				return "Apple reports problems with " + listNames(names, 3)
			},
			Detail:   text("Apple System Status shows an ongoing event on a service you use. It does not affect signing in."),
			Evidence: func(f *Facts) []string { return describeEvents(f.otherProblems()) }},
		{Code: FindingAppleIssue, Kind: KindFinding, Level: LevelDegraded, Cause: CauseApple, Probes: []probes.ID{probes.IDAppleStatus},
			// The same events as apple_outage, shown when a cause here is
			// the verdict instead.
			UnlessVerdict: []Code{CodeAppleOutage},
			Label:         "Apple service issue", Fixes: []string{FixOpenSystemStatus},
			Match: func(f *Facts) bool { return len(f.signInProblems()) > 0 },
			Headline: func(f *Facts) string {
				return "Apple also reports a problem with " + f.signInProblems()[0].svc.Name
			},
			Detail:   text("Apple System Status shows an ongoing event on a sign-in service. Fix the problem above first; sign-in may still fail until Apple resolves its event."),
			Evidence: func(f *Facts) []string { return describeEvents(f.signInProblems()) }},
		{Code: FindingIPv6Broken, Kind: KindFinding, Level: LevelDegraded, Cause: CauseNetwork, Probes: []probes.ID{probes.IDReach},
			DependsOn: []Code{CodeOffline, CodeCaptivePortal}, // nothing on the internet answers
			Label:     "IPv6 broken", Fixes: []string{FixOpenNetworkSettings, FixTryOtherNetwork},
			Match:    (*Facts).ipv6Broken,
			Headline: text("IPv6 is broken on this network"),
			Detail: text("Apple's servers have IPv6 addresses and this Mac has an IPv6 route, but IPv6 connections to Apple fail while IPv4 works. " +
				"macOS falls back to IPv4, so sign-in works, only more slowly at times. Restarting the router often fixes it; otherwise set IPv6 to \"Link-local only\" in the network's TCP/IP settings."),
			Evidence: func(f *Facts) []string {
				c := f.reach.Families
				return []string{
					fmt.Sprintf("%s over IPv6 (%s): %s", c.Host, c.IPv6.Address, c.IPv6.Class),
					fmt.Sprintf("%s over IPv4 (%s): connected in %s", c.Host, c.IPv4.Address, probes.HumanDuration(c.IPv4.Phases.Connect)),
				}
			}},
		serviceBlocked(withUpdate, []Code{CodeUpdateBlocked}, func(f *Facts) bool { return len(f.blockedServices(withUpdate...)) > 0 }),
		// The verdict is update_blocked: the finding names the others.
		serviceBlocked(others, nil, func(f *Facts) bool { return f.updateBlocked() != nil && len(f.blockedServices(others...)) > 0 }),
		{Code: FindingAppleMaintenance, Kind: KindFinding, Level: LevelOK, Cause: CauseApple, Probes: []probes.ID{probes.IDAppleStatus},
			Label: "Apple maintenance", Fixes: []string{FixOpenSystemStatus},
			Match:    func(f *Facts) bool { return len(f.maintenance()) > 0 },
			Headline: func(f *Facts) string { return "Apple has scheduled maintenance on " + f.maintenance()[0].svc.Name },
			Detail:   text("Some Apple services may be briefly unavailable during maintenance."),
			Evidence: func(f *Facts) (ev []string) {
				for _, e := range f.maintenance() {
					ev = append(ev, fmt.Sprintf("%s (%s)", e, e.ev.Status))
				}
				return ev
			}},
		{Code: FindingMacOSOutdated, Kind: KindFinding, Level: LevelDegraded, Cause: CauseLocal, Probes: []probes.ID{probes.IDCurrency},
			Label: "macOS outdated", Fixes: []string{FixOpenSoftwareUpdate},
			Match: func(f *Facts) bool { return f.currency.Outdated() },
			Headline: func(f *Facts) string {
				c := f.currency
				h := fmt.Sprintf("macOS %s is installed; %s is current", c.Installed, c.Latest)
				if d, ok := day(c.LatestPosted); ok {
					h += " (since " + d + ")"
				}
				return h
			},
			Detail: func(f *Facts) string {
				return fmt.Sprintf("Apple's list of current releases has had a newer update for %s for %d days. Apple Support asks for an up-to-date macOS first when sign-in, installs or updates fail (error 3014), and updates carry the fixes and certificates those depend on. Install it in Software Update.",
					f.currency.Line, f.currency.DaysBehind)
			},
			Evidence: func(f *Facts) []string {
				c := f.currency
				return []string{
					fmt.Sprintf("installed: macOS %s (%s)", c.Installed, cmp.Or(c.Build, "build unknown")),
					fmt.Sprintf("gdmf.apple.com: newest %s is %s (%s), first posted %s", c.Line, c.Latest, cmp.Or(c.LatestBuild, "build unknown"), cmp.Or(c.LatestPosted, "on an unknown day")),
					fmt.Sprintf("behind since %s (%d days; outdated after %d)", c.BehindSince, c.DaysBehind, int(currency.Grace/(24*time.Hour))),
				}
			}},
		{Code: FindingFeedUnavailable, Kind: KindFinding, Level: LevelOK, Cause: CauseNetwork, Probes: []probes.ID{probes.IDAppleStatus},
			DependsOn: []Code{CodeOffline, CodeCaptivePortal}, // nothing on the internet answers
			Label:     "status page unreadable",
			Match:     (*Facts).feedFailed,
			Headline:  text("Apple System Status could not be read"),
			Detail:    text("idpulse could not fetch Apple's status page, so Apple-side outages are not known right now. The other checks are not affected."),
			Evidence:  func(f *Facts) []string { return []string{*f.apple.Error} }},
	}
}

// day is a YYYY-MM-DD date the way a headline says it: "12 Aug 2026".
func day(iso string) (string, bool) {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return "", false
	}
	return t.Format("2 Jan 2006"), true
}

// text is words that do not depend on the evidence.
func text(s string) func(*Facts) string { return func(*Facts) string { return s } }

// Label is code's short name for a list of problems, "" for a code no rule
// declares.
func Label(code Code) string {
	for _, r := range Rules() {
		if r.Code == code {
			return r.Label
		}
	}
	return ""
}

// vpnNote ends the detail of a VPNSuspect verdict while a VPN is active.
const vpnNote = " A VPN is active; it may route or filter Apple's traffic — try disconnecting it."

// Evaluate decides the verdict and the findings for one cycle (the rules are
// in the package doc).
func Evaluate(in Input) (Verdict, []Finding) { return evaluate(Rules(), newFacts(in)) }

func evaluate(rules []Rule, f *Facts) (Verdict, []Finding) {
	hit := make([]bool, len(rules))
	matched := map[Code]bool{}
	for i, r := range rules {
		if r.Match != nil && r.Match(f) {
			hit[i] = true
			matched[r.Code] = true
		}
	}
	deps := dependencies(rules)
	stands := func(i int) bool {
		return hit[i] && !slices.ContainsFunc(deps[rules[i].Code], func(c Code) bool { return matched[c] })
	}

	// The verdict: the first standing verdict rule, else healthy.
	verdict := slices.IndexFunc(rules, func(r Rule) bool { return r.Code == CodeOK })
	for i, r := range rules {
		if r.Kind == KindVerdict && stands(i) {
			verdict = i
			break
		}
	}
	v := rules[verdict].words(f)
	// The findings: each standing finding code once (its first row that
	// stands), unless the verdict already says it.
	findings := []Finding{}
	said := map[Code]bool{}
	for i, r := range rules {
		if r.Kind != KindFinding || !stands(i) || said[r.Code] || slices.Contains(r.UnlessVerdict, v.Code) {
			continue
		}
		findings = append(findings, Finding{Verdict: r.words(f), Probe: r.Probes[0]})
		said[r.Code] = true
	}
	return v, findings
}

// words is the verdict a matched rule speaks.
func (r Rule) words(f *Facts) Verdict {
	v := Verdict{
		Level: r.Level, Code: r.Code, Cause: r.Cause,
		Headline: r.Headline(f), Detail: r.Detail(f),
		Fixes: append([]string{}, r.Fixes...), Evidence: []string{},
	}
	if r.Evidence != nil {
		v.Evidence = capEvidence(append(v.Evidence, r.Evidence(f)...))
	}
	m := Machine(f.res)
	v.Headline, v.Detail = OnMachine(v.Headline, m), OnMachine(v.Detail, m)
	if r.VPNSuspect && f.vpnActive() {
		v.Detail += vpnNote
		if !slices.Contains(v.Fixes, FixDisconnectVPN) {
			v.Fixes = append(v.Fixes, FixDisconnectVPN)
		}
	}
	return v
}

// dependencies is each code's DependsOn, closed over: a code also depends
// on what the codes it lists depend on. A cycle (which a test rejects)
// ends where it repeats.
func dependencies(rules []Rule) map[Code][]Code {
	direct := map[Code][]Code{}
	for _, r := range rules {
		for _, d := range r.DependsOn {
			if !slices.Contains(direct[r.Code], d) {
				direct[r.Code] = append(direct[r.Code], d)
			}
		}
	}
	all := map[Code][]Code{}
	for code := range direct {
		var walk func(c Code)
		walk = func(c Code) {
			for _, d := range direct[c] {
				if d != code && !slices.Contains(all[code], d) {
					all[code] = append(all[code], d)
					walk(d)
				}
			}
		}
		walk(code)
	}
	return all
}

// maxEvidence bounds the facts a verdict lists: they are for people, and
// every detail is in the probes' evidence anyway.
const maxEvidence = 5

func capEvidence(ev []string) []string {
	if len(ev) <= maxEvidence {
		return ev
	}
	return append(ev[:maxEvidence-1:maxEvidence-1], fmt.Sprintf("… and %d more", len(ev)-maxEvidence+1))
}
