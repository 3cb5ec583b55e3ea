package report

import (
	"net/netip"
	"time"

	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/currency"
	"github.com/idpulse/idpulse/probes/netenv"
)

// The personal details planted in the fixture. None may survive redaction.
const (
	secretUser    = "jappleseed"
	secretHome    = "/Users/jappleseed"
	secretHost    = "Johnnys-MacBook-Pro.local"
	secretSerial  = "C02XK0ABJG5H"
	secretMAC     = "a4:83:e7:12:34:56"
	secretMACDash = "A4-83-E7-12-34-56"
)

// plantedRedactor is what SystemRedactor would return on Johnny's Mac, plus
// the serial a caller read with ioreg.
func plantedRedactor() *Redactor {
	return &Redactor{User: secretUser, FullName: "Johnny Appleseed", Home: secretHome, Hostname: secretHost, Serials: []string{secretSerial}}
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func addrs(ss ...string) []netip.Addr {
	out := []netip.Addr{}
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func utcAt(h, m, s int) time.Time { return time.Date(2026, 3, 14, h, m, s, 0, time.UTC) }

// fixtureInput is a bad morning on Johnny's MacBook Pro: the office DNS
// sinkholes idmsa.apple.com, the proxy wants credentials, a VPN is up, the
// clock drifts, and Apple reports an outage on top. Two fixes were tried.
func fixtureInput() Input {
	proxyURL := "http://" + secretUser + ":xxxxx@proxy.corp.example:8080"
	res := probes.Results{
		{ID: probes.IDLink, Status: probes.StatusOK, Summary: "default route via utun4", Duration: ms(0.4),
			Evidence: &probes.LinkEvidence{
				Interfaces: []probes.Interface{
					{Name: "en0", Up: true, Addresses: addrs("192.168.1.23", "fd00::1c2a:5bff:fe10:2")},
					{Name: "utun4", Up: true, Addresses: addrs("10.8.0.2")},
				},
				DefaultRoute: &netenv.DefaultRoute{Interface: "utun4"},
			}},
		{ID: probes.IDControl, Status: probes.StatusOK, Summary: "general internet reachable (2/2)", Duration: ms(21.3),
			Evidence: &probes.ControlEvidence{Targets: []probes.Attempt{
				{Target: "1.1.1.1:443", Address: "1.1.1.1:443", OK: true, Phases: probes.Phases{Connect: ms(18.2)}},
				{Target: "8.8.8.8:443", Address: "8.8.8.8:443", OK: true, Phases: probes.Phases{Connect: ms(21.1)}},
			}}},
		{ID: probes.IDCaptive, Status: probes.StatusOK, Summary: "no captive portal", Duration: ms(38.9),
			Evidence: &probes.CaptiveEvidence{URL: "http://captive.apple.com/hotspot-detect.html", StatusCode: 200}},
		{ID: probes.IDDNS, Status: probes.StatusFail, Summary: "system resolver blocks idmsa.apple.com, gsa.apple.com (sinkhole); public resolvers answer", Duration: ms(24.1),
			Evidence: &probes.DNSEvidence{
				Nameservers: []netenv.Resolver{{Nameservers: []string{"192.168.1.1"}, SearchDomains: []string{"fritz.box"}, Interface: "en0"}},
				System: []probes.DNSLookup{
					{Name: "appleid.apple.com", Resolver: "system", Addresses: addrs("17.253.144.10"), DurationMS: 8.2},
					{Name: "idmsa.apple.com", Resolver: "system", Addresses: addrs("0.0.0.0"), Class: probes.ClassSinkhole, DurationMS: 3.9},
					{Name: "gsa.apple.com", Resolver: "system", Addresses: addrs(), Class: probes.ClassServFail, DurationMS: 12.6,
						Error: "lookup gsa.apple.com on 192.168.1.1:53: server misbehaving"},
				},
				Public: []probes.DNSLookup{
					{Name: "appleid.apple.com", Resolver: "1.1.1.1:53", Addresses: addrs("17.253.144.10"), DurationMS: 14.8},
					{Name: "idmsa.apple.com", Resolver: "1.1.1.1:53", Addresses: addrs("17.32.194.2", "17.32.194.34"), DurationMS: 15.2},
					{Name: "gsa.apple.com", Resolver: "1.1.1.1:53", Addresses: addrs("17.32.194.98"), DurationMS: 16.0},
				},
				Filtered: []string{"idmsa.apple.com", "gsa.apple.com"},
				Broken:   []string{},
				Failed:   []string{},
			}},
		{ID: probes.IDHosts, Status: probes.StatusOK, Summary: "no Apple entries", Duration: ms(0.2),
			Evidence: &probes.HostsEvidence{Path: secretHome + "/Library/Application Support/idpulse/hosts-snapshot", Entries: []probes.HostsEntry{}}},
		{ID: probes.IDProxy, Status: probes.StatusFail, Summary: "proxy " + proxyURL + " fails: proxy answered CONNECT with 407 Proxy Authentication Required", Duration: ms(61.7),
			Evidence: &probes.ProxyEvidence{
				Config: netenv.ProxyConfig{Source: "scutil", HTTP: "proxy.corp.example:8080", HTTPS: "proxy.corp.example:8080",
					Exceptions: []string{"*.local", "169.254/16", secretHost}, ExcludeSimpleHostnames: true},
				Proxied: &probes.ProxyPath{Proxy: proxyURL, StatusCode: 407, Attempt: probes.Attempt{
					Target: "appleid.apple.com:443", Address: "10.20.0.5:8080", Stage: "proxy", Class: probes.ClassProxy,
					Error:  "proxy answered CONNECT with 407 Proxy Authentication Required",
					Phases: probes.Phases{Resolve: ms(2.1), Connect: ms(4.1), FirstByte: ms(22.7)}}},
				Direct: &probes.Attempt{Target: "appleid.apple.com:443", Address: "17.253.144.10:443", OK: true,
					Phases: probes.Phases{Resolve: ms(12.3), Connect: ms(21.8)}},
			}},
		{ID: probes.IDVPN, Status: probes.StatusWarn, Summary: `VPN active: "` + secretUser + `'s Work VPN"`, Duration: ms(35.0),
			Evidence: &probes.VPNEvidence{
				VPNState: netenv.VPNState{Active: true, DefaultViaTunnel: true, Interface: "utun4", Services: []netenv.NCService{
					{Enabled: true, Status: "Connected", ID: secretSerial, Interface: "utun4", Name: secretUser + "'s Work VPN", Type: "VPN:com.cisco.anyconnect"},
				}},
				Error: "scutil --nc show: en0 (ether " + secretMAC + "): no primary service",
			}},
		{ID: probes.IDReach, Status: probes.StatusFail, Summary: "1/2 sign-in hosts unreachable (idmsa.apple.com:443: refused at connect)", Duration: ms(30.2),
			Evidence: &probes.ReachEvidence{
				SignIn: []probes.Attempt{
					{Target: "appleid.apple.com:443", Address: "17.253.144.10:443", OK: true, Phases: probes.Phases{Resolve: ms(8.4), Connect: ms(21.6)}},
					{Target: "idmsa.apple.com:443", Address: "0.0.0.0:443", Stage: "connect", Class: probes.ClassRefused,
						Error: "dial tcp 0.0.0.0:443: connect: connection refused", Phases: probes.Phases{Resolve: ms(3.9), Connect: ms(0.1)}},
				},
				Push: &probes.Attempt{Target: "1-courier.push.apple.com:5223", Address: "17.57.146.52:5223", OK: true,
					Phases: probes.Phases{Resolve: ms(9.9), Connect: ms(28.0)}},
			}},
		{ID: probes.IDTLS, Status: probes.StatusFail, Summary: "TLS to idmsa.apple.com:443 failed at connect (refused)", Duration: ms(96.4),
			Evidence: &probes.TLSEvidence{Hosts: []probes.TLSHandshake{
				{Attempt: probes.Attempt{Target: "appleid.apple.com:443", Address: "17.253.144.10:443", OK: true,
					Phases: probes.Phases{Resolve: ms(8.1), Connect: ms(22.0), TLS: ms(64.3)}},
					Verified: true, Issuer: "Apple Public Server RSA CA 12 - G1, Apple Inc.", IssuerOrg: "Apple Inc.", TrustedIssuer: true,
					Chain:     []string{"appleid.apple.com, Apple Inc.", "Apple Public Server RSA CA 12 - G1, Apple Inc."},
					NotBefore: time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)},
				{Attempt: probes.Attempt{Target: "idmsa.apple.com:443", Address: "0.0.0.0:443", Stage: "connect", Class: probes.ClassRefused,
					Error: "dial tcp 0.0.0.0:443: connect: connection refused", Phases: probes.Phases{Resolve: ms(3.8), Connect: ms(0.1)}}},
			}}},
		{ID: probes.IDHTTPS, Status: probes.StatusFail, Summary: "https://appleid.apple.com/ failed at proxy (proxy_error)", Duration: ms(64.0),
			Evidence: &probes.HTTPSEvidence{URL: "https://appleid.apple.com/", Proxy: proxyURL, Attempt: probes.Attempt{
				Target: "https://appleid.apple.com/", Address: "10.20.0.5:8080", Stage: "proxy", Class: probes.ClassProxy,
				Error:  `Get "https://appleid.apple.com/": Proxy Authentication Required`,
				Phases: probes.Phases{Resolve: ms(2.0), Connect: ms(4.3)}}}},
		{ID: probes.IDServices, Status: probes.StatusWarn, Summary: "1 services checked (sampled hosts): software_update partly fails", Duration: ms(88.0),
			Evidence: &probes.ServicesEvidence{Catalog: "Apple support article 101555, checked 2026-03-01", Services: []probes.ServiceResult{
				{ID: catalog.SoftwareUpdate, Title: "Software Update", Status: probes.StatusWarn,
					Summary: "1 of 2 hosts fail: swscan.apple.com:443 timeout at connect", Hosts: []probes.HostResult{
						{Host: "gs.apple.com", Port: 443, Protocol: "tcp", Probe: catalog.MethodTLS, Status: probes.StatusOK, Path: "direct",
							Attempt: probes.Attempt{Target: "gs.apple.com:443", Address: "17.111.103.15:443", OK: true,
								Phases: probes.Phases{Resolve: ms(7.5), Connect: ms(19.0), TLS: ms(41.2)}},
							Issuer: "Apple Public Server RSA CA 11 - G1, Apple Inc."},
						{Host: "swscan.apple.com", Port: 443, Protocol: "tcp", Probe: catalog.MethodTLS, Status: probes.StatusFail, Path: "direct",
							Attempt: probes.Attempt{Target: "swscan.apple.com:443", Address: "17.253.5.206:443", Stage: "connect", Class: probes.ClassTimeout,
								Error: "dial tcp 17.253.5.206:443: i/o timeout", Phases: probes.Phases{Resolve: ms(6.1)}}},
					}},
			}}},
		{ID: probes.IDClock, Status: probes.StatusWarn, Summary: "clock is 1m15s slow (NTP time.apple.com)", Duration: ms(44.5),
			Evidence: &probes.ClockEvidence{Source: probes.ClockSourceNTP, Server: "time.apple.com", OffsetMS: 75230.4, UncertaintyMS: 12.5, Stratum: 1}},
		{ID: probes.IDSystem, Status: probes.StatusWarn, Summary: "macOS 14.4.1 (23E224) on MacBookPro18,3", Duration: ms(41.8),
			Evidence: &probes.SystemEvidence{
				SystemInfo: netenv.SystemInfo{OS: "macOS", Version: "14.4.1", Build: "23E224", Model: "MacBookPro18,3", Kernel: "Darwin 23.4.0", Arch: "arm64"},
				Error:      "system_profiler SPHardwareDataType: Serial Number (system): " + secretSerial + ": unexpected line",
			}},
		{ID: probes.IDCurrency, Status: probes.StatusWarn, Summary: "macOS 14.4.1 is 240 days behind: 14.8.9 is current", Duration: ms(3.1),
			Evidence: &probes.CurrencyEvidence{Installed: "14.4.1", Build: "23E224", State: currency.StateOutdated, Line: "macOS 14",
				Latest: "14.8.9", LatestBuild: "23J631", LatestPosted: "2026-03-02", BehindSince: "2025-07-17", DaysBehind: 240,
				Source: currency.DefaultURL, Fetched: utcAt(6, 12, 0), Cached: true,
				CacheError: "save gdmf cache: atomic write " + secretHome + "/Library/Application Support/idpulse/gdmf-cache.json: permission denied"}},
	}
	fetched := utcAt(9, 29, 40)
	outageStart := utcAt(8, 40, 0)
	maintStart := utcAt(22, 0, 0)
	maintEnd := utcAt(23, 30, 0)
	apple := &verdict.AppleStatus{
		Fetched: &fetched,
		Source:  "https://www.apple.com/support/systemstatus/data/system_status_en_US.js",
		Services: []verdict.AppleService{
			{Name: "Apple Account", Status: "outage", SignIn: true, Events: []verdict.AppleEvent{
				{ID: "1003214", Type: "Outage", Status: "ongoing", Start: &outageStart, UsersAffected: "Some users are affected",
					Message: "Users may be unable to sign in to their Apple Account."},
			}},
			{Name: "iCloud Mail", Status: "ok", Events: []verdict.AppleEvent{}},
			{Name: "App Store", Status: "ok", Events: []verdict.AppleEvent{
				{ID: "1003177", Type: "Maintenance", Status: "upcoming", Start: &maintStart, End: &maintEnd,
					Message: "Scheduled maintenance; some purchases may be unavailable."},
				{ID: "1003001", Type: "Issue", Status: "resolved", Message: "Resolved yesterday."},
			}},
		},
	}
	doc := verdict.NewDocument(utcAt(9, 29, 41), ms(4213), verdict.Input{Results: res, Apple: apple})
	in := Input{
		Doc:     doc,
		Version: "1.4.0",
		Attempts: []history.Attempt{
			{At: utcAt(9, 12, 5), Fix: verdict.FixFlushDNS, Outcome: "DNS cache flushed", VerdictAfter: "dns_filtered"},
			{At: utcAt(9, 15, 40), Fix: verdict.FixDisconnectVPN, Outcome: "failed",
				Error: `scutil --nc stop "` + secretUser + `'s Work VPN": Wi-Fi (` + secretMACDash + `) busy; see ` + secretHome + `/Library/Logs/idpulse.log`},
		},
		Transitions: []history.Transition{
			{At: utcAt(8, 55, 0), To: "ok", Level: "ok", Headline: "Apple ID connectivity is healthy"},
			{At: utcAt(9, 2, 30), From: "ok", To: "push_blocked", Level: "degraded", Headline: "Apple push notifications are blocked on this network"},
			{At: utcAt(9, 5, 30), From: "push_blocked", To: "dns_filtered", Level: "down", Headline: "This network's DNS blocks Apple's servers"},
		},
		Generated: utcAt(9, 30, 0),
	}
	in.History = HistoryOf(fixtureTimeline(in.Generated), in.Attempts, in.Generated)
	return in
}

// fixtureTimeline is the week before the fixture's report at one check a
// minute: ok but for a DNS outage on 10 March (14:02–14:14 UTC), a slow
// evening on the 12th, and this morning's trouble, push blocked from 09:02
// and the DNS filtered from 09:05, still going on, with both fixes tried.
// Timings drift with the time of day so the plots have a shape.
func fixtureTimeline(generated time.Time) []timeline.Record {
	f := func(v float64) *float64 { return &v }
	var out []timeline.Record
	start := generated.Add(-IncidentWindow).Truncate(time.Minute).Add(30 * time.Second)
	for at := start; at.Before(generated); at = at.Add(time.Minute) {
		n := int(at.Sub(start) / time.Minute)
		wave := float64((n*37)%101) / 100 // deterministic jitter, 0..1
		r := timeline.Record{At: at, Code: "ok", Level: "ok", Cause: "none", TookMS: 900 + 300*wave,
			Probes:  "link=ok dns=ok tls=ok https=ok",
			Timings: timeline.Timings{DNS: f(2 + 6*wave), Connect: f(18 + 4*wave), TLS: f(38 + 20*wave), FirstByte: f(80 + 60*wave)}}
		switch {
		case !at.Before(time.Date(2026, 3, 10, 14, 2, 0, 0, time.UTC)) && at.Before(time.Date(2026, 3, 10, 14, 14, 0, 0, time.UTC)):
			r.Code, r.Level, r.Cause, r.Headline = "dns_failure", "down", "network", "DNS is not working"
			r.Probes, r.Timings = "link=ok dns=fail tls=skip https=skip", timeline.Timings{}
		case !at.Before(time.Date(2026, 3, 12, 22, 40, 0, 0, time.UTC)) && at.Before(time.Date(2026, 3, 12, 23, 5, 0, 0, time.UTC)):
			r.Code, r.Level, r.Cause, r.Headline = "slow_network", "degraded", "network", "This network is slow"
			r.Timings.TLS, r.Timings.FirstByte = f(900+400*wave), f(2400+900*wave)
		case !at.Before(utcAt(9, 5, 0)):
			r.Code, r.Level, r.Cause, r.Headline = "dns_filtered", "down", "network", "This network's DNS blocks Apple's servers"
			r.Probes, r.Timings = "link=ok dns=fail tls=skip https=skip", timeline.Timings{DNS: f(1.5)}
		case !at.Before(utcAt(9, 2, 0)):
			r.Code, r.Level, r.Cause, r.Headline = "push_blocked", "degraded", "network", "Apple push notifications are blocked on this network"
		}
		out = append(out, r)
	}
	return out
}
