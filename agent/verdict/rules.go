package verdict

import (
	"fmt"
	"slices"
	"strings"

	"github.com/idpulse/idpulse/probes"
)

// Rule is one link of the chain. Match reads the evidence and, when the rule
// applies, fills in the words; Code, Level, Cause and Fixes are the defaults
// Match may sharpen (a VPN adds disconnect-vpn, say).
type Rule struct {
	Code  Code
	Level Level
	Cause Cause
	Probe probes.ID // the probe whose evidence drives the rule
	Fixes []string
	Match func(f facts, v *Verdict) bool
	// HiddenBy lists verdicts that explain this finding away (an offline
	// Mac cannot reach the feed either).
	HiddenBy []Code
}

// Chain is the verdict chain in root-cause order: the first rule that matches
// is the verdict, so each rule may assume every rule before it did not match.
func Chain() []Rule {
	return []Rule{
		{Code: CodeOffline, Level: LevelDown, Cause: CauseNetwork, Probe: probes.IDLink,
			Fixes: []string{FixOpenNetworkSettings, FixToggleWiFi, FixRenewDHCP, FixTryOtherNetwork}, Match: matchOffline},
		{Code: CodeCaptivePortal, Level: LevelDown, Cause: CauseNetwork, Probe: probes.IDCaptive,
			Fixes: []string{FixOpenCaptivePortal, FixTryOtherNetwork}, Match: matchCaptive},
		{Code: CodeHostsOverride, Level: LevelDown, Cause: CauseLocal, Probe: probes.IDHosts,
			Fixes: []string{FixRemoveHostsEntries, FixFlushDNS}, Match: matchHosts},
		{Code: CodeDNSFiltered, Level: LevelDown, Cause: CauseNetwork, Probe: probes.IDDNS,
			Fixes: []string{FixFlushDNS, FixOpenNetworkSettings, FixTryOtherNetwork}, Match: matchDNSFiltered},
		{Code: CodeDNSFailure, Level: LevelDown, Cause: CauseNetwork, Probe: probes.IDDNS,
			Fixes: []string{FixFlushDNS, FixRenewDHCP, FixOpenNetworkSettings, FixTryOtherNetwork}, Match: matchDNSFailure},
		{Code: CodeProxyFailure, Level: LevelDown, Cause: CauseLocal, Probe: probes.IDProxy,
			Fixes: []string{FixOpenProxySettings, FixTryOtherNetwork}, Match: matchProxy},
		{Code: CodeBlocked, Level: LevelDown, Cause: CauseNetwork, Probe: probes.IDReach,
			Fixes: []string{FixTryOtherNetwork}, Match: matchBlocked},
		{Code: CodeTLSInterception, Level: LevelDown, Cause: CauseNetwork, Probe: probes.IDTLS,
			Fixes: []string{FixTryOtherNetwork}, Match: matchInterception},
		{Code: CodeClockSkew, Level: LevelDown, Cause: CauseLocal, Probe: probes.IDClock,
			Fixes: []string{FixSyncClock, FixOpenDateTime}, Match: matchClockSkew},
		{Code: CodeAppleOutage, Level: LevelDown, Cause: CauseApple, Probe: probes.IDAppleStatus,
			Fixes: []string{FixOpenSystemStatus}, Match: matchAppleOutage},
		{Code: CodeAppleUnreachable, Level: LevelDown, Cause: CauseApple, Probe: probes.IDHTTPS,
			Fixes: []string{FixOpenSystemStatus}, Match: matchAppleUnreachable},
		{Code: CodePushBlocked, Level: LevelDegraded, Cause: CauseNetwork, Probe: probes.IDReach,
			Fixes: []string{FixTryOtherNetwork}, Match: matchPushBlocked},
	}
}

// networkDown are the verdicts under which nothing on the internet answers.
var networkDown = []Code{CodeOffline, CodeCaptivePortal}

// Informational findings: true whatever the verdict, shown after it.
func findingRules() []Rule {
	return []Rule{
		{Code: FindingVPNActive, Level: LevelOK, Cause: CauseLocal, Probe: probes.IDVPN,
			Fixes: []string{FixDisconnectVPN, FixOpenVPNSettings}, Match: matchVPN},
		{Code: FindingProxyConfigured, Level: LevelOK, Cause: CauseLocal, Probe: probes.IDProxy,
			Fixes: []string{FixOpenProxySettings}, Match: matchProxyConfigured},
		{Code: FindingClockDrift, Level: LevelDegraded, Cause: CauseLocal, Probe: probes.IDClock,
			Fixes: []string{FixSyncClock, FixOpenDateTime}, Match: matchClockDrift, HiddenBy: []Code{CodeClockSkew}},
		{Code: FindingNTPUnavailable, Level: LevelOK, Cause: CauseNetwork, Probe: probes.IDClock,
			Match: matchNTPUnavailable, HiddenBy: networkDown},
		{Code: FindingAppleIssue, Level: LevelDegraded, Cause: CauseApple, Probe: probes.IDAppleStatus,
			Fixes: []string{FixOpenSystemStatus}, Match: matchAppleIssue},
		{Code: FindingAppleMaintenance, Level: LevelOK, Cause: CauseApple, Probe: probes.IDAppleStatus,
			Fixes: []string{FixOpenSystemStatus}, Match: matchAppleMaintenance},
		{Code: FindingFeedUnavailable, Level: LevelOK, Cause: CauseNetwork, Probe: probes.IDAppleStatus,
			Match: matchFeedUnavailable, HiddenBy: networkDown},
	}
}

// Evaluate decides the verdict and the findings for one cycle.
func Evaluate(in Input) (Verdict, []Finding) {
	f := newFacts(in)
	v := Verdict{
		Level: LevelOK, Code: CodeOK, Cause: CauseNone,
		Headline: "Apple ID connectivity is healthy",
		Detail:   "This Mac reaches Apple's sign-in servers with genuine certificates.",
		Fixes:    []string{}, Evidence: []string{},
	}
	for _, r := range Chain() {
		cand := Verdict{Level: r.Level, Code: r.Code, Cause: r.Cause, Fixes: append([]string{}, r.Fixes...), Evidence: []string{}}
		if r.Match(f, &cand) {
			v = cand
			break
		}
	}
	if v.Code == CodeOK && f.tls != nil && f.tls.GenuineOK() {
		v.Evidence = append(v.Evidence, "TLS issued by "+f.tls.Hosts[0].Issuer)
	}
	findings := []Finding{}
	for _, r := range findingRules() {
		if slices.Contains(r.HiddenBy, v.Code) {
			continue
		}
		cand := Verdict{Level: r.Level, Code: r.Code, Cause: r.Cause, Fixes: append([]string{}, r.Fixes...), Evidence: []string{}}
		if r.Match(f, &cand) {
			findings = append(findings, Finding{Verdict: cand, Probe: r.Probe})
		}
	}
	v.Evidence = capEvidence(v.Evidence)
	for i := range findings {
		findings[i].Evidence = capEvidence(findings[i].Evidence)
	}
	if f.vpnActive() && v.Level != LevelOK && v.Cause == CauseNetwork {
		v.Detail += " A VPN is active; it may route or filter Apple's traffic — try disconnecting it."
		v.Fixes = appendUnique(v.Fixes, FixDisconnectVPN)
	}
	return v, findings
}

// facts are the typed evidence of one cycle, looked up once.
type facts struct {
	res     probes.Results
	link    *probes.LinkEvidence
	control *probes.ControlEvidence
	captive *probes.CaptiveEvidence
	dns     *probes.DNSEvidence
	hosts   *probes.HostsEvidence
	proxy   *probes.ProxyEvidence
	vpn     *probes.VPNEvidence
	reach   *probes.ReachEvidence
	tls     *probes.TLSEvidence
	https   *probes.HTTPSEvidence
	clock   *probes.ClockEvidence
	apple   *AppleStatus
}

func newFacts(in Input) facts {
	rs := in.Results
	return facts{
		res:     rs,
		link:    probes.Evidence[probes.LinkEvidence](rs),
		control: probes.Evidence[probes.ControlEvidence](rs),
		captive: probes.Evidence[probes.CaptiveEvidence](rs),
		dns:     probes.Evidence[probes.DNSEvidence](rs),
		hosts:   probes.Evidence[probes.HostsEvidence](rs),
		proxy:   probes.Evidence[probes.ProxyEvidence](rs),
		vpn:     probes.Evidence[probes.VPNEvidence](rs),
		reach:   probes.Evidence[probes.ReachEvidence](rs),
		tls:     probes.Evidence[probes.TLSEvidence](rs),
		https:   probes.Evidence[probes.HTTPSEvidence](rs),
		clock:   probes.Evidence[probes.ClockEvidence](rs),
		apple:   in.Apple,
	}
}

func (f facts) status(id probes.ID) probes.Status {
	r, ok := f.res.Get(id)
	if !ok {
		return probes.StatusSkip
	}
	return r.Status
}

func (f facts) vpnActive() bool { return f.vpn != nil && f.vpn.Active }

// internetUp reports whether anything at all proved a path to the internet.
func (f facts) internetUp() bool {
	switch {
	case f.control != nil && f.control.AnyOK():
		return true
	case f.captive != nil && f.captive.StatusCode != 0:
		return true
	case f.reach != nil && f.reach.SignInOK() > 0:
		return true
	case f.https != nil && f.https.StatusCode != 0:
		return true
	case f.dns != nil && f.dns.PublicReachable():
		return true
	}
	return false
}

func matchOffline(f facts, v *Verdict) bool {
	if f.status(probes.IDLink) == probes.StatusFail {
		v.Cause = CauseLocal
		v.Headline = "This Mac is not connected to a network"
		r, _ := f.res.Get(probes.IDLink)
		v.Detail = "No network interface is up with an address and a default route (" + r.Summary + "). Connect to Wi-Fi or Ethernet."
		v.Evidence = append(v.Evidence, r.Summary)
		return true
	}
	if f.control == nil || f.internetUp() {
		return false
	}
	v.Headline = "Connected to the network, but not to the internet"
	v.Detail = "Neither Apple nor other well-known internet services answer. The router or the internet connection itself is down; Apple ID cannot work until it is back."
	for _, t := range f.control.Targets {
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s: %s", t.Target, t.Class))
	}
	return true
}

func matchCaptive(f facts, v *Verdict) bool {
	if f.captive == nil || !f.captive.Portal {
		return false
	}
	v.Headline = "A Wi-Fi login page is blocking the connection"
	v.Detail = "This network wants you to sign in or accept terms in a web page before it lets traffic through. Open the login page, then check again."
	v.Evidence = append(v.Evidence, fmt.Sprintf("%s answered HTTP %d instead of Apple's Success page", f.captive.URL, f.captive.StatusCode))
	if f.captive.Location != "" {
		v.Evidence = append(v.Evidence, "redirects to "+f.captive.Location)
	}
	return true
}

func matchHosts(f facts, v *Verdict) bool {
	if f.hosts == nil || len(f.hosts.Entries) == 0 {
		return false
	}
	var names []string
	severe := false
	for _, e := range f.hosts.Entries {
		names = append(names, e.Names...)
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s line %d: %s %s", f.hosts.Path, e.Line, e.Address, strings.Join(e.Names, " ")))
		if e.Sinkhole || f.affectsSignIn(e.Names) {
			severe = true
		}
	}
	if !severe {
		v.Level = LevelDegraded
	}
	v.Headline = "The hosts file redirects Apple's servers"
	v.Detail = fmt.Sprintf("%s pins %s to fixed addresses, overriding DNS. Tools and guides that block activation or updates add such lines; remove them.",
		f.hosts.Path, listNames(names, 3))
	return true
}

// affectsSignIn reports whether any name is one the dns probe checks (the
// sign-in, update and time hosts).
func (f facts) affectsSignIn(names []string) bool {
	if f.dns == nil {
		return true
	}
	for _, n := range names {
		if _, ok := f.dns.SystemLookup(strings.ToLower(n)); ok {
			return true
		}
	}
	return false
}

func matchDNSFiltered(f facts, v *Verdict) bool {
	if f.dns == nil || len(f.dns.Filtered) == 0 {
		return false
	}
	v.Headline = "This network's DNS blocks Apple's servers"
	v.Detail = fmt.Sprintf("The DNS server this Mac uses does not give a usable address for %s, while public DNS servers do. A DNS filter (router, security software, corporate or school network) or a broken resolver is in the way; Apple is fine.",
		listNames(f.dns.Filtered, 3))
	for _, n := range f.dns.Filtered {
		l, _ := f.dns.SystemLookup(n)
		v.Evidence = append(v.Evidence, describeLookup(l))
	}
	return true
}

func matchDNSFailure(f facts, v *Verdict) bool {
	if f.dns == nil || len(f.dns.Failed) == 0 {
		return false
	}
	v.Headline = "DNS is not working"
	v.Detail = fmt.Sprintf("%s cannot be looked up, and public DNS servers cannot be asked either. The network's DNS server is down or unreachable.", listNames(f.dns.Failed, 3))
	for _, n := range f.dns.Failed {
		l, _ := f.dns.SystemLookup(n)
		v.Evidence = append(v.Evidence, describeLookup(l))
	}
	return true
}

func matchProxy(f facts, v *Verdict) bool {
	if f.proxy == nil || f.proxy.Proxied == nil || f.proxy.Proxied.OK {
		return false
	}
	p := f.proxy.Proxied
	v.Headline = "The proxy server is not letting Apple through"
	v.Detail = fmt.Sprintf("This Mac sends web traffic through %s (%s settings), and it fails to connect to %s. Check the proxy settings or ask whoever runs the proxy.",
		p.Proxy, f.proxy.Config.Source, p.Target)
	v.Evidence = append(v.Evidence, p.Error)
	if f.proxy.Direct != nil && f.proxy.Direct.OK {
		v.Evidence = append(v.Evidence, "the direct path to "+f.proxy.Direct.Target+" works")
	}
	return true
}

func matchBlocked(f facts, v *Verdict) bool {
	if f.reach == nil || !f.internetUp() {
		return false
	}
	var bad []probes.Attempt
	for _, a := range f.reach.SignIn {
		if !a.OK && a.Stage == "connect" && a.Class.IsNetworkFailure() {
			bad = append(bad, a)
		}
	}
	// A middlebox that kills the TLS handshake (SNI filtering) blocks too.
	if f.tls != nil && len(bad) == 0 {
		for _, h := range f.tls.Hosts {
			if !h.OK && h.Stage == "tls" && h.Class.IsNetworkFailure() {
				bad = append(bad, h.Attempt)
			}
		}
	}
	if len(bad) == 0 {
		return false
	}
	v.Headline = "Something on this network blocks Apple's sign-in servers"
	v.Detail = fmt.Sprintf("Other internet services answer, but connections to %s are %s. A firewall, security software or the network's filtering is blocking Apple.",
		bad[0].Target, describeClass(bad[0].Class))
	for _, a := range bad {
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s (%s): %s", a.Target, a.Address, a.Class))
	}
	return true
}

func matchInterception(f facts, v *Verdict) bool {
	if f.tls == nil {
		return false
	}
	h := f.tls.Interception()
	if h == nil {
		return false
	}
	v.Headline = "A security proxy is intercepting encrypted traffic to Apple"
	v.Detail = fmt.Sprintf("The certificate presented for %s is issued by %s, not by a certificate authority Apple uses. Corporate \"TLS inspection\" and some antivirus software do this, and Apple's services refuse it. Use another network or ask IT to exempt Apple's domains.",
		h.Target, h.Issuer)
	v.Evidence = append(v.Evidence, fmt.Sprintf("%s issuer: %s", h.Target, h.Issuer))
	return true
}

func matchAppleUnreachable(f facts, v *Verdict) bool {
	if f.https == nil || f.https.OK || f.tls == nil || !f.tls.GenuineOK() {
		return false
	}
	if f.https.Class != probes.ClassHTTP5xx && !(f.https.Stage == "http" && f.https.Class == probes.ClassTimeout) {
		return false
	}
	v.Headline = "Apple's sign-in service is having problems"
	v.Detail = "Everything on this Mac and network checks out and Apple's servers present genuine certificates, but the sign-in service itself "
	if f.https.Class == probes.ClassHTTP5xx {
		v.Detail += fmt.Sprintf("answers with an error (HTTP %d).", f.https.StatusCode)
	} else {
		v.Detail += "does not answer."
	}
	switch {
	case f.apple == nil:
	case f.apple.Error != nil:
		v.Detail += " Apple System Status could not be checked."
	default:
		v.Headline += " (not yet on Apple System Status)"
		v.Detail += " Apple System Status does not show it yet; it often lags behind real outages."
	}
	v.Detail += " There is nothing to fix on this Mac; wait and try again later."
	v.Evidence = append(v.Evidence, fmt.Sprintf("%s: %s", f.https.URL, f.https.Error))
	return true
}

func matchPushBlocked(f facts, v *Verdict) bool {
	if f.reach == nil || f.reach.Push == nil || f.reach.Push.OK || !f.reach.Push.Class.IsNetworkFailure() {
		return false
	}
	p := f.reach.Push
	v.Headline = "Apple push notifications are blocked on this network"
	v.Detail = fmt.Sprintf("Sign-in works, but %s is %s. iMessage, FaceTime and Find My may not get updates until you use another network.", p.Target, describeClass(p.Class))
	v.Evidence = append(v.Evidence, fmt.Sprintf("%s (%s): %s", p.Target, p.Address, p.Class))
	return true
}

func matchVPN(f facts, v *Verdict) bool {
	if !f.vpnActive() {
		return false
	}
	name := f.vpn.Interface
	for _, s := range f.vpn.Services {
		if s.Status == "Connected" {
			name = s.Name
			break
		}
	}
	v.Headline = "A VPN is active"
	v.Detail = fmt.Sprintf("Traffic goes through the VPN %s. If Apple ID fails, disconnect it and check again.", name)
	v.Evidence = append(v.Evidence, "default route via "+f.vpn.Interface)
	return true
}

func matchProxyConfigured(f facts, v *Verdict) bool {
	if f.proxy == nil || !f.proxy.Config.Configured() {
		return false
	}
	v.Headline = "A proxy is configured"
	v.Detail = fmt.Sprintf("Web traffic goes through a proxy (%s settings).", f.proxy.Config.Source)
	if f.proxy.Proxied != nil {
		v.Evidence = append(v.Evidence, "proxy "+f.proxy.Proxied.Proxy)
	}
	if f.proxy.Note != "" {
		v.Evidence = append(v.Evidence, f.proxy.Note)
	}
	return true
}

func describeLookup(l probes.DNSLookup) string {
	if len(l.Addresses) > 0 {
		addrs := make([]string, len(l.Addresses))
		for i, a := range l.Addresses {
			addrs[i] = a.String()
		}
		return fmt.Sprintf("%s → %s (%s)", l.Name, strings.Join(addrs, ", "), l.Class)
	}
	return fmt.Sprintf("%s: %s", l.Name, l.Class)
}

func describeClass(c probes.Class) string {
	switch c {
	case probes.ClassRefused:
		return "refused"
	case probes.ClassReset:
		return "reset"
	case probes.ClassTimeout:
		return "timing out"
	case probes.ClassUnreachable:
		return "unroutable"
	case probes.ClassEOF:
		return "cut off"
	}
	return "failing (" + string(c) + ")"
}

func listNames(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
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
