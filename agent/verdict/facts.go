package verdict

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
	"github.com/idpulse/idpulse/probes/catalog"
)

// Facts are one cycle's typed evidence, looked up once, and the
// computations on it that both a rule's Match and its words need (which
// sign-in attempts were blocked, which Apple events are ongoing), so that
// detection and text never disagree.
type Facts struct {
	res      probes.Results
	control  *probes.ControlEvidence
	captive  *probes.CaptiveEvidence
	dns      *probes.DNSEvidence
	hosts    *probes.HostsEvidence
	proxy    *probes.ProxyEvidence
	vpn      *probes.VPNEvidence
	reach    *probes.ReachEvidence
	tls      *probes.TLSEvidence
	https    *probes.HTTPSEvidence
	clock    *probes.ClockEvidence
	svcs     *probes.ServicesEvidence
	currency *probes.CurrencyEvidence
	apple    *AppleStatus
}

func newFacts(in Input) *Facts {
	rs := in.Results
	return &Facts{
		res:      rs,
		control:  probes.Evidence[probes.ControlEvidence](rs),
		captive:  probes.Evidence[probes.CaptiveEvidence](rs),
		dns:      probes.Evidence[probes.DNSEvidence](rs),
		hosts:    probes.Evidence[probes.HostsEvidence](rs),
		proxy:    probes.Evidence[probes.ProxyEvidence](rs),
		vpn:      probes.Evidence[probes.VPNEvidence](rs),
		reach:    probes.Evidence[probes.ReachEvidence](rs),
		tls:      probes.Evidence[probes.TLSEvidence](rs),
		https:    probes.Evidence[probes.HTTPSEvidence](rs),
		clock:    probes.Evidence[probes.ClockEvidence](rs),
		svcs:     probes.Evidence[probes.ServicesEvidence](rs),
		currency: probes.Evidence[probes.CurrencyEvidence](rs),
		apple:    in.Apple,
	}
}

func (f *Facts) status(id probes.ID) probes.Status {
	r, ok := f.res.Get(id)
	if !ok {
		return probes.StatusSkip
	}
	return r.Status
}

func (f *Facts) summary(id probes.ID) string {
	r, _ := f.res.Get(id)
	return r.Summary
}

// linkDown: no interface is up with an address and a default route.
func (f *Facts) linkDown() bool { return f.status(probes.IDLink) == probes.StatusFail }

// internetUp reports whether anything at all proved a path to the internet.
func (f *Facts) internetUp() bool {
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

// noInternet: the link is up, but no well-known service answers.
func (f *Facts) noInternet() bool { return !f.linkDown() && f.control != nil && !f.internetUp() }

func (f *Facts) hostsEntries() []probes.HostsEntry {
	if f.hosts == nil {
		return nil
	}
	return f.hosts.Entries
}

// hostsSevere: a hosts entry sinkholes an Apple name or pins one the
// sign-in depends on (a name the dns probe checks).
func (f *Facts) hostsSevere() bool {
	for _, e := range f.hostsEntries() {
		if e.Sinkhole || f.affectsSignIn(e.Names) {
			return true
		}
	}
	return false
}

// affectsSignIn reports whether any name is one the dns probe checks (the
// sign-in, update and time hosts).
func (f *Facts) affectsSignIn(names []string) bool {
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

func (f *Facts) dnsFiltered() []string {
	if f.dns == nil {
		return nil
	}
	return f.dns.Filtered
}

func (f *Facts) dnsFailed() []string {
	if f.dns == nil {
		return nil
	}
	return f.dns.Failed
}

// lookups describes the system resolver's answers for names.
func (f *Facts) lookups(names []string) []string {
	var out []string
	for _, n := range names {
		l, _ := f.dns.SystemLookup(n)
		out = append(out, describeLookup(l))
	}
	return out
}

// proxyFailed is the failed path through the configured proxy, or nil.
func (f *Facts) proxyFailed() *probes.ProxyPath {
	if f.proxy == nil || f.proxy.Proxied == nil || f.proxy.Proxied.OK {
		return nil
	}
	return f.proxy.Proxied
}

func (f *Facts) proxyConfigured() bool { return f.proxy != nil && f.proxy.Config.Configured() }

// blockedAttempts are the sign-in connections a network refused, reset or
// dropped; without those, TLS handshakes it killed (SNI filtering). Nil
// unless something else proved the internet is up.
func (f *Facts) blockedAttempts() []probes.Attempt {
	if f.reach == nil || !f.internetUp() {
		return nil
	}
	var bad []probes.Attempt
	for _, a := range f.reach.SignIn {
		if !a.OK && a.Stage == "connect" && a.Class.IsNetworkFailure() {
			bad = append(bad, a)
		}
	}
	if f.tls != nil && len(bad) == 0 {
		for _, h := range f.tls.Hosts {
			if !h.OK && h.Stage == "tls" && h.Class.IsNetworkFailure() {
				bad = append(bad, h.Attempt)
			}
		}
	}
	return bad
}

// interception is the handshake whose certificate someone other than
// Apple's CAs issued, or nil.
func (f *Facts) interception() *probes.TLSHandshake {
	if f.tls == nil {
		return nil
	}
	return f.tls.Interception()
}

func (f *Facts) genuineTLS() bool { return f.tls != nil && f.tls.GenuineOK() }

// appleUnreachable: with genuine certificates, the sign-in service itself
// answers 5xx or nothing after the handshake.
func (f *Facts) appleUnreachable() bool {
	if f.https == nil || f.https.OK || !f.genuineTLS() {
		return false
	}
	return f.https.Class == probes.ClassHTTP5xx || (f.https.Stage == "http" && f.https.Class == probes.ClassTimeout)
}

// pushBlocked is the push connection a network refused or dropped, or nil.
func (f *Facts) pushBlocked() *probes.Attempt {
	if f.reach == nil || f.reach.Push == nil || f.reach.Push.OK || !f.reach.Push.Class.IsNetworkFailure() {
		return nil
	}
	return f.reach.Push
}

// pushFallback is the push host on port 443 when the reach probe dialled it:
// where APNs goes when its own port is blocked.
func (f *Facts) pushFallback() *probes.Attempt {
	if f.reach == nil {
		return nil
	}
	return f.reach.Push443
}

// blockedService is a service with the hosts of it a filter stopped.
type blockedService struct {
	svc   *probes.ServiceResult
	hosts []probes.HostResult
}

// blockedServices are those of ids (in the probe's order) with hosts that
// were blocked, filtered or intercepted (probes.HostResult.Blocked).
func (f *Facts) blockedServices(ids ...catalog.ServiceID) []blockedService {
	if f.svcs == nil {
		return nil
	}
	var out []blockedService
	for i := range f.svcs.Services {
		s := &f.svcs.Services[i]
		if !slices.Contains(ids, s.ID) {
			continue
		}
		if bad := s.BlockedHosts(); len(bad) > 0 {
			out = append(out, blockedService{s, bad})
		}
	}
	return out
}

// updateBlocked is the software-update service, when its hosts are blocked.
func (f *Facts) updateBlocked() *blockedService {
	if b := f.blockedServices(catalog.SoftwareUpdate); len(b) > 0 {
		return &b[0]
	}
	return nil
}

// serviceTitles names services for a sentence.
func serviceTitles(bs []blockedService) string {
	var names []string
	for _, b := range bs {
		names = append(names, b.svc.Title)
	}
	return listNames(names, 3)
}

// serviceEvidence is one line per blocked host.
func serviceEvidence(bs []blockedService) (ev []string) {
	for _, b := range bs {
		for _, h := range b.hosts {
			ev = append(ev, fmt.Sprintf("%s: %s %s at %s (%s)", b.svc.ID, h.Target, describeClass(h.Class), h.Stage, h.Path))
		}
	}
	return ev
}

func (f *Facts) vpnActive() bool { return f.vpn != nil && f.vpn.Active }

// vpnName is the Connected VPN service's name, else the tunnel that
// carries Apple's traffic, else the default route's interface.
func (f *Facts) vpnName() string {
	for _, s := range f.vpn.Services {
		if s.Status == "Connected" {
			return s.Name
		}
	}
	if t := f.vpn.TunnelRoutes(); len(t) > 0 {
		return t[0].Interface
	}
	return f.vpn.Interface
}

// vpnEvidence is how the VPN carries Apple's traffic: the routes the OS
// takes to Apple's addresses through a tunnel.
func (f *Facts) vpnEvidence() []string {
	var ev []string
	for _, r := range f.vpn.TunnelRoutes() {
		e := fmt.Sprintf("route to %s: %s (%s) via %s", r.Dest, cmp.Or(r.Prefix, "?"), r.Source, r.Interface)
		if r.Table != "" {
			e += ", table " + r.Table
		}
		ev = append(ev, e)
	}
	if len(ev) == 0 {
		ev = append(ev, "default route via "+f.vpn.Interface)
	}
	return ev
}

func (f *Facts) clockMeasured() bool { return f.clock != nil && f.clock.Measured() }

// certTime is a handshake that failed only on the certificate's dates, or nil.
func (f *Facts) certTime() *probes.TLSHandshake {
	if f.tls == nil {
		return nil
	}
	return f.tls.CertTime()
}

// clockSkewed: the clock is off enough to break sign-in. A measured offset
// past clock_fail is enough, however large (minutes or years); below it,
// certificates that already fail on their dates make it so. Without a
// measurement, date failures on Apple's own chain, or on several chains,
// leave the clock as the one explanation.
func (f *Facts) clockSkewed() bool {
	measured, st := f.clockMeasured(), f.status(probes.IDClock)
	genuine, all := f.certDatesFail()
	switch {
	case measured && st == probes.StatusFail:
		return true
	case measured && st == probes.StatusWarn && all > 0:
		return true
	case !measured && (genuine > 0 || all > 1):
		return true
	}
	return false
}

// clockDrifting: measured off, but not enough to break sign-in.
func (f *Facts) clockDrifting() bool {
	return f.clockMeasured() && f.status(probes.IDClock) == probes.StatusWarn
}

func (f *Facts) ntpUnavailable() bool {
	return f.clock != nil && f.clock.Source == probes.ClockSourceNone
}

// offset says "7 min slow" or "42 s fast".
func (f *Facts) offset() string {
	off := f.clock.Offset()
	dir := "slow"
	if off < 0 {
		dir = "fast"
	}
	return fmt.Sprintf("%s %s", Span(off), dir)
}

// offsetEvidence is the measured offset with its uncertainty and source.
func (f *Facts) offsetEvidence() string {
	c := f.clock
	source := "NTP server " + c.Server
	if c.Source == probes.ClockSourceHTTPDate {
		source = "Apple's web servers' Date headers (NTP is blocked)"
	}
	return fmt.Sprintf("offset %+.3f s ± %.3f s, from %s", c.OffsetMS/1e3, c.UncertaintyMS/1e3, source)
}

// appleEvent is one System Status event with its service.
type appleEvent struct {
	svc AppleService
	ev  AppleEvent
}

// appleEvents are the watched services' events that match keep.
func (f *Facts) appleEvents(keep func(s AppleService, e AppleEvent) bool) []appleEvent {
	if f.apple == nil {
		return nil
	}
	var out []appleEvent
	for _, s := range f.apple.Services {
		for _, e := range s.Events {
			if keep(s, e) {
				out = append(out, appleEvent{s, e})
			}
		}
	}
	return out
}

// Problem reports whether the event is something wrong now, by the feed's
// own rule (applestatus.Problem): ongoing and not maintenance.
func (e AppleEvent) Problem() bool { return applestatus.Problem(e.Type, e.Status) }

// signInProblems are ongoing non-maintenance events on sign-in services.
func (f *Facts) signInProblems() []appleEvent {
	return f.appleEvents(func(s AppleService, e AppleEvent) bool { return s.SignIn && e.Problem() })
}

// signInOutage: one of signInProblems is an outage, not a slowdown.
func (f *Facts) signInOutage() bool {
	for _, e := range f.signInProblems() {
		if e.ev.Type == "Outage" {
			return true
		}
	}
	return false
}

// otherProblems are ongoing non-maintenance events on other services.
func (f *Facts) otherProblems() []appleEvent {
	return f.appleEvents(func(s AppleService, e AppleEvent) bool { return !s.SignIn && e.Problem() })
}

// maintenance is ongoing or upcoming maintenance on any watched service,
// matched without regard to case as Problem is, so that an event is one or
// the other.
func (f *Facts) maintenance() []appleEvent {
	return f.appleEvents(func(_ AppleService, e AppleEvent) bool {
		return strings.EqualFold(e.Type, applestatus.TypeMaintenance) &&
			(strings.EqualFold(e.Status, applestatus.StatusOngoing) || strings.EqualFold(e.Status, applestatus.StatusUpcoming))
	})
}

func (f *Facts) feedFailed() bool { return f.apple != nil && f.apple.Error != nil }

func (e appleEvent) String() string {
	out := fmt.Sprintf("%s: %s", e.svc.Name, e.ev.Type)
	if e.ev.Start != nil {
		out += " since " + e.ev.Start.Local().Format("Jan 2 15:04")
	}
	if e.ev.UsersAffected != "" {
		out += " — " + e.ev.UsersAffected
	}
	if e.ev.Message != "" {
		out += ": " + e.ev.Message
	}
	return out
}

func describeEvents(evs []appleEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.String()
	}
	return out
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

func describeAttempt(a probes.Attempt) string {
	return fmt.Sprintf("%s (%s): %s", a.Target, a.Address, a.Class)
}

func describeClass(c probes.Class) string {
	if w, ok := map[probes.Class]string{
		probes.ClassRefused: "refused", probes.ClassReset: "reset", probes.ClassTimeout: "timing out",
		probes.ClassUnreachable: "unroutable", probes.ClassEOF: "cut off",
	}[c]; ok {
		return w
	}
	return "failing (" + string(c) + ")"
}

// Span says how long something is the way a sentence does: "42 s",
// "7 min", "3 h 5 min". It rounds to the unit it shows, and picks the unit
// after rounding (59.6 s is "1 min", 59 min 45 s is "1 h"); it is never
// "0 s", and it has no sign (callers say "slow" or "fast"). The clock's
// offset in the verdict and the report and an outage's length in a
// notification all use it, so the same time reads the same everywhere.
// Measured latencies, where milliseconds matter, are probes.HumanDuration.
func Span(d time.Duration) string {
	d = d.Abs()
	if s := d.Round(time.Second); s < time.Minute {
		return fmt.Sprintf("%d s", max(s/time.Second, 1))
	}
	d = d.Round(time.Minute)
	if d < time.Hour {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	h, m := d/time.Hour, d%time.Hour/time.Minute
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

func listNames(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}

// The faces of a check, one set wherever a check is shown (idpulse check,
// the menu, the report), so that a symbol means the same in all three.

// StatusSymbol is a probe status's one-character face: ✓ passed, ⚠ warning,
// ✗ failed, ! could not check (the probe itself failed: no verdict on the
// network), – not run (skip, or a status this version does not know).
func StatusSymbol(s probes.Status) string {
	switch s {
	case probes.StatusOK:
		return "✓"
	case probes.StatusWarn:
		return "⚠"
	case probes.StatusFail:
		return "✗"
	case probes.StatusError:
		return "!"
	}
	return "–"
}

// Symbol is the level's face, the probe status's for the same news:
// ✓ ok, ⚠ degraded, ✗ down.
func (l Level) Symbol() string {
	return StatusSymbol([...]probes.Status{probes.StatusOK, probes.StatusWarn, probes.StatusFail}[l.Rank()])
}

// Word is the level as a column or badge shows it: OK, DEGRADED, DOWN.
func (l Level) Word() string { return strings.ToUpper(string(l)) }

// Symbol is the service's face for its roll-up status: ✓ ok, ✗ outage,
// ⚒ maintenance, ⚠ issue and whatever Apple adds next (something is wrong,
// we cannot say how badly).
func (s AppleService) Symbol() string {
	if sym, ok := map[string]string{
		applestatus.ServiceOK:          StatusSymbol(probes.StatusOK),
		applestatus.ServiceOutage:      StatusSymbol(probes.StatusFail),
		applestatus.ServiceMaintenance: "⚒", // planned work: neither fine nor broken
	}[s.Status]; ok {
		return sym
	}
	return StatusSymbol(probes.StatusWarn)
}

// Word is the service's roll-up status as a list shows it next to Symbol:
// "available", "outage", "maintenance", "issue", or Apple's new word.
func (s AppleService) Word() string {
	if s.Status == applestatus.ServiceOK {
		return "available"
	}
	return cmp.Or(s.Status, "unknown")
}
