package verdict

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/currency"
	"github.com/idpulse/idpulse/probes/netenv"
)

// world is one cycle's evidence, built by hand: healthy until a case
// breaks something in it. It holds the evidence the rules read in the
// shape they read it (Facts), plus what only the engine's results carry.
type world struct {
	Facts
	status  map[probes.ID]probes.Status
	summary map[probes.ID]string
	link    *probes.LinkEvidence
	system  *probes.SystemEvidence
}

var signInNames = []string{"appleid.apple.com", "idmsa.apple.com", "gsa.apple.com"}

func ok(target string) probes.Attempt {
	return probes.Attempt{Target: target, Address: "17.0.0.1:443", OK: true}
}

func failed(target, stage string, c probes.Class) probes.Attempt {
	return probes.Attempt{Target: target, Address: "17.0.0.1:443", Stage: stage, Class: c, Error: target + ": " + string(c)}
}

func genuine(host string) probes.TLSHandshake {
	return probes.TLSHandshake{Attempt: ok(host + ":443"), Verified: true, TrustedIssuer: true,
		Issuer: "Apple Public Server RSA CA 12 - G1, Apple Inc.", IssuerOrg: "Apple Inc."}
}

func healthyWorld() *world {
	w := &world{status: map[probes.ID]probes.Status{}, summary: map[probes.ID]string{}}
	w.link = &probes.LinkEvidence{Interfaces: []probes.Interface{{Name: "en0", Up: true, Addresses: []netip.Addr{netip.MustParseAddr("192.168.1.20")}}},
		DefaultRoute: &netenv.DefaultRoute{Interface: "en0", Gateway: "192.168.1.1"}}
	w.summary[probes.IDLink] = "default route via 192.168.1.1 on en0"
	w.control = &probes.ControlEvidence{Targets: []probes.Attempt{ok("1.1.1.1:443"), ok("8.8.8.8:443")}}
	w.captive = &probes.CaptiveEvidence{URL: "http://captive.apple.com/hotspot-detect.html", StatusCode: 200}
	w.dns = &probes.DNSEvidence{Filtered: []string{}, Failed: []string{}}
	for _, n := range signInNames {
		w.dns.System = append(w.dns.System, probes.DNSLookup{Name: n, Resolver: "system", Addresses: []netip.Addr{netip.MustParseAddr("17.0.0.1")}})
		w.dns.Public = append(w.dns.Public, probes.DNSLookup{Name: n, Resolver: "1.1.1.1:53", Addresses: []netip.Addr{netip.MustParseAddr("17.0.0.1")}})
	}
	w.hosts = &probes.HostsEvidence{Path: "/etc/hosts", Entries: []probes.HostsEntry{}}
	w.proxy = &probes.ProxyEvidence{Config: netenv.ProxyConfig{Source: "none"}}
	w.status[probes.IDProxy] = probes.StatusSkip
	w.vpn = &probes.VPNEvidence{}
	w.reach = &probes.ReachEvidence{Push: &probes.Attempt{Target: "courier.push.apple.com:5223", Address: "17.0.0.2:5223", OK: true}}
	w.tls = &probes.TLSEvidence{}
	for _, n := range signInNames {
		w.reach.SignIn = append(w.reach.SignIn, ok(n+":443"))
		w.tls.Hosts = append(w.tls.Hosts, genuine(n))
	}
	w.https = &probes.HTTPSEvidence{Attempt: ok("appleid.apple.com:443"), URL: "https://appleid.apple.com/", StatusCode: 200}
	w.clock = &probes.ClockEvidence{Source: probes.ClockSourceNTP, Server: "time.apple.com", OffsetMS: 12, UncertaintyMS: 3}
	w.svcs = &probes.ServicesEvidence{}
	for _, svc := range []catalog.ServiceID{catalog.ICloud, catalog.AppStore, catalog.SoftwareUpdate, catalog.DeviceManagement} {
		title, _ := catalog.Lookup(svc)
		host := string(svc) + ".apple.com"
		w.svcs.Services = append(w.svcs.Services, probes.ServiceResult{ID: svc, Title: title.Title, Status: probes.StatusOK,
			Hosts: []probes.HostResult{{Host: host, Port: 443, Status: probes.StatusOK, Path: "direct", Attempt: ok(host + ":443")}}})
	}
	w.system = &probes.SystemEvidence{SystemInfo: netenv.SystemInfo{OS: "macOS", Version: "14.4.1"}}
	w.currency = &probes.CurrencyEvidence{Installed: "14.7.2", Build: "23H311", State: currency.StateCurrent, Line: "macOS 14",
		Latest: "14.7.2", LatestBuild: "23H311", LatestPosted: "2024-12-11", Source: currency.DefaultURL}
	w.apple = &AppleStatus{Source: "test", Services: []AppleService{
		{Name: "Apple Account & Sign In", Status: "ok", SignIn: true, Events: []AppleEvent{}},
		{Name: "iCloud Mail", Status: "ok", Events: []AppleEvent{}},
	}}
	return w
}

// input is the world as the engine and the feed report it.
func (w *world) input() Input {
	var rs probes.Results
	for _, r := range []struct {
		id probes.ID
		ev any
	}{
		{probes.IDLink, w.link}, {probes.IDControl, w.control}, {probes.IDCaptive, w.captive}, {probes.IDDNS, w.dns},
		{probes.IDHosts, w.hosts}, {probes.IDProxy, w.proxy}, {probes.IDVPN, w.vpn}, {probes.IDReach, w.reach},
		{probes.IDTLS, w.tls}, {probes.IDHTTPS, w.https}, {probes.IDServices, w.svcs}, {probes.IDClock, w.clock}, {probes.IDSystem, w.system},
		{probes.IDCurrency, w.currency},
	} {
		st, ok := w.status[r.id]
		if !ok {
			st = probes.StatusOK
		}
		rs = append(rs, probes.Result{ID: r.id, Status: st, Summary: w.summary[r.id], Evidence: r.ev})
	}
	return Input{Results: rs, Apple: w.apple}
}

func (w *world) event(service, typ, status string) {
	start := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	for i, s := range w.apple.Services {
		if s.Name == service {
			w.apple.Services[i].Events = append(w.apple.Services[i].Events,
				AppleEvent{ID: "1", Type: typ, Status: status, Start: &start, UsersAffected: "Some users are affected", Message: "Users are experiencing a problem."})
		}
	}
}

// A case breaks one thing, for one row of the table.
type rowCase struct {
	code  Code
	level Level
	cause Cause
	brk   func(w *world)
	// headline the row must say; for findings the finding's.
	headline string
	// verdict is what a finding's case leaves as the verdict ("" = ok).
	verdict Code
}

// blockService makes every host of the service fail with class c.
func blockService(w *world, id catalog.ServiceID, c probes.Class) {
	s := w.svcs.Service(id)
	s.Status = probes.StatusFail
	for i, h := range s.Hosts {
		s.Hosts[i].Status, s.Hosts[i].Attempt = probes.StatusFail, failed(h.Target, "connect", c)
	}
}

func internetDown(w *world) {
	w.control.Targets = []probes.Attempt{failed("1.1.1.1:443", "connect", probes.ClassTimeout), failed("8.8.8.8:443", "connect", probes.ClassTimeout)}
	w.captive.StatusCode, w.captive.Class = 0, probes.ClassTimeout
	for i := range w.reach.SignIn {
		w.reach.SignIn[i] = failed(w.reach.SignIn[i].Target, "connect", probes.ClassTimeout)
	}
	w.https.Attempt, w.https.StatusCode = failed("appleid.apple.com:443", "connect", probes.ClassTimeout), 0
	for i := range w.dns.Public {
		w.dns.Public[i].Class, w.dns.Public[i].Addresses = probes.ClassTimeout, nil
	}
}

var cases = []rowCase{
	{CodeOffline, LevelDown, CauseLocal, func(w *world) {
		w.status[probes.IDLink], w.summary[probes.IDLink] = probes.StatusFail, "no interface is up"
		w.link.Interfaces, w.link.DefaultRoute = nil, nil
	}, "This Mac is not connected to a network", ""},
	{CodeOffline, LevelDown, CauseNetwork, internetDown, "Connected to the network, but not to the internet", ""},
	{CodeCaptivePortal, LevelDown, CauseNetwork, func(w *world) {
		w.captive.StatusCode, w.captive.Portal, w.captive.Location = 302, true, "http://portal.example/login"
	}, "A Wi-Fi login page is blocking the connection", ""},
	{CodeHostsOverride, LevelDown, CauseLocal, func(w *world) {
		w.hosts.Entries = []probes.HostsEntry{{Line: 3, Address: "0.0.0.0", Names: []string{"appleid.apple.com"}, Sinkhole: true}}
	}, "The hosts file redirects Apple's servers", ""},
	{CodeHostsOverride, LevelDegraded, CauseLocal, func(w *world) {
		w.hosts.Entries = []probes.HostsEntry{{Line: 3, Address: "17.1.2.3", Names: []string{"itunes.apple.com"}}}
	}, "The hosts file redirects Apple's servers", ""},
	{CodeDNSFiltered, LevelDown, CauseNetwork, func(w *world) {
		w.dns.Filtered = []string{"idmsa.apple.com"}
		w.dns.System[1].Addresses, w.dns.System[1].Class = []netip.Addr{netip.MustParseAddr("0.0.0.0")}, probes.ClassSinkhole
	}, "This network's DNS blocks Apple's servers", ""},
	{CodeDNSFailure, LevelDown, CauseNetwork, func(w *world) {
		w.dns.Failed = []string{"gsa.apple.com"}
		w.dns.System[2].Addresses, w.dns.System[2].Class = nil, probes.ClassServFail
	}, "DNS is not working", ""},
	{CodeDNSFailure, LevelDown, CauseNetwork, func(w *world) {
		w.dns.Broken = []string{"gsa.apple.com"}
		w.dns.System[2].Addresses, w.dns.System[2].Class = nil, probes.ClassServFail
		w.dns.Control = &probes.DNSLookup{Name: "one.one.one.one", Resolver: "system", Class: probes.ClassServFail}
	}, "This network's DNS server is not working", ""},
	{CodeProxyFailure, LevelDown, CauseLocal, func(w *world) {
		w.proxy.Config = netenv.ProxyConfig{Source: "environment", HTTPS: "http://proxy.example:3128"}
		w.proxy.Proxied = &probes.ProxyPath{Proxy: "http://proxy.example:3128",
			Attempt: failed("appleid.apple.com:443", "proxy", probes.ClassProxy)}
		w.proxy.Direct = &probes.Attempt{Target: "appleid.apple.com:443", OK: true}
	}, "The proxy server is not letting Apple through", ""},
	{CodeProxyFailure, LevelDown, CauseLocal, func(w *world) {
		w.proxy.Config = netenv.ProxyConfig{Source: "scutil", HTTPS: "proxy.example:3128"}
		w.proxy.Proxied = &probes.ProxyPath{Proxy: "http://proxy.example:3128", StatusCode: 407,
			Attempt: failed("appleid.apple.com:443", "proxy", probes.ClassProxyAuth)}
	}, "The proxy server needs a password", ""},
	{CodeBlocked, LevelDown, CauseNetwork, func(w *world) {
		w.reach.SignIn[1] = failed("idmsa.apple.com:443", "connect", probes.ClassRefused)
	}, "Something on this network blocks Apple's sign-in servers", ""},
	{CodeTLSInterception, LevelDown, CauseNetwork, func(w *world) {
		h := &w.tls.Hosts[0]
		h.Interception, h.TrustedIssuer, h.Issuer = true, false, "Corp Inspection CA, Corp"
	}, "A security proxy is intercepting encrypted traffic to Apple", ""},
	{CodeClockSkew, LevelDown, CauseLocal, func(w *world) {
		w.clock.OffsetMS, w.status[probes.IDClock] = 7*60*1000, probes.StatusFail
	}, "This Mac's clock is 7 min slow", ""},
	{CodeAppleOutage, LevelDown, CauseApple, func(w *world) {
		w.event("Apple Account & Sign In", "Outage", "ongoing")
	}, "Apple reports an outage with Apple Account & Sign In — nothing to fix on this Mac", ""},
	{CodeAppleOutage, LevelDegraded, CauseApple, func(w *world) {
		w.event("Apple Account & Sign In", "Performance", "ongoing")
	}, "Apple reports a problem with Apple Account & Sign In — nothing to fix on this Mac", ""},
	{CodeAppleUnreachable, LevelDown, CauseApple, func(w *world) {
		w.https.Attempt, w.https.StatusCode = failed("appleid.apple.com:443", "http", probes.ClassHTTP5xx), 503
	}, "Apple's sign-in service is having problems (not yet on Apple System Status)", ""},
	{CodeMTUBlackhole, LevelDown, CauseNetwork, func(w *world) {
		h := &w.tls.Hosts[1]
		h.OK, h.Verified, h.Stage, h.Class, h.Error = false, false, "tls", probes.ClassTimeout, "TLS handshake with idmsa.apple.com stalled"
		h.SmallSegments = &probes.Attempt{Target: h.Address, OK: true, Phases: probes.Phases{Connect: time.Millisecond, TLS: 30 * time.Millisecond}}
	}, "This network drops large packets to Apple", ""},
	{CodeSlowNetwork, LevelDegraded, CauseNetwork, func(w *world) {
		for i := range w.reach.SignIn {
			w.reach.SignIn[i].Phases.Connect = 610 * time.Millisecond
		}
		for i := range w.tls.Hosts {
			w.tls.Hosts[i].Phases.Connect = 600 * time.Millisecond
		}
	}, "This network is too slow for Apple ID sign-in (605 ms round trips)", ""},
	{CodePushBlocked, LevelDegraded, CauseNetwork, func(w *world) {
		a := failed("courier.push.apple.com:5223", "connect", probes.ClassRefused)
		w.reach.Push = &a
	}, "Apple push notifications are blocked on this network", ""},
	{CodeUpdateBlocked, LevelDegraded, CauseNetwork, func(w *world) {
		blockService(w, catalog.SoftwareUpdate, probes.ClassReset)
	}, "Installs, updates and restores will fail with error 3014 on this network", ""},
	{CodeCheckIncomplete, LevelDegraded, CauseNone, func(w *world) {
		// The decisive probes did not finish: no handshake, no answer.
		for i := range w.tls.Hosts {
			h := &w.tls.Hosts[i]
			h.OK, h.Verified, h.Stage, h.Class, h.Error = false, false, "tls", probes.ClassOther, "did not finish within the 5s cycle deadline"
		}
		w.https.Attempt, w.https.StatusCode = failed("appleid.apple.com:443", "http", probes.ClassOther), 0
		w.status[probes.IDTLS], w.status[probes.IDHTTPS] = probes.StatusError, probes.StatusError
	}, "idpulse could not finish its checks", ""},
	{CodeOK, LevelOK, CauseNone, func(*world) {}, "Apple ID connectivity is healthy", ""},

	{FindingVPNActive, LevelOK, CauseLocal, func(w *world) {
		w.vpn.Active, w.vpn.DefaultViaTunnel, w.vpn.Interface = true, true, "utun4"
		w.vpn.Services = []netenv.NCService{{Enabled: true, Status: "Connected", Interface: "utun4", Name: "Work VPN"}}
	}, "A VPN is active", ""},
	{FindingProxyConfigured, LevelOK, CauseLocal, func(w *world) {
		w.proxy.Config = netenv.ProxyConfig{Source: "environment", HTTPS: "http://proxy.example:3128"}
		w.proxy.Proxied = &probes.ProxyPath{Proxy: "http://proxy.example:3128", Attempt: ok("appleid.apple.com:443")}
	}, "A proxy is configured", ""},
	{FindingClockDrift, LevelDegraded, CauseLocal, func(w *world) {
		w.clock.OffsetMS, w.status[probes.IDClock] = -2*60*1000, probes.StatusWarn
	}, "This Mac's clock is 2 min fast", ""},
	{FindingNTPUnavailable, LevelOK, CauseNetwork, func(w *world) {
		*w.clock = probes.ClockEvidence{Source: probes.ClockSourceNone, Server: "time.apple.com", NTPClass: probes.ClassTimeout, NTPError: "i/o timeout"}
		w.status[probes.IDClock] = probes.StatusWarn
	}, "The time server cannot be reached", ""},
	{FindingAppleIssue, LevelDegraded, CauseApple, func(w *world) {
		w.event("iCloud Mail", "Outage", "ongoing")
	}, "Apple reports problems with iCloud Mail", ""},
	{FindingAppleIssue, LevelDegraded, CauseApple, func(w *world) {
		// Root cause first: the hosts file is the verdict, Apple's outage a finding.
		w.event("Apple Account & Sign In", "Outage", "ongoing")
		w.hosts.Entries = []probes.HostsEntry{{Line: 3, Address: "0.0.0.0", Names: []string{"appleid.apple.com"}, Sinkhole: true}}
	}, "Apple also reports a problem with Apple Account & Sign In", CodeHostsOverride},
	{FindingIPv6Broken, LevelDegraded, CauseNetwork, func(w *world) {
		w.reach.Families = &probes.FamilyCheck{Host: "appleid.apple.com",
			IPv6: probes.Attempt{Target: "appleid.apple.com:443", Address: "[2620:149:a44::1]:443", Stage: "connect", Class: probes.ClassTimeout},
			IPv4: probes.Attempt{Target: "appleid.apple.com:443", Address: "17.0.0.1:443", OK: true, Phases: probes.Phases{Connect: 20 * time.Millisecond}}}
	}, "IPv6 is broken on this network", ""},
	{FindingServiceBlocked, LevelDegraded, CauseNetwork, func(w *world) {
		blockService(w, catalog.ICloud, probes.ClassSinkhole)
	}, "This network blocks iCloud", ""},
	{FindingServiceBlocked, LevelDegraded, CauseNetwork, func(w *world) {
		// Updates are the verdict; the finding names the rest.
		blockService(w, catalog.SoftwareUpdate, probes.ClassTimeout)
		blockService(w, catalog.AppStore, probes.ClassRefused)
	}, "This network blocks App Store", CodeUpdateBlocked},
	{FindingAppleMaintenance, LevelOK, CauseApple, func(w *world) {
		w.event("iCloud Mail", "Maintenance", "upcoming")
	}, "Apple has scheduled maintenance on iCloud Mail", ""},
	{FindingMacOSOutdated, LevelDegraded, CauseLocal, func(w *world) {
		*w.currency = probes.CurrencyEvidence{Installed: "14.3", Build: "23D56", State: currency.StateOutdated, Line: "macOS 14",
			Latest: "14.7.2", LatestBuild: "23H311", LatestPosted: "2024-12-11", BehindSince: "2024-03-07", DaysBehind: 300,
			Source: currency.DefaultURL}
	}, "macOS 14.3 is installed; 14.7.2 is current (since 11 Dec 2024)", ""},
	{FindingFeedUnavailable, LevelOK, CauseNetwork, func(w *world) {
		msg := "apple status: HTTP 503"
		w.apple = &AppleStatus{Source: "test", Error: &msg, Services: []AppleService{}}
	}, "Apple System Status could not be read", ""},
}

// caseFor is the first case for r's code, level and cause whose world r
// matches (rows of one code may share all three).
func caseFor(t *testing.T, r Rule) rowCase {
	t.Helper()
	for _, c := range cases {
		if c.code == r.Code && c.level == r.Level && c.cause == r.Cause {
			w := healthyWorld()
			c.brk(w)
			if r.Match == nil || r.Match(newFacts(w.input())) {
				return c
			}
		}
	}
	t.Fatalf("rule %s/%s/%s has no test case", r.Code, r.Level, r.Cause)
	return rowCase{}
}

// One case per row: broken alone, each row is the verdict (or the one
// finding), with its level, cause, fixes and words.
func TestEveryRow(t *testing.T) {
	for _, r := range Rules() {
		c := caseFor(t, r)
		t.Run(fmt.Sprintf("%s %s %s", c.code, c.level, c.cause), func(t *testing.T) {
			w := healthyWorld()
			c.brk(w)
			v, findings := Evaluate(w.input())
			got := v
			if r.Kind == KindFinding {
				if want := cmp.Or(c.verdict, CodeOK); v.Code != want {
					t.Errorf("verdict = %s, want %s", v.Code, want)
				}
				if len(findings) != 1 || findings[0].Code != r.Code {
					t.Fatalf("findings = %v, want only %s", codes(findings), r.Code)
				}
				if findings[0].Probe != r.Probes[0] {
					t.Errorf("finding's probe = %s, want %s", findings[0].Probe, r.Probes[0])
				}
				got = findings[0].Verdict
			} else if want := append([]Code{}, alsoFound[r.Code]...); !slices.Equal(codes(findings), want) {
				t.Errorf("findings = %v, want %v", codes(findings), want)
			}
			if got.Code != r.Code || got.Level != r.Level || got.Cause != r.Cause {
				t.Errorf("got %s/%s/%s, want %s/%s/%s", got.Code, got.Level, got.Cause, r.Code, r.Level, r.Cause)
			}
			if !slices.Equal(got.Fixes, r.Fixes) {
				t.Errorf("fixes = %v, want %v", got.Fixes, r.Fixes)
			}
			if got.Fixes == nil || got.Evidence == nil {
				t.Errorf("nil fixes or evidence (JSON null): %+v", got)
			}
			if got.Headline != c.headline || got.Detail == "" {
				t.Errorf("headline %q, detail %q; want headline %q", got.Headline, got.Detail, c.headline)
			}
			if r.Code != CodeOK && r.Evidence != nil && len(got.Evidence) == 0 {
				t.Errorf("no evidence for %s", r.Code)
			}
		})
	}
}

// alsoFound are the findings a verdict's case brings along.
var alsoFound = map[Code][]Code{
	CodeProxyFailure: {FindingProxyConfigured}, // a failing proxy is a configured one
}

func codes(fs []Finding) []Code {
	out := []Code{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// combined are the worlds where two cases that touch the same evidence
// cannot simply be applied one after the other.
var combined = map[[2]Code]func(w *world){
	// Apple's sign-in service hangs after a genuine handshake: no HTTP
	// answer (so no positive evidence), and Apple is why.
	{CodeCheckIncomplete, CodeAppleUnreachable}: func(w *world) {
		w.https.Attempt, w.https.StatusCode = failed("appleid.apple.com:443", "http", probes.ClassTimeout), 0
	},
	// A clock off by a little, which a certificate already fails on.
	{FindingClockDrift, CodeClockSkew}: func(w *world) {
		w.clock.OffsetMS, w.status[probes.IDClock] = -2*60*1000, probes.StatusWarn
		h := &w.tls.Hosts[0]
		h.OK, h.Verified, h.Stage, h.Class, h.Validity = false, false, "tls", probes.ClassCertTime, "not_yet_valid"
	},
}

// One case per dependency: with both broken, a rule is explained away by
// each code it depends on, directly or through another, even when it comes
// first in the table (so the dependency, not the order, decides).
func TestEveryDependency(t *testing.T) {
	rules := Rules()
	deps := dependencies(rules)
	for _, r := range rules {
		for _, d := range deps[r.Code] {
			t.Run(fmt.Sprintf("%s %s by %s", r.Code, r.Level, d), func(t *testing.T) {
				w := healthyWorld()
				if both, ok := combined[[2]Code{r.Code, d}]; ok {
					both(w)
				} else {
					caseFor(t, r).brk(w)
					caseFor(t, firstRow(rules, d)).brk(w)
				}
				f := newFacts(w.input())
				if !r.Match(f) || !slices.ContainsFunc(rules, func(x Rule) bool { return x.Code == d && x.Match(f) }) {
					t.Fatalf("the case does not break both %s and %s: add one to combined", r.Code, d)
				}
				first := append([]Rule{r}, slices.DeleteFunc(slices.Clone(rules), func(x Rule) bool { return x.Code == r.Code })...)
				for _, table := range [][]Rule{rules, first} {
					v, findings := evaluate(table, f)
					if v.Code == r.Code || slices.Contains(codes(findings), r.Code) {
						t.Errorf("%s is not explained away by %s: verdict %s, findings %v", r.Code, d, v.Code, codes(findings))
					}
				}
			})
		}
	}
}

func firstRow(rules []Rule, code Code) Rule {
	return rules[slices.IndexFunc(rules, func(r Rule) bool { return r.Code == code })]
}

// Without a clock measurement, date failures point at the clock only on
// Apple's own chain or on several chains; one untrusted chain failing on
// its dates is interception's to explain, not the clock's.
func TestClockFromCertificateDates(t *testing.T) {
	dates := func(h *probes.TLSHandshake, trusted bool) {
		h.OK, h.Verified, h.Stage, h.Class, h.Validity, h.TrustedIssuer = false, false, "verify", probes.ClassCertTime, "expired", trusted
	}
	tests := []struct {
		name string
		brk  func(w *world)
		want Code
	}{
		{"Apple's chain, no measurement", func(w *world) { dates(&w.tls.Hosts[0], true) }, CodeClockSkew},
		{"two unrelated chains, no measurement", func(w *world) {
			dates(&w.tls.Hosts[0], false)
			dates(&w.tls.Hosts[1], false)
		}, CodeClockSkew},
		{"one untrusted chain, no measurement", func(w *world) {
			dates(&w.tls.Hosts[0], false)
			w.tls.Hosts[0].Interception = true
		}, CodeTLSInterception},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := healthyWorld()
			*w.clock = probes.ClockEvidence{Source: probes.ClockSourceNone, Server: "time.apple.com", NTPClass: probes.ClassTimeout}
			w.status[probes.IDClock] = probes.StatusWarn
			tt.brk(w)
			if v, _ := Evaluate(w.input()); v.Code != tt.want {
				t.Errorf("verdict = %s, want %s", v.Code, tt.want)
			}
		})
	}
}

// Order breaks ties between rules that do not depend on each other.
func TestTies(t *testing.T) {
	tests := []struct {
		name   string
		breaks []Code
		want   Code
	}{
		{"DNS filtered and failing", []Code{CodeDNSFailure, CodeDNSFiltered}, CodeDNSFiltered},
		{"hosts file and a proxy", []Code{CodeProxyFailure, CodeHostsOverride}, CodeHostsOverride},
		{"blocked and intercepted", []Code{CodeTLSInterception, CodeBlocked}, CodeBlocked},
		{"slow and push blocked", []Code{CodePushBlocked, CodeSlowNetwork}, CodeSlowNetwork},
	}
	rules := Rules()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := healthyWorld()
			for _, c := range tt.breaks {
				caseFor(t, firstRow(rules, c)).brk(w)
			}
			if v, _ := Evaluate(w.input()); v.Code != tt.want {
				t.Errorf("verdict = %s, want %s", v.Code, tt.want)
			}
		})
	}
}

// A VPN is named, and disconnect-vpn offered, only for the rules that
// declare a VPN can cause them.
func TestVPNSuspect(t *testing.T) {
	for _, r := range Rules() {
		if r.Kind != KindVerdict || r.Code == CodeOK {
			continue
		}
		w := healthyWorld()
		caseFor(t, r).brk(w)
		caseFor(t, firstRow(Rules(), FindingVPNActive)).brk(w)
		v, _ := Evaluate(w.input())
		named := strings.HasSuffix(v.Detail, vpnNote)
		offered := slices.Contains(v.Fixes, FixDisconnectVPN)
		if named != r.VPNSuspect || offered != r.VPNSuspect || slices.Index(v.Fixes, FixDisconnectVPN) != len(v.Fixes)-1 && offered {
			t.Errorf("%s/%s with a VPN: detail %q, fixes %v; VPNSuspect %v", r.Code, r.Cause, v.Detail, v.Fixes, r.VPNSuspect)
		}
	}
}

func TestEvidence(t *testing.T) {
	w := healthyWorld()
	if v, _ := Evaluate(w.input()); !slices.Equal(v.Evidence, []string{"TLS issued by Apple Public Server RSA CA 12 - G1, Apple Inc."}) {
		t.Errorf("healthy evidence = %q", v.Evidence)
	}
	for i := range 7 {
		w.hosts.Entries = append(w.hosts.Entries, probes.HostsEntry{Line: i + 1, Address: "0.0.0.0", Names: []string{"gs.apple.com"}, Sinkhole: true})
	}
	v, _ := Evaluate(w.input())
	if len(v.Evidence) != maxEvidence || v.Evidence[maxEvidence-1] != "… and 3 more" || v.Evidence[0] != "/etc/hosts line 1: 0.0.0.0 gs.apple.com" {
		t.Errorf("capped evidence = %q", v.Evidence)
	}
}

// The table is complete: every rule has words, a label, a known kind,
// level and cause, probes that exist, dependencies and fixes that exist.
func TestRuleTable(t *testing.T) {
	knownFixes := []string{
		FixFlushDNS, FixRemoveHostsEntries, FixOpenNetworkSettings, FixOpenProxySettings, FixOpenVPNSettings, FixDisconnectVPN,
		FixOpenCaptivePortal, FixTryOtherNetwork, FixToggleWiFi, FixRenewDHCP, FixSyncClock, FixOpenDateTime,
		FixOpenSystemStatus, FixContactSupport, FixOpenSoftwareUpdate,
	}
	rules := Rules()
	declared := map[Code]Rule{}
	labels := map[string]Code{}
	healthy := 0
	for _, r := range rules {
		name := fmt.Sprintf("%s/%s/%s", r.Code, r.Level, r.Cause)
		switch {
		case r.Code == "" || r.Label == "" || r.Headline == nil || r.Detail == nil:
			t.Errorf("%s: no code, label or words", name)
		case r.Kind != KindVerdict && r.Kind != KindFinding:
			t.Errorf("%s: kind %q", name, r.Kind)
		case !slices.Contains([]Level{LevelOK, LevelDegraded, LevelDown}, r.Level):
			t.Errorf("%s: level %q", name, r.Level)
		case !slices.Contains([]Cause{CauseNone, CauseLocal, CauseNetwork, CauseApple}, r.Cause):
			t.Errorf("%s: cause %q", name, r.Cause)
		case len(r.Probes) == 0:
			t.Errorf("%s: no probes", name)
		case r.VPNSuspect && r.Kind != KindVerdict:
			t.Errorf("%s: only a verdict can suspect a VPN", name)
		}
		if r.Match == nil {
			healthy++
			if r.Code != CodeOK || r.Kind != KindVerdict || r.Level != LevelOK {
				t.Errorf("%s has no Match: only the healthy verdict may", name)
			}
		}
		for _, p := range r.Probes {
			if _, ok := probes.Lookup(p); !ok && p != probes.IDAppleStatus {
				t.Errorf("%s reads unknown probe %q", name, p)
			}
		}
		for _, id := range r.Fixes {
			if !slices.Contains(knownFixes, id) {
				t.Errorf("%s offers unknown fix %q", name, id)
			}
		}
		if slices.Contains(r.DependsOn, r.Code) {
			t.Errorf("%s depends on itself", name)
		}
		if first, seen := declared[r.Code]; seen {
			// Rows of one code are one code to everything else.
			if first.Kind != r.Kind || first.Label != r.Label || !slices.Equal(first.DependsOn, r.DependsOn) || first.Probes[0] != r.Probes[0] {
				t.Errorf("%s: rows disagree on kind, label, dependencies or probe", name)
			}
			continue
		}
		declared[r.Code] = r
		if other, dup := labels[r.Label]; dup {
			t.Errorf("%s and %s share the label %q", other, r.Code, r.Label)
		}
		labels[r.Label] = r.Code
	}
	if healthy != 1 {
		t.Errorf("%d rules without Match, want the healthy one", healthy)
	}
	deps := dependencies(rules)
	for _, r := range rules {
		for _, d := range r.DependsOn {
			if _, ok := declared[d]; !ok {
				t.Errorf("%s depends on undeclared code %q", r.Code, d)
			}
			if d == CodeOK {
				t.Errorf("%s depends on the healthy verdict", r.Code)
			}
			if slices.Contains(deps[d], r.Code) {
				t.Errorf("%s and %s depend on each other", r.Code, d)
			}
		}
	}
	if Label(CodeDNSFiltered) != "DNS blocked" || Label("future_code") != "" {
		t.Errorf("Label: %q, %q", Label(CodeDNSFiltered), Label("future_code"))
	}
}

// Findings follow whatever the verdict is, unless it explains them.
func TestFindingsFollowTheVerdict(t *testing.T) {
	w := healthyWorld()
	caseFor(t, firstRow(Rules(), CodeBlocked)).brk(w)
	for _, c := range []Code{FindingVPNActive, FindingClockDrift, FindingAppleMaintenance} {
		caseFor(t, firstRow(Rules(), c)).brk(w)
	}
	v, findings := Evaluate(w.input())
	if v.Code != CodeBlocked || !slices.Equal(codes(findings), []Code{FindingVPNActive, FindingClockDrift, FindingAppleMaintenance}) {
		t.Errorf("verdict %s, findings %v", v.Code, codes(findings))
	}
}

// Sign-in is the primary question: when it fails, its cause is the verdict
// and blocked update hosts are the finding service_blocked, naming them.
func TestUpdateBlockedWhenSignInFails(t *testing.T) {
	w := healthyWorld()
	caseFor(t, firstRow(Rules(), CodeBlocked)).brk(w)
	blockService(w, catalog.SoftwareUpdate, probes.ClassReset)
	v, findings := Evaluate(w.input())
	if v.Code != CodeBlocked || !slices.Equal(codes(findings), []Code{FindingServiceBlocked}) {
		t.Fatalf("verdict %s, findings %v; want blocked and service_blocked", v.Code, codes(findings))
	}
	if !strings.Contains(findings[0].Headline, "Software update") {
		t.Errorf("finding headline %q does not name software update", findings[0].Headline)
	}
}

// TestHostsDetailNamesServices: a hosts file that pins update hosts says
// which services it breaks (the hosts probe names them from the catalogue).
func TestHostsDetailNamesServices(t *testing.T) {
	w := healthyWorld()
	w.hosts.Entries = []probes.HostsEntry{{Line: 3, Address: "0.0.0.0", Names: []string{"gs.apple.com", "x.push.apple.com"}, Sinkhole: true,
		Services: []catalog.ServiceID{catalog.Push, catalog.SoftwareUpdate}}}
	v, _ := Evaluate(w.input())
	want := "It affects Push notifications, Software update and restore."
	if v.Code != CodeHostsOverride || !strings.Contains(v.Detail, want) {
		t.Errorf("%s: detail %q, want it to say %q", v.Code, v.Detail, want)
	}
}

// TestWordsNameTheMachine: "this Mac" on macOS, "this computer" on Linux.
func TestWordsNameTheMachine(t *testing.T) {
	for _, tt := range []struct{ os, want string }{{"macOS", "This Mac's clock is 7 min slow"}, {"Debian GNU/Linux", "This computer's clock is 7 min slow"}} {
		w := healthyWorld()
		w.system.OS = tt.os
		w.clock.OffsetMS, w.status[probes.IDClock] = 7*60*1000, probes.StatusFail
		if v, _ := Evaluate(w.input()); v.Headline != tt.want {
			t.Errorf("%s: headline %q, want %q", tt.os, v.Headline, tt.want)
		}
	}
}

// Only a Mac behind for more than the grace period is outdated: behind for
// less, unknown (no list, an intercepted gdmf, no line for it) and a
// skipped probe (not macOS) are not, and none of them changes the verdict.
func TestMacOSOutdatedOnlyWhenOutdated(t *testing.T) {
	for _, tt := range []struct {
		name string
		ev   *probes.CurrencyEvidence
		want bool
	}{
		{"current", &probes.CurrencyEvidence{State: currency.StateCurrent, Installed: "14.7.2", Latest: "14.7.2"}, false},
		{"behind 29 days", &probes.CurrencyEvidence{State: currency.StateBehind, Installed: "14.7.1", Latest: "14.7.2", DaysBehind: 29}, false},
		{"unknown: intercepted", &probes.CurrencyEvidence{State: currency.StateUnknown, Installed: "14.3", Interception: true,
			Class: probes.ClassCertUntrusted, Error: "gdmf.apple.com's certificate is not Apple's (TLS interception?)"}, false},
		{"unknown: no line", &probes.CurrencyEvidence{State: currency.StateUnknown, Installed: "10.13.6", Reason: "Apple's list has no macOS 10.13 release"}, false},
		{"not macOS", nil, false},
		{"outdated", &probes.CurrencyEvidence{State: currency.StateOutdated, Installed: "14.3", Latest: "14.7.2", DaysBehind: 31}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := healthyWorld()
			w.currency = tt.ev
			v, findings := Evaluate(w.input())
			if v.Code != CodeOK {
				t.Errorf("verdict = %s, want ok", v.Code)
			}
			if got := slices.Contains(codes(findings), FindingMacOSOutdated); got != tt.want {
				t.Errorf("macos_outdated found = %v, want %v (findings %v)", got, tt.want, codes(findings))
			}
		})
	}
}

// TestMachineWords: the one place that names the machine, for results and
// for a GOOS, and the rewrite of "this Mac" it drives.
func TestMachineWords(t *testing.T) {
	sys := func(os string) probes.Results {
		return probes.Results{{ID: probes.IDSystem, Evidence: &probes.SystemEvidence{SystemInfo: netenv.SystemInfo{OS: os}}}}
	}
	for _, tt := range []struct {
		name string
		res  probes.Results
		want string
	}{
		{"macOS", sys("macOS"), MachineMac},
		{"Mac OS X", sys("Mac OS X"), MachineMac},
		{"Linux", sys("Debian GNU/Linux"), MachineComputer},
		{"OS unknown", sys(""), MachineMac},
		{"no system probe", nil, MachineMac},
	} {
		if got := Machine(tt.res); got != tt.want {
			t.Errorf("Machine(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if MachineOn("darwin") != MachineMac || MachineOn("linux") != MachineComputer || MachineOn("windows") != MachineComputer {
		t.Errorf("MachineOn: darwin %q, linux %q, windows %q", MachineOn("darwin"), MachineOn("linux"), MachineOn("windows"))
	}
	for _, tt := range []struct{ m, want string }{
		{MachineComputer, "This computer is offline; this computer's clock"},
		{MachineMac, "This Mac is offline; this Mac's clock"},
		{"", "This Mac is offline; this Mac's clock"},
	} {
		if got := OnMachine("This Mac is offline; this Mac's clock", tt.m); got != tt.want {
			t.Errorf("OnMachine(%q) = %q, want %q", tt.m, got, tt.want)
		}
	}
}
