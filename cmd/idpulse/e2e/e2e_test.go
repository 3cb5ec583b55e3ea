//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

// checkDoc is the part of the idpulse.check/v1 document the tests read,
// decoded with the contract's own field names.
type checkDoc struct {
	Schema     string   `json:"schema"`
	Time       string   `json:"time"`
	DurationMS *float64 `json:"duration_ms"`
	Verdict    struct {
		Level    verdict.Level `json:"level"`
		Code     verdict.Code  `json:"code"`
		Cause    verdict.Cause `json:"cause"`
		Headline string        `json:"headline"`
		Detail   string        `json:"detail"`
		Fixes    []string      `json:"fixes"`
		Evidence []string      `json:"evidence"`
	} `json:"verdict"`
	Findings []struct {
		Code  verdict.Code `json:"code"`
		Probe string       `json:"probe"`
	} `json:"findings"`
	Probes []probeDoc `json:"probes"`
	// Services is the contract's per-service summary of Apple's hosts.
	Services    []serviceDoc `json:"services"`
	AppleStatus *struct {
		Fetched  *string `json:"fetched"`
		Source   string  `json:"source"`
		Error    *string `json:"error"`
		Services []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			SignIn bool   `json:"signin"`
		} `json:"services"`
	} `json:"apple_status"`
}

// serviceDoc is one entry of the contract's services array.
type serviceDoc struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Hosts  []struct {
		Host   string `json:"host"`
		Port   int    `json:"port"`
		Status string `json:"status"`
		Class  string `json:"class"`
		Path   string `json:"path"`
	} `json:"hosts"`
}

type probeDoc struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	Summary    string          `json:"summary"`
	DurationMS *float64        `json:"duration_ms"`
	Evidence   json.RawMessage `json:"evidence"`
}

// probeIDs is the checklist in report order.
var probeIDs = []string{"link", "control", "captive", "dns", "hosts", "proxy", "vpn", "reach", "tls", "https", "services", "clock", "system", "currency"}

func (d *checkDoc) probe(t *testing.T, id string) probeDoc {
	t.Helper()
	for _, p := range d.Probes {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no %q probe in the document", id)
	return probeDoc{}
}

// evidence decodes probe id's evidence into v.
func (d *checkDoc) evidence(t *testing.T, id string, v any) {
	t.Helper()
	if err := json.Unmarshal(d.probe(t, id).Evidence, v); err != nil {
		t.Fatalf("%s evidence: %v", id, err)
	}
}

// Evidence shapes the scenarios read.
type attemptDoc struct {
	Target  string `json:"target"`
	Address string `json:"address"`
	OK      bool   `json:"ok"`
	Stage   string `json:"stage"`
	Class   string `json:"class"`
}

type lookupDoc struct {
	Name      string   `json:"name"`
	Resolver  string   `json:"resolver"`
	Addresses []string `json:"addresses"`
	Class     string   `json:"class"`
}

type dnsEvidence struct {
	Nameservers []struct {
		Nameservers []string `json:"nameservers"`
	} `json:"nameservers"`
	System   []lookupDoc `json:"system"`
	Public   []lookupDoc `json:"public"`
	Filtered []string    `json:"filtered"`
	Failed   []string    `json:"failed"`
}

// decodeDoc parses and checks the idpulse.check/v1 contract: the fields MDM
// scripts rely on are present and well-typed.
func decodeDoc(t *testing.T, out []byte) *checkDoc {
	t.Helper()
	var doc checkDoc
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not an idpulse.check/v1 document: %v", err)
	}
	if dec.More() {
		t.Errorf("stdout has more than one JSON value")
	}
	if doc.Schema != "idpulse.check/v1" {
		t.Errorf("schema = %q, want idpulse.check/v1", doc.Schema)
	}
	if _, err := time.Parse(time.RFC3339, doc.Time); err != nil {
		t.Errorf("time %q is not RFC 3339: %v", doc.Time, err)
	}
	if doc.DurationMS == nil {
		t.Errorf("duration_ms missing")
	}
	if doc.Verdict.Code == "" || doc.Verdict.Level == "" || doc.Verdict.Cause == "" || doc.Verdict.Headline == "" || doc.Verdict.Detail == "" {
		t.Errorf("verdict has empty fields: %+v", doc.Verdict)
	}
	if doc.Verdict.Fixes == nil || doc.Verdict.Evidence == nil || doc.Findings == nil {
		t.Errorf("verdict.fixes, verdict.evidence and findings must be arrays, not null")
	}
	var ids []string
	for _, p := range doc.Probes {
		ids = append(ids, p.ID)
		switch p.Status {
		case "ok", "warn", "fail", "skip", "error":
		default:
			t.Errorf("probe %q: status %q is not ok|warn|fail|skip|error", p.ID, p.Status)
		}
		if p.Summary == "" {
			t.Errorf("probe %q: empty summary", p.ID)
		}
		if p.DurationMS == nil {
			t.Errorf("probe %q: duration_ms missing", p.ID)
		}
		if ev := bytes.TrimSpace(p.Evidence); len(ev) == 0 || ev[0] != '{' {
			t.Errorf("probe %q: evidence is not an object: %s", p.ID, ev)
		}
	}
	if !slices.Equal(ids, probeIDs) {
		t.Errorf("probes = %v, want %v", ids, probeIDs)
	}
	if a := doc.AppleStatus; a == nil {
		t.Errorf("apple_status is null: the feed was not polled")
	} else if len(a.Services) == 0 {
		t.Errorf("apple_status has no services (error: %v)", deref(a.Error))
	}
	return &doc
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// scenario breaks one thing in the namespace's healthy Internet.
type scenario struct {
	name string
	// hosts is appended to the namespace's /etc/hosts.
	hosts string
	// routerDNS overrides the router resolver's answers (public resolvers
	// keep the real fake addresses).
	routerDNS map[string][]string
	// nft is an nftables ruleset loaded in the namespace before the check.
	nft string

	exit  int
	code  verdict.Code
	level verdict.Level
	cause verdict.Cause
	// verify checks the evidence that must have led to the verdict.
	verify func(t *testing.T, d *checkDoc)
}

// blockSignIn resets every TCP connection to the sign-in hosts on 443, as a
// firewall that rejects does.
func blockSignIn() string { return rejectTCP443(probes.DefaultConfig().SignInHosts...) }

// rejectTCP443 resets every TCP connection to the fake hosts named on 443.
func rejectTCP443(names ...string) string {
	var addrs []string
	for _, n := range names {
		addrs = append(addrs, addrOf(n))
	}
	return "add table inet f\n" +
		"add chain inet f out { type filter hook output priority 0; }\n" +
		"add rule inet f out ip daddr { " + strings.Join(addrs, ", ") + " } tcp dport 443 reject with tcp reset\n"
}

var scenarios = []scenario{
	{
		name: "healthy", exit: 0,
		code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		verify: verifyHealthy,
	},
	{
		name:      "dns_filtered",
		routerDNS: map[string][]string{"appleid.apple.com": {"0.0.0.0"}, "idmsa.apple.com": {"0.0.0.0"}},
		exit:      2, code: verdict.CodeDNSFiltered, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		verify: func(t *testing.T, d *checkDoc) {
			var ev dnsEvidence
			d.evidence(t, "dns", &ev)
			got := slices.Clone(ev.Filtered)
			sort.Strings(got)
			if want := []string{"appleid.apple.com", "idmsa.apple.com"}; !slices.Equal(got, want) {
				t.Errorf("dns filtered = %v, want %v", ev.Filtered, want)
			}
			for _, l := range ev.System {
				if (l.Name == "appleid.apple.com" || l.Name == "idmsa.apple.com") &&
					(l.Class != "sinkhole" || !slices.Equal(l.Addresses, []string{"0.0.0.0"})) {
					t.Errorf("system lookup of %s = %v (%s), want 0.0.0.0 (sinkhole)", l.Name, l.Addresses, l.Class)
				}
			}
			for _, l := range ev.Public {
				if want := addrOf(l.Name); l.Class != "" || !slices.Equal(l.Addresses, []string{want}) {
					t.Errorf("public lookup of %s at %s = %v (%s), want %s", l.Name, l.Resolver, l.Addresses, l.Class, want)
				}
			}
		},
	},
	{
		name: "blocked",
		nft:  blockSignIn(),
		exit: 2, code: verdict.CodeBlocked, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		verify: func(t *testing.T, d *checkDoc) {
			var ev struct {
				SignIn []attemptDoc `json:"signin"`
				Push   *attemptDoc  `json:"push"`
			}
			d.evidence(t, "reach", &ev)
			if len(ev.SignIn) != len(signInAddrs()) {
				t.Fatalf("reach tried %d sign-in hosts, want %d", len(ev.SignIn), len(signInAddrs()))
			}
			for i, a := range ev.SignIn {
				want := hostPort(signInAddrs()[i], httpsPort)
				if a.OK || a.Stage != "connect" || a.Class != "refused" || a.Address != want {
					t.Errorf("reach %s = ok %v, %s at %s (%s), want refused at connect (%s)", a.Target, a.OK, a.Class, a.Stage, a.Address, want)
				}
			}
			if ev.Push == nil || !ev.Push.OK {
				t.Errorf("push = %+v, want reachable (only 443 to the sign-in hosts is blocked)", ev.Push)
			}
			if p := d.probe(t, "control"); p.Status != "ok" {
				t.Errorf("control = %s (%s), want ok", p.Status, p.Summary)
			}
		},
	},
	{
		// A firewall that lets sign-in through but not Apple's
		// software-update hosts: the Mac's installs fail with error 3014.
		name: "update_blocked",
		nft:  rejectTCP443("gs.apple.com", "swscan.apple.com"),
		exit: 1, code: verdict.CodeUpdateBlocked, level: verdict.LevelDegraded, cause: verdict.CauseNetwork,
		verify: func(t *testing.T, d *checkDoc) {
			if !strings.Contains(d.Verdict.Headline, "3014") {
				t.Errorf("headline %q does not name error 3014", d.Verdict.Headline)
			}
			for _, s := range d.Services {
				want := "ok"
				if s.ID == "software_update" {
					want = "fail"
				}
				if s.ID == "sign_in" {
					continue // left to the reach, tls and https probes
				}
				if s.Status != want {
					t.Errorf("service %s = %s, want %s", s.ID, s.Status, want)
				}
				for _, h := range s.Hosts {
					if s.ID == "software_update" && (h.Status != "fail" || h.Class != "refused" || h.Path != "direct") {
						t.Errorf("%s:%d = %s (%s) via %s, want refused, direct", h.Host, h.Port, h.Status, h.Class, h.Path)
					}
				}
			}
			if !slices.ContainsFunc(d.Services, func(s serviceDoc) bool {
				return s.ID == "software_update" && len(s.Hosts) > 0
			}) {
				t.Errorf("no software_update hosts in services %+v", d.Services)
			}
			for _, id := range []string{"reach", "tls", "https"} {
				if p := d.probe(t, id); p.Status != "ok" {
					t.Errorf("probe %s = %s (%s), want ok: sign-in works", id, p.Status, p.Summary)
				}
			}
		},
	},
	{
		name:  "hosts_override",
		hosts: "0.0.0.0 appleid.apple.com\n",
		exit:  2, code: verdict.CodeHostsOverride, level: verdict.LevelDown, cause: verdict.CauseLocal,
		verify: func(t *testing.T, d *checkDoc) {
			var ev struct {
				Path    string `json:"path"`
				Entries []struct {
					Line     int      `json:"line"`
					Address  string   `json:"address"`
					Names    []string `json:"names"`
					Sinkhole bool     `json:"sinkhole"`
				} `json:"entries"`
			}
			d.evidence(t, "hosts", &ev)
			if ev.Path != "/etc/hosts" || len(ev.Entries) != 1 {
				t.Fatalf("hosts evidence = %+v, want one entry in /etc/hosts", ev)
			}
			e := ev.Entries[0]
			if e.Line != 3 || e.Address != "0.0.0.0" || !slices.Equal(e.Names, []string{"appleid.apple.com"}) || !e.Sinkhole {
				t.Errorf("hosts entry = %+v, want line 3: 0.0.0.0 appleid.apple.com (sinkhole)", e)
			}
		},
	},
}

// verifyHealthy checks that every piece of the fake Internet was really
// exercised through the namespace: resolv.conf, routes, DNS, TLS, NTP, feed.
func verifyHealthy(t *testing.T, d *checkDoc) {
	for _, id := range []string{"link", "control", "captive", "dns", "hosts", "vpn", "reach", "tls", "https", "clock"} {
		if p := d.probe(t, id); p.Status != "ok" {
			t.Errorf("probe %s = %s (%s), want ok", id, p.Status, p.Summary)
		}
	}
	var link struct {
		DefaultRoute *struct {
			Gateway   string `json:"gateway"`
			Interface string `json:"interface"`
		} `json:"default_route"`
	}
	d.evidence(t, "link", &link)
	if r := link.DefaultRoute; r == nil || r.Interface != uplinkName || r.Gateway != gateway {
		t.Errorf("link default_route = %+v, want via %s on %s", r, gateway, uplinkName)
	}
	var dns dnsEvidence
	d.evidence(t, "dns", &dns)
	if len(dns.Nameservers) == 0 || !slices.ContainsFunc(dns.Nameservers[0].Nameservers, func(s string) bool { return strings.HasPrefix(s, routerDNS) }) {
		t.Errorf("dns nameservers = %+v, want %s (the namespace's resolv.conf)", dns.Nameservers, routerDNS)
	}
	var clock struct {
		Source string `json:"source"`
	}
	d.evidence(t, "clock", &clock)
	if clock.Source != "ntp" {
		t.Errorf("clock source = %q, want ntp", clock.Source)
	}
	var tls struct {
		Hosts []struct {
			Target   string `json:"target"`
			Verified bool   `json:"verified"`
			Issuer   string `json:"issuer"`
		} `json:"hosts"`
	}
	d.evidence(t, "tls", &tls)
	for _, h := range tls.Hosts {
		if !h.Verified || !strings.Contains(h.Issuer, "Apple Inc.") {
			t.Errorf("tls %s: verified %v, issuer %q; want a verified Apple-like chain", h.Target, h.Verified, h.Issuer)
		}
	}
	if a := d.AppleStatus; a != nil {
		if a.Error != nil {
			t.Errorf("apple_status error: %s", *a.Error)
		}
		for _, s := range a.Services {
			if s.Status != "ok" {
				t.Errorf("apple_status %s = %s, want ok", s.Name, s.Status)
			}
		}
	}
}

// absentFindings are findings no scenario may raise: the namespace's feed,
// NTP server and routes are always healthy.
var absentFindings = []verdict.Code{
	verdict.FindingFeedUnavailable, verdict.FindingNTPUnavailable,
	verdict.FindingVPNActive, verdict.FindingClockDrift, verdict.FindingProxyConfigured,
}

func TestCheckInNamespace(t *testing.T) {
	requireNetns(t)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			start := time.Now()
			ns := newNetns(t, sc.hosts)
			created := time.Now()
			ns.startServers(t, helperConfig{RouterDNS: sc.routerDNS})
			if sc.nft != "" {
				ns.nft(t, sc.nft)
			}
			ready := time.Now()
			r := ns.check(t)
			t.Logf("%s: namespace %s, servers %s, idpulse check %s (exit %d)", ns.Name,
				created.Sub(start).Round(time.Millisecond), ready.Sub(created).Round(time.Millisecond), r.took.Round(time.Millisecond), r.exit)
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("idpulse check --json in %s: %s\n--- helper servers:\n%s", ns.Name, r.describe(), ns.helperOut)
				}
			})
			if r.exit != sc.exit {
				t.Errorf("exit status = %d, want %d", r.exit, sc.exit)
			}
			d := decodeDoc(t, r.stdout)
			v := d.Verdict
			if v.Code != sc.code || v.Level != sc.level || v.Cause != sc.cause {
				t.Errorf("verdict = %s/%s/%s, want %s/%s/%s (%s)", v.Code, v.Level, v.Cause, sc.code, sc.level, sc.cause, v.Headline)
			}
			for _, f := range d.Findings {
				if slices.Contains(absentFindings, f.Code) {
					t.Errorf("unexpected finding %s (probe %s)", f.Code, f.Probe)
				}
			}
			if sc.verify != nil {
				sc.verify(t, d)
			}
		})
	}
}

// BenchmarkCheckHealthy times `idpulse check --json` in a healthy namespace,
// from start to exit (process start, the whole cycle, JSON output).
func BenchmarkCheckHealthy(b *testing.B) {
	requireNetns(b)
	ns := newNetns(b, "")
	ns.startServers(b, helperConfig{})
	if r := ns.check(b); r.exit != 0 {
		b.Fatalf("the healthy namespace is not healthy: %s", r.describe())
	}
	var took []time.Duration
	for b.Loop() {
		r := ns.check(b)
		if r.exit != 0 {
			b.Fatalf("run %d: %s", len(took)+1, r.describe())
		}
		took = append(took, r.took)
	}
	slices.Sort(took)
	median := took[len(took)/2]
	if len(took)%2 == 0 {
		median = (took[len(took)/2-1] + took[len(took)/2]) / 2
	}
	b.ReportMetric(float64(median)/float64(time.Millisecond), "ms/check")
}
