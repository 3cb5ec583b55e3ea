package check_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/agent/verdict/verdicttest"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/probetest"
)

// scenario breaks one thing in an otherwise healthy world and states the
// verdict a person should get.
type scenario struct {
	name  string
	setup func(t *testing.T, w *probetest.World)
	code  verdict.Code
	level verdict.Level
	cause verdict.Cause
	fixes []string // must all be offered, in this order, at the front
	// findings must all be present; absent must not be.
	findings []verdict.Code
	absent   []verdict.Code
	// headline, when set, must be in the verdict's headline; evidence in
	// one of its evidence lines.
	headline, evidence string
	// realDeadline runs the row with the shipped deadline (5 s) instead of
	// the harness's shorter one.
	realDeadline bool
	// linuxOnly rows need a Linux socket option in the fake servers.
	linuxOnly bool
	// all checks the whole Apple host catalogue (check --all).
	all bool
	// darwin runs the row as a Mac: the probes read macOS's commands from
	// the world's fake runner (sw_vers), and the currency probe runs.
	darwin bool
	// verify, when set, checks more of the document.
	verify func(t *testing.T, doc verdict.Document)
}

// sampled are the catalogue's sampled hosts of one service.
func sampled(id catalog.ServiceID) []catalog.Host {
	var out []catalog.Host
	for _, h := range catalog.Hosts() {
		if h.Service == id && h.Sample {
			out = append(out, h)
		}
	}
	return out
}

// proxied sends the world's HTTP and HTTPS traffic through a CONNECT
// proxy answering in mode, as HTTP(S)_PROXY does.
func proxied(t *testing.T, w *probetest.World, mode probetest.ProxyMode) *probetest.ConnectProxy {
	p := probetest.NewConnectProxy(t, w.Dialer)
	p.SetMode(mode)
	w.Dialer.Set("tcp", "203.0.113.8:3128", probetest.Route{To: p.Addr()})
	w.Vars["HTTPS_PROXY"] = "http://203.0.113.8:3128"
	w.Vars["HTTP_PROXY"] = "http://203.0.113.8:3128"
	return p
}

// pacWorld serves pacJS as the PAC file GNOME's settings name
// (http://wpad.corp.example/proxy.pac), and a proxy at 203.0.113.9:3128
// answering in mode, which the PAC can name.
func pacWorld(t *testing.T, w *probetest.World, pacJS string, mode probetest.ProxyMode) {
	srv := probetest.NewHTTPServer(t)
	srv.SetBehavior(probetest.HTTPSBehavior{Body: pacJS})
	pacIP := netip.MustParseAddr("10.20.0.5")
	w.AnswerAll("wpad.corp.example", probetest.Answer{Addrs: []netip.Addr{pacIP}})
	w.Dialer.Set("tcp", netip.AddrPortFrom(pacIP, 80).String(), probetest.Route{To: srv.Addr()})
	p := probetest.NewConnectProxy(t, w.Dialer)
	p.SetMode(mode)
	w.Dialer.Set("tcp", "203.0.113.9:3128", probetest.Route{To: p.Addr()})
	w.SetDesktopProxy("org.gnome.system.proxy autoconfig-url 'http://wpad.corp.example/proxy.pac'\n" +
		"org.gnome.system.proxy ignore-hosts ['localhost', '127.0.0.0/8', '::1']\n" +
		"org.gnome.system.proxy mode 'auto'\n")
}

// corporatePAC sends Apple through the proxy, everything else direct.
const corporatePAC = `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example")) return "DIRECT";
  if (shExpMatch(host, "*.apple.com") || dnsDomainIs(host, ".icloud.com")) return "PROXY 203.0.113.9:3128; DIRECT";
  return "DIRECT";
}`

// appleV6 is the sign-in host's IPv6 address in the rows that give it one.
var appleV6 = netip.MustParseAddr("2620:149:a44::10")

func outageFeed(service, typ, status string) string {
	start := time.Now().Add(-30 * time.Minute).UnixMilli()
	end := "null"
	if status == "resolved" || status == "completed" {
		end = fmt.Sprint(time.Now().Add(-5 * time.Minute).UnixMilli())
	}
	others := `{"serviceName":"Apple ID","redirectUrl":null,"events":[]},`
	if service == "Apple ID" {
		others = `{"serviceName":"iCloud Mail","redirectUrl":null,"events":[]},`
	}
	return fmt.Sprintf(`{"drpost":false,"drMessage":null,"services":[%s
{"serviceName":%q,"redirectUrl":null,"events":[{"usersAffected":"Some users are affected","epochStartDate":%d,"epochEndDate":%s,
 "messageId":"1003214","statusType":%q,"datePosted":"04/26/2021 04:13 PDT","startDate":"04/26/2021 04:13 PDT","endDate":null,
 "affectedServices":null,"eventStatus":%q,"message":"Users are experiencing a problem with this service."}]}]}`, others, service, start, end, typ, status)
}

var scenarios = []scenario{
	{name: "healthy", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		absent: []verdict.Code{verdict.FindingVPNActive, verdict.FindingFeedUnavailable, verdict.FindingClockDrift}},
	// The system resolver drops queries past a burst (one measured drops
	// them after 20–25 in a row). A lost query used to wait for Go's 5 s
	// retransmit, past the probes' budget, and the services probe reported
	// Apple services failing; each name is now asked once a check and asked
	// again after a second of silence.
	{name: "a resolver that rate-limits bursts", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		realDeadline: true,
		setup:        func(t *testing.T, w *probetest.World) { w.DNS.SetRateLimit(30, time.Second) },
		absent:       []verdict.Code{verdict.FindingServiceBlocked, verdict.CodeDNSFailure},
		verify: func(t *testing.T, doc verdict.Document) {
			for _, p := range doc.Probes {
				if p.Status != probes.StatusOK && p.Status != probes.StatusSkip {
					t.Errorf("%s: %s %q", p.ID, p.Status, p.Summary)
				}
			}
		}},
	{name: "a Mac on macOS 14.3, long behind its line", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		darwin: true, findings: []verdict.Code{verdict.FindingMacOSOutdated},
		setup: func(t *testing.T, w *probetest.World) { serveGDMF(t, w, w.Inter, "14.3", "23D56") },
		verify: func(t *testing.T, doc verdict.Document) {
			for _, f := range doc.Findings {
				if f.Code == verdict.FindingMacOSOutdated && (!strings.HasPrefix(f.Headline, "macOS 14.3 is installed; 14.8.9 is current (since ") ||
					!slices.Contains(f.Fixes, "open-software-update") || !strings.Contains(strings.Join(f.Evidence, "\n"), "gdmf.apple.com")) {
					t.Errorf("macos_outdated = %+v", f.Verdict)
				}
			}
		}},
	{name: "a Mac on the current macOS", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		darwin: true, absent: []verdict.Code{verdict.FindingMacOSOutdated},
		setup: func(t *testing.T, w *probetest.World) { serveGDMF(t, w, w.Inter, "26.6.2", "25G83") },
		verify: func(t *testing.T, doc verdict.Document) {
			if ev := probes.Evidence[probes.CurrencyEvidence](doc.Probes); ev == nil || ev.State != "current" {
				t.Errorf("currency = %+v", ev)
			}
		}},
	{name: "gdmf intercepted by a proxy the Mac trusts", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		darwin: true, absent: []verdict.Code{verdict.FindingMacOSOutdated},
		setup: func(t *testing.T, w *probetest.World) {
			w.TrustInspectionCA()
			serveGDMF(t, w, w.Inspection, "14.3", "23D56")
		},
		verify: func(t *testing.T, doc verdict.Document) {
			if ev := probes.Evidence[probes.CurrencyEvidence](doc.Probes); ev == nil || !ev.Interception || ev.State != "unknown" {
				t.Errorf("currency = %+v", ev)
			}
		}},
	{name: "no interface up", code: verdict.CodeOffline, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixOpenNetworkSettings},
		setup: func(t *testing.T, w *probetest.World) {
			w.SetInterfaces([]probes.Interface{{Name: "lo", Up: true, Loopback: true, Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}})
			w.SetDefaultRoute("")
			w.InternetDown()
		},
		absent: []verdict.Code{verdict.FindingFeedUnavailable, verdict.FindingNTPUnavailable}},
	{name: "internet down behind the router", code: verdict.CodeOffline, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes:  []string{verdict.FixOpenNetworkSettings, verdict.FixToggleWiFi, verdict.FixRenewDHCP},
		setup:  func(t *testing.T, w *probetest.World) { w.InternetDown() },
		absent: []verdict.Code{verdict.FindingFeedUnavailable, verdict.FindingNTPUnavailable}},
	{name: "captive portal", code: verdict.CodeCaptivePortal, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixOpenCaptivePortal},
		setup: func(t *testing.T, w *probetest.World) {
			w.Captive.SetPortal(true, "http://portal.example/login")
			// A portal also hijacks everything else; the verdict must still name the portal.
			for h := range w.SignIn {
				w.Route(h, "tcp", 443, probetest.Route{Drop: true})
			}
		}},
	{name: "hosts file pins appleid", code: verdict.CodeHostsOverride, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixRemoveHostsEntries, verdict.FixFlushDNS},
		setup: func(t *testing.T, w *probetest.World) {
			w.WriteHosts("127.0.0.1 localhost\n# activation bypass\n0.0.0.0 appleid.apple.com gs.apple.com\n")
		}},
	{name: "hosts file pins an unrelated Apple name", code: verdict.CodeHostsOverride, level: verdict.LevelDegraded, cause: verdict.CauseLocal,
		setup: func(t *testing.T, w *probetest.World) {
			w.WriteHosts("127.0.0.1 localhost\n17.1.2.3 itunes.apple.com\n")
		}},
	{name: "DNS filter sinkholes sign-in", code: verdict.CodeDNSFiltered, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixFlushDNS},
		setup: func(t *testing.T, w *probetest.World) {
			w.DNS.Set("idmsa.apple.com", probetest.Answer{Addrs: []netip.Addr{netip.MustParseAddr("0.0.0.0")}})
			w.DNS.Set("gsa.apple.com", probetest.Answer{Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.1")}})
		}},
	{name: "DNS filter answers NXDOMAIN", code: verdict.CodeDNSFiltered, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		setup: func(t *testing.T, w *probetest.World) {
			w.DNS.Set("appleid.apple.com", probetest.Answer{Rcode: dnsmessage.RCodeNameError})
		}},
	{name: "DNS server down and public DNS blocked", code: verdict.CodeDNSFailure, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixFlushDNS, verdict.FixRenewDHCP},
		setup: func(t *testing.T, w *probetest.World) {
			w.DNS.SetDefault(probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
			for _, n := range w.Config.DNSNames {
				w.DNS.Set(n, probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
			}
			for _, ip := range []string{"1.1.1.1:53", "8.8.8.8:53"} {
				w.Dialer.Set("udp", ip, probetest.Route{Unreachable: true})
			}
		}},
	{name: "proxy refuses CONNECT", code: verdict.CodeProxyFailure, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes:    []string{verdict.FixOpenProxySettings},
		findings: []verdict.Code{verdict.FindingProxyConfigured},
		setup: func(t *testing.T, w *probetest.World) {
			p := probetest.NewConnectProxy(t, w.Dialer)
			p.SetMode(probetest.ProxyDeny)
			w.Dialer.Set("tcp", "203.0.113.8:3128", probetest.Route{To: p.Addr()})
			w.Vars["HTTPS_PROXY"] = "http://203.0.113.8:3128"
		}},
	{name: "working proxy", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingProxyConfigured},
		setup: func(t *testing.T, w *probetest.World) {
			p := probetest.NewConnectProxy(t, w.Dialer)
			w.Dialer.Set("tcp", "203.0.113.8:3128", probetest.Route{To: p.Addr()})
			w.Vars["HTTPS_PROXY"] = "http://203.0.113.8:3128"
		}},
	{name: "firewall refuses sign-in", code: verdict.CodeBlocked, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixTryOtherNetwork},
		setup: func(t *testing.T, w *probetest.World) {
			closed := probetest.ClosedPort(t)
			for h := range w.SignIn {
				w.Route(h, "tcp", 443, probetest.Route{To: closed})
			}
		}},
	{name: "firewall drops sign-in", code: verdict.CodeBlocked, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		setup: func(t *testing.T, w *probetest.World) {
			w.Route("idmsa.apple.com", "tcp", 443, probetest.Route{Drop: true})
		}},
	{name: "blocked with a VPN up", code: verdict.CodeBlocked, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes:    []string{verdict.FixTryOtherNetwork, verdict.FixDisconnectVPN},
		findings: []verdict.Code{verdict.FindingVPNActive},
		setup: func(t *testing.T, w *probetest.World) {
			w.SetDefaultRoute("tun0")
			w.Route("appleid.apple.com", "tcp", 443, probetest.Route{To: probetest.ClosedPort(t)})
		}},
	{name: "TLS inspection with the corporate root installed", code: verdict.CodeTLSInterception, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixTryOtherNetwork},
		setup: func(t *testing.T, w *probetest.World) {
			w.TrustInspectionCA()
			w.InterceptTLS()
		}},
	{name: "TLS inspection with an unknown root", code: verdict.CodeTLSInterception, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		setup: func(t *testing.T, w *probetest.World) { w.InterceptTLS() }},
	{name: "clock 7 minutes slow via NTP", code: verdict.CodeClockSkew, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixSyncClock, verdict.FixOpenDateTime},
		setup: func(t *testing.T, w *probetest.World) {
			w.NTP.SetBehavior(probetest.NTPBehavior{Offset: 7 * time.Minute})
		}},
	{name: "clock 10 minutes fast via Date headers, NTP blocked", code: verdict.CodeClockSkew, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixSyncClock},
		setup: func(t *testing.T, w *probetest.World) {
			w.Route("time.apple.com", "udp", 123, probetest.Route{Unreachable: true})
			for _, s := range w.SignIn {
				s.SetBehavior(probetest.HTTPSBehavior{DateSkew: -10 * time.Minute})
			}
		}},
	{name: "clock far behind: certificates not yet valid", code: verdict.CodeClockSkew, level: verdict.LevelDown, cause: verdict.CauseLocal,
		absent: []verdict.Code{verdict.CodeTLSInterception},
		setup: func(t *testing.T, w *probetest.World) {
			w.NTP.SetBehavior(probetest.NTPBehavior{Offset: 3 * time.Hour})
			for h, s := range w.SignIn {
				s.SetCertificate(w.Inter.Leaf(t, []string{h}, time.Now().Add(2*time.Hour), time.Now().Add(90*24*time.Hour)))
			}
		}},
	{name: "clock drift 2 minutes is a finding", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingClockDrift},
		setup: func(t *testing.T, w *probetest.World) {
			w.NTP.SetBehavior(probetest.NTPBehavior{Offset: -2 * time.Minute})
		}},
	{name: "NTP kiss-of-death falls back to Date headers", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		absent: []verdict.Code{verdict.FindingNTPUnavailable},
		setup:  func(t *testing.T, w *probetest.World) { w.NTP.SetBehavior(probetest.NTPBehavior{KissOfDeath: "RATE"}) }},
	{name: "NTP silently dropped falls back to Date headers", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		absent: []verdict.Code{verdict.FindingNTPUnavailable},
		setup:  func(t *testing.T, w *probetest.World) { w.NTP.SetBehavior(probetest.NTPBehavior{Silent: true}) }},
	{name: "NTP and Date headers unavailable", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingNTPUnavailable},
		setup: func(t *testing.T, w *probetest.World) {
			w.NTP.SetBehavior(probetest.NTPBehavior{Unsynced: true})
			for _, s := range w.SignIn {
				s.SetBehavior(probetest.HTTPSBehavior{NoDate: true})
			}
		}},
	{name: "Apple reports an Apple ID outage", code: verdict.CodeAppleOutage, level: verdict.LevelDown, cause: verdict.CauseApple,
		fixes: []string{verdict.FixOpenSystemStatus},
		setup: func(t *testing.T, w *probetest.World) {
			w.SetFeed(outageFeed("iCloud Account &amp; Sign In", "Outage", "ongoing"))
		}},
	{name: "Apple reports slow sign-in", code: verdict.CodeAppleOutage, level: verdict.LevelDegraded, cause: verdict.CauseApple,
		setup: func(t *testing.T, w *probetest.World) { w.SetFeed(outageFeed("Apple ID", "Performance", "ongoing")) }},
	{name: "Apple sign-in answers 503, feed silent", code: verdict.CodeAppleUnreachable, level: verdict.LevelDown, cause: verdict.CauseApple,
		fixes: []string{verdict.FixOpenSystemStatus},
		setup: func(t *testing.T, w *probetest.World) {
			w.SignIn["appleid.apple.com"].SetBehavior(probetest.HTTPSBehavior{Status: 503})
		}},
	{name: "Apple sign-in hangs after TLS", code: verdict.CodeAppleUnreachable, level: verdict.LevelDown, cause: verdict.CauseApple,
		setup: func(t *testing.T, w *probetest.World) {
			w.SignIn["appleid.apple.com"].SetBehavior(probetest.HTTPSBehavior{Hang: true})
		}},
	{name: "push blocked on 5223 while 443 still works", code: verdict.CodePushBlocked, level: verdict.LevelDegraded, cause: verdict.CauseNetwork,
		setup: func(t *testing.T, w *probetest.World) {
			w.Route(w.Config.PushHost, "tcp", w.Config.PushPort, probetest.Route{To: probetest.ClosedPort(t)})
		},
		verify: func(t *testing.T, doc verdict.Document) {
			if d := doc.Verdict.Detail; !strings.Contains(d, "falls back to port 443") || !strings.Contains(d, "slower") {
				t.Errorf("detail %q, want it to say push falls back to port 443, slower", d)
			}
		}},
	{name: "push blocked on 5223 and on 443", code: verdict.CodePushBlocked, level: verdict.LevelDegraded, cause: verdict.CauseNetwork,
		evidence: ":443",
		setup: func(t *testing.T, w *probetest.World) {
			w.Route(w.Config.PushHost, "tcp", w.Config.PushPort, probetest.Route{To: probetest.ClosedPort(t)})
			w.Route(w.Config.PushHost, "tcp", 443, probetest.Route{To: probetest.ClosedPort(t)})
		},
		verify: func(t *testing.T, doc verdict.Document) {
			if d := doc.Verdict.Detail; !strings.Contains(d, "Port 443, where push falls back, is refused too") {
				t.Errorf("detail %q, want it to say port 443 is refused too", d)
			}
		}},
	{name: "software-update hosts blocked while sign-in works", code: verdict.CodeUpdateBlocked, level: verdict.LevelDegraded, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixTryOtherNetwork}, headline: "error 3014", evidence: "software_update: gs.apple.com:443",
		absent: []verdict.Code{verdict.FindingServiceBlocked},
		setup: func(t *testing.T, w *probetest.World) {
			for _, h := range sampled(catalog.SoftwareUpdate) {
				w.Route(h.Host, h.Network(), h.Port, probetest.Route{To: probetest.ClosedPort(t)})
			}
		}},
	{name: "iCloud hosts sinkholed by the system DNS", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingServiceBlocked}, absent: []verdict.Code{verdict.CodeUpdateBlocked},
		setup: func(t *testing.T, w *probetest.World) {
			for _, h := range sampled(catalog.ICloud) {
				w.DNS.Set(h.Host, probetest.Answer{Addrs: []netip.Addr{netip.IPv4Unspecified()}})
			}
		},
		verify: func(t *testing.T, doc verdict.Document) {
			i := slices.IndexFunc(doc.Services, func(s verdict.Service) bool { return s.ID == string(catalog.ICloud) })
			if i < 0 || doc.Services[i].Status != probes.StatusFail || doc.Services[i].Hosts[0].Class != probes.ClassSinkhole {
				t.Errorf("services = %+v, want icloud failing on a sinkhole", doc.Services)
			}
		}},
	{name: "the whole catalogue healthy (check --all)", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone, all: true,
		absent: []verdict.Code{verdict.FindingServiceBlocked, verdict.CodeUpdateBlocked},
		verify: func(t *testing.T, doc verdict.Document) {
			n := 0
			for _, s := range doc.Services {
				for _, h := range s.Hosts {
					n++
					if h.Status != probes.StatusOK || h.Path != "direct" {
						t.Errorf("%s %s:%d: %s %s via %s", s.ID, h.Host, h.Port, h.Status, h.Class, h.Path)
					}
				}
			}
			if n != len(catalog.Hosts()) {
				t.Errorf("%d hosts checked, the catalogue has %d", n, len(catalog.Hosts()))
			}
		}},
	{name: "outage on iCloud Mail only is a finding", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingAppleIssue},
		setup:    func(t *testing.T, w *probetest.World) { w.SetFeed(outageFeed("iCloud Mail", "Outage", "ongoing")) }},
	{name: "maintenance only stays ok", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingAppleMaintenance},
		absent:   []verdict.Code{verdict.FindingAppleIssue},
		setup:    func(t *testing.T, w *probetest.World) { w.SetFeed(outageFeed("Apple ID", "Maintenance", "upcoming")) }},
	{name: "resolved outage stays ok", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		absent: []verdict.Code{verdict.FindingAppleIssue},
		setup:  func(t *testing.T, w *probetest.World) { w.SetFeed(outageFeed("Apple ID", "Outage", "resolved")) }},
	{name: "feed garbage stays ok", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingFeedUnavailable},
		setup:    func(t *testing.T, w *probetest.World) { w.SetFeed("<html>Service Unavailable</html>") }},
	{name: "feed unreachable stays ok", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingFeedUnavailable},
		setup: func(t *testing.T, w *probetest.World) {
			w.Route("www.apple.com", "tcp", 443, probetest.Route{To: probetest.ClosedPort(t)})
		}},
	// Issue 10: root causes from cross-checked paths.
	{name: "router resolver answers SERVFAIL for every name, public DNS works", code: verdict.CodeDNSFailure, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixOpenNetworkSettings, verdict.FixRenewDHCP}, headline: "DNS server is not working",
		absent: []verdict.Code{verdict.CodeDNSFiltered},
		setup: func(t *testing.T, w *probetest.World) {
			w.DNS.SetDefault(probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
			for _, n := range append(slices.Clone(w.Config.DNSNames), w.Config.DNSControl, "captive.apple.com", "www.apple.com") {
				w.DNS.Set(n, probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
			}
		}},
	{name: "router resolver times out, public DNS works", code: verdict.CodeDNSFailure, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		headline: "DNS server is not working", absent: []verdict.Code{verdict.CodeDNSFiltered},
		setup: func(t *testing.T, w *probetest.World) {
			w.DNS.SetDefault(probetest.Answer{Drop: true})
			for _, n := range append(slices.Clone(w.Config.DNSNames), w.Config.DNSControl, "captive.apple.com", "www.apple.com") {
				w.DNS.Set(n, probetest.Answer{Drop: true})
			}
		}},
	{name: "resolver refuses Apple's names only", code: verdict.CodeDNSFiltered, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		evidence: "the same resolver answers one.one.one.one",
		setup: func(t *testing.T, w *probetest.World) {
			for _, n := range w.Config.SignInHosts {
				w.DNS.Set(n, probetest.Answer{Rcode: dnsmessage.RCodeRefused})
			}
		}},
	{name: "content filter sends Apple to a block page", code: verdict.CodeDNSFiltered, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		absent: []verdict.Code{verdict.CodeTLSInterception, verdict.CodeCaptivePortal}, evidence: "presents a certificate issued by",
		setup: func(t *testing.T, w *probetest.World) {
			block := probetest.NewHTTPSServer(t, w.Inspection.ValidLeaf(t, "block.filter.example"))
			for i, n := range w.Config.SignInHosts {
				ip := netip.AddrFrom4([4]byte{198, 51, 100, byte(10 + i)})
				w.DNS.Set(n, probetest.Answer{Addrs: []netip.Addr{ip}})
				w.Dialer.Set("tcp", netip.AddrPortFrom(ip, 443).String(), probetest.Route{To: block.Addr()})
			}
		}},
	{name: "proxy refusing Apple also answers the portal check", code: verdict.CodeProxyFailure, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixOpenProxySettings}, absent: []verdict.Code{verdict.CodeCaptivePortal},
		evidence: "answered HTTP 403 to the portal check; direct, the portal check succeeds",
		setup:    func(t *testing.T, w *probetest.World) { proxied(t, w, probetest.ProxyDeny) }},
	{name: "proxy wants a password", code: verdict.CodeProxyFailure, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixOpenProxySettings}, headline: "needs a password", absent: []verdict.Code{verdict.CodeCaptivePortal},
		setup: func(t *testing.T, w *probetest.World) { proxied(t, w, probetest.ProxyAuthRequired) }},
	{name: "broken proxy that Apple bypasses is only a finding", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingProxyConfigured},
		setup: func(t *testing.T, w *probetest.World) {
			proxied(t, w, probetest.ProxyDeny)
			w.Vars["NO_PROXY"] = ".apple.com,.icloud.com"
		}},
	{name: "portal seen through a working proxy", code: verdict.CodeCaptivePortal, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		setup: func(t *testing.T, w *probetest.World) {
			proxied(t, w, probetest.ProxyOK)
			w.Captive.SetPortal(true, "http://portal.example/login")
		}},
	{name: "split-tunnel VPN, everything healthy", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingVPNActive},
		setup: func(t *testing.T, w *probetest.World) {
			w.AddRoute("0.0.0.0/1", "tun0")
			w.AddRoute("128.0.0.0/1", "tun0")
		}},
	{name: "split-tunnel VPN and Apple blocked", code: verdict.CodeBlocked, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixTryOtherNetwork, verdict.FixDisconnectVPN}, findings: []verdict.Code{verdict.FindingVPNActive},
		setup: func(t *testing.T, w *probetest.World) {
			w.AddRoute("0.0.0.0/1", "tun0")
			w.AddRoute("128.0.0.0/1", "tun0")
			w.Route("appleid.apple.com", "tcp", 443, probetest.Route{To: probetest.ClosedPort(t)})
		}},
	{name: "VPN routing only Apple's block", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingVPNActive},
		setup:    func(t *testing.T, w *probetest.World) { w.AddRoute("17.0.0.0/8", "wg0") }},
	{name: "clock three years behind, NTP says so", code: verdict.CodeClockSkew, level: verdict.LevelDown, cause: verdict.CauseLocal,
		absent: []verdict.Code{verdict.CodeTLSInterception, verdict.CodeBlocked},
		setup: func(t *testing.T, w *probetest.World) {
			w.NTP.SetBehavior(probetest.NTPBehavior{Offset: 3 * 365 * 24 * time.Hour})
			for h, s := range w.SignIn {
				s.SetCertificate(w.Inter.Leaf(t, []string{h}, time.Now().Add(2*365*24*time.Hour), time.Now().Add(4*365*24*time.Hour)))
			}
		}},
	{name: "clock far ahead without any clock evidence: Apple's certificates expired", code: verdict.CodeClockSkew, level: verdict.LevelDown, cause: verdict.CauseLocal,
		absent: []verdict.Code{verdict.CodeTLSInterception, verdict.CodeBlocked}, headline: "appears to be wrong",
		setup: func(t *testing.T, w *probetest.World) {
			w.NTP.SetBehavior(probetest.NTPBehavior{Unsynced: true})
			for h, s := range w.SignIn {
				s.SetBehavior(probetest.HTTPSBehavior{NoDate: true})
				s.SetCertificate(w.Inter.Leaf(t, []string{h}, time.Now().Add(-400*24*time.Hour), time.Now().Add(-10*24*time.Hour)))
			}
		}},
	{name: "path drops large packets", code: verdict.CodeMTUBlackhole, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixTryOtherNetwork}, absent: []verdict.Code{verdict.CodeBlocked, verdict.CodeAppleUnreachable}, linuxOnly: true,
		setup: func(t *testing.T, w *probetest.World) {
			for _, h := range w.Config.SignInHosts {
				w.Relay(h, 443, probetest.RelayOptions{MaxSegment: 1200})
			}
		}},
	{name: "MTU black hole behind a VPN", code: verdict.CodeMTUBlackhole, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixTryOtherNetwork, verdict.FixOpenNetworkSettings, verdict.FixDisconnectVPN}, linuxOnly: true,
		setup: func(t *testing.T, w *probetest.World) {
			w.AddRoute("0.0.0.0/1", "tun0")
			w.AddRoute("128.0.0.0/1", "tun0")
			for _, h := range w.Config.SignInHosts {
				w.Relay(h, 443, probetest.RelayOptions{MaxSegment: 1200})
			}
		}},
	{name: "600 ms round trips to Apple", code: verdict.CodeSlowNetwork, level: verdict.LevelDegraded, cause: verdict.CauseNetwork,
		headline: "too slow for Apple ID sign-in", realDeadline: true,
		absent: []verdict.Code{verdict.CodeBlocked, verdict.CodeAppleUnreachable, verdict.CodeMTUBlackhole},
		setup: func(t *testing.T, w *probetest.World) {
			for _, h := range w.Config.SignInHosts {
				// The handshake's round trip in the dial, the data's in the relay.
				r := w.Relay(h, 443, probetest.RelayOptions{Delay: 300 * time.Millisecond})
				w.Route(h, "tcp", 443, probetest.Route{To: r.Addr(), Delay: 600 * time.Millisecond})
			}
		}},
	{name: "broken IPv6, IPv4 works", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingIPv6Broken},
		setup: func(t *testing.T, w *probetest.World) {
			h := w.Config.SignInHosts[0]
			w.AnswerAll(h, probetest.Answer{Addrs: []netip.Addr{appleV6, w.Addr(h)}})
			w.Dialer.Set("tcp", netip.AddrPortFrom(appleV6, 443).String(), probetest.Route{Drop: true})
		}},
	{name: "IPv6 working", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		absent: []verdict.Code{verdict.FindingIPv6Broken},
		setup: func(t *testing.T, w *probetest.World) {
			h := w.Config.SignInHosts[0]
			w.AnswerAll(h, probetest.Answer{Addrs: []netip.Addr{appleV6, w.Addr(h)}})
			w.Dialer.Set("tcp", netip.AddrPortFrom(appleV6, 443).String(), probetest.Route{To: w.SignIn[h].Addr()})
		}},
	{name: "PAC sends Apple to a proxy that refuses it", code: verdict.CodeProxyFailure, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixOpenProxySettings}, absent: []verdict.Code{verdict.CodeCaptivePortal, verdict.CodeBlocked},
		evidence: "the proxy at http://203.0.113.9:3128: proxy answered CONNECT with 403",
		setup:    func(t *testing.T, w *probetest.World) { pacWorld(t, w, corporatePAC, probetest.ProxyDeny) }},
	{name: "PAC sends Apple to a working proxy", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingProxyConfigured},
		setup:    func(t *testing.T, w *probetest.World) { pacWorld(t, w, corporatePAC, probetest.ProxyOK) }},
	{name: "PAC sends Apple direct past a broken proxy", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingProxyConfigured},
		setup: func(t *testing.T, w *probetest.World) {
			pacWorld(t, w, `function FindProxyForURL(url, host) { return dnsDomainIs(host, ".apple.com") ? "DIRECT" : "PROXY 203.0.113.9:3128"; }`, probetest.ProxyDeny)
		}},
	{name: "PAC file unreachable: direct, as the OS does", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingProxyConfigured},
		setup: func(t *testing.T, w *probetest.World) {
			pacWorld(t, w, corporatePAC, probetest.ProxyDeny)
			w.Dialer.Set("tcp", "10.20.0.5:80", probetest.Route{To: probetest.ClosedPort(t)})
		}},
	{name: "hosts override during an Apple outage: the local cause first", code: verdict.CodeHostsOverride, level: verdict.LevelDown, cause: verdict.CauseLocal,
		findings: []verdict.Code{verdict.FindingAppleIssue},
		setup: func(t *testing.T, w *probetest.World) {
			w.WriteHosts("127.0.0.1 localhost\n0.0.0.0 appleid.apple.com\n")
			w.SetFeed(outageFeed("Apple ID", "Outage", "ongoing"))
		}},
}

// serveGDMF serves Apple's real release list of 2026-08-22 as
// gdmf.apple.com, with a leaf from ca, to a Mac whose sw_vers says
// version and build. Posting dates are in the past of any test run.
func serveGDMF(t *testing.T, w *probetest.World, ca *probetest.CA, version, build string) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "probes", "currency", "testdata", "sofa-gdmf_cached_2026-08-22.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sofa struct{ Data json.RawMessage }
	if err := json.Unmarshal(raw, &sofa); err != nil {
		t.Fatal(err)
	}
	srv := probetest.NewHTTPSServer(t, ca.ValidLeaf(t, "gdmf.apple.com"))
	srv.SetBehavior(probetest.HTTPSBehavior{Body: string(sofa.Data)})
	w.Route("gdmf.apple.com", "tcp", 443, probetest.Route{To: srv.Addr()})
	w.Runner.Set("/usr/bin/sw_vers", []byte("ProductName:\tmacOS\nProductVersion:\t"+version+"\nBuildVersion:\t"+build+"\n"), nil)
}

func TestScenarios(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			w := probetest.NewWorld(t)
			if sc.setup != nil {
				sc.setup(t, w)
			}
			if sc.linuxOnly && runtime.GOOS != "linux" {
				t.Skip("the MTU relay reads the MSS with a Linux socket option")
			}
			cfg := clitest.WorldConfig(w)
			cfg.Check.AllServices = sc.all
			if sc.realDeadline {
				cfg.Check.Deadline, cfg.Check.ProbeTimeout = probes.DefaultConfig().Deadline, probes.DefaultConfig().ProbeTimeout
			}
			env := w.Env()
			if sc.darwin {
				env.GOOS = "darwin"
			}
			doc := diagnose.Diagnoser{Config: cfg, Env: env, Now: time.Now}.Once(context.Background())
			var got []verdict.Code
			for _, f := range doc.Findings {
				got = append(got, f.Code)
			}
			verdicttest.Want{Code: sc.code, Level: sc.level, Cause: sc.cause, Fixes: sc.fixes, Headline: sc.headline,
				Evidence: sc.evidence, Findings: sc.findings, Absent: sc.absent}.Check(t, doc.Verdict, got, describe(doc))
			if sc.verify != nil {
				sc.verify(t, doc)
			}
			promtoolAccepts(t, doc)
		})
	}
}

func describe(doc verdict.Document) string {
	var b strings.Builder
	fmt.Fprintf(&b, "headline: %s\n", doc.Verdict.Headline)
	for _, r := range doc.Probes {
		fmt.Fprintf(&b, "  %-8s %-5s %s\n", r.ID, r.Status, r.Summary)
	}
	return b.String()
}
