//go:build linux

package e2e

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/agent/verdict/verdicttest"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
	"github.com/idpulse/idpulse/probes/probetest/pathlab"
)

// diagnosis is one network a person might be on, built in a lab, and the
// verdict `idpulse check --json` must give on it (issue 10's rules, on the
// real path: the binary's own resolver, proxies, sockets and TCP stack).
type diagnosis struct {
	name  string
	opts  labOptions
	setup func(t *testing.T, w *labWorld)

	code  verdict.Code
	level verdict.Level
	cause verdict.Cause
	fixes []string // must all be offered, in this order, at the front
	// headline must be in the verdict's headline, evidence in one of its
	// evidence lines.
	headline, evidence string
	// findings must all be present; absent must be neither a finding nor
	// the verdict.
	findings, absent []verdict.Code
	// noFeed: the row's network cannot reach the status feed either (a
	// broken resolver), so apple_status has no services.
	noFeed bool
	verify func(t *testing.T, d *checkDoc, w *labWorld)
}

// mtuBlackhole is the MTU black-hole row, the drop made by filter.
func mtuBlackhole(name string, filter pathlab.Filter) diagnosis {
	return diagnosis{
		name: name,
		opts: labOptions{Options: pathlab.Options{Faults: pathlab.Faults{DropLargerThan: 1200}, Filter: filter}},
		code: verdict.CodeMTUBlackhole, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixTryOtherNetwork}, headline: "drops large packets",
		evidence: "with 536-byte segments it completed",
		absent:   []verdict.Code{verdict.CodeBlocked, verdict.CodeAppleUnreachable},
		noFeed:   true,
		verify:   verifySmallSegments,
	}
}

// The content filter's block page and the proxies live on documentation
// addresses in the server namespace.
var (
	blockPageIP = netip.MustParseAddr("198.51.100.10")
	pacIP       = "10.20.0.5"
)

const (
	envProxy = "203.0.113.8"
	pacProxy = "203.0.113.9"
	// proxyPort is where both proxies listen.
	proxyPort = 3128
	pacURL    = "http://wpad.corp.example/proxy.pac"
)

// corporatePAC sends Apple through the PAC's proxy, everything else direct
// (as cmd/idpulse/internal/check's scenario rows do).
const corporatePAC = `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".corp.example")) return "DIRECT";
  if (shExpMatch(host, "*.apple.com") || dnsDomainIs(host, ".icloud.com")) return "PROXY ` + pacProxy + `:3128; DIRECT";
  return "DIRECT";
}`

// environmentProxy sets HTTPS_PROXY and HTTP_PROXY to a proxy answering in
// mode, as a corporate login script does.
func environmentProxy(w *labWorld, mode probetest.ProxyMode) *probetest.ConnectProxy {
	p := w.proxy(envProxy, proxyPort, mode)
	url := "http://" + hostPort(envProxy, proxyPort)
	w.env = append(w.env, "HTTPS_PROXY="+url, "HTTP_PROXY="+url)
	return p
}

var diagnoses = []diagnosis{
	{
		// The client's default route goes through a TUN device (the lab's
		// wire), which is what a full-tunnel VPN looks like: vpn_active
		// is right, in every row.
		name: "healthy", code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingVPNActive},
		absent:   []verdict.Code{verdict.FindingIPv6Broken, verdict.CodeSlowNetwork, verdict.CodeMTUBlackhole, verdict.FindingProxyConfigured},
	},
	{
		name: "dns_failure_servfail", noFeed: true,
		code: verdict.CodeDNSFailure, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		fixes: []string{verdict.FixOpenNetworkSettings, verdict.FixRenewDHCP}, headline: "DNS server is not working",
		absent: []verdict.Code{verdict.CodeDNSFiltered},
		setup: func(t *testing.T, w *labWorld) {
			w.routerAnswersAll(probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
		},
		verify: verifyBrokenResolver("servfail"),
	},
	{
		name: "dns_failure_timeout", noFeed: true,
		code: verdict.CodeDNSFailure, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		headline: "DNS server is not working", absent: []verdict.Code{verdict.CodeDNSFiltered},
		setup: func(t *testing.T, w *labWorld) {
			w.routerAnswersAll(probetest.Answer{Drop: true})
		},
		verify: verifyBrokenResolver("timeout"),
	},
	{
		// A content filter answers Apple's names with its block page's
		// address, which presents the filter's own certificate; the public
		// resolvers' addresses present Apple's chain.
		name: "dns_filtered_block_page",
		code: verdict.CodeDNSFiltered, level: verdict.LevelDown, cause: verdict.CauseNetwork,
		evidence: "presents a certificate issued by",
		absent:   []verdict.Code{verdict.CodeTLSInterception, verdict.CodeCaptivePortal},
		setup: func(t *testing.T, w *labWorld) {
			block := probetest.NewHTTPSServerOn(t, w.listen(blockPageIP.String(), httpsPort), w.Inspection.ValidLeaf(t, "block.filter.example"))
			for _, h := range probes.DefaultConfig().SignInHosts {
				w.Router.Set(h, probetest.Answer{Addrs: []netip.Addr{blockPageIP}})
			}
			t.Cleanup(func() {
				if block.Handshakes() == 0 {
					t.Errorf("the block page saw no TLS handshake: the binary never dialled the filter's address")
				}
			})
		},
		verify: verifyBlockPage,
	},
	{
		name: "proxy_needs_password", noFeed: true, // the feed goes through the proxy too
		code: verdict.CodeProxyFailure, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes: []string{verdict.FixOpenProxySettings}, headline: "needs a password",
		absent: []verdict.Code{verdict.CodeCaptivePortal},
		setup: func(t *testing.T, w *labWorld) {
			p := environmentProxy(w, probetest.ProxyAuthRequired)
			t.Cleanup(func() {
				if p.Requests() == 0 {
					t.Errorf("the proxy got no request: HTTPS_PROXY was not used")
				}
			})
		},
	},
	{
		// GNOME says "automatic, from this PAC file"; the file sends
		// Apple's names to a proxy that refuses them.
		name: "proxy_failure_pac", noFeed: true,
		code: verdict.CodeProxyFailure, level: verdict.LevelDown, cause: verdict.CauseLocal,
		fixes:    []string{verdict.FixOpenProxySettings},
		evidence: "the proxy at http://" + hostPort(pacProxy, proxyPort) + ": proxy answered CONNECT with 403",
		absent:   []verdict.Code{verdict.CodeCaptivePortal, verdict.CodeBlocked},
		setup: func(t *testing.T, w *labWorld) {
			w.gnomeProxy(map[string]string{"mode": "'auto'", "autoconfig-url": "'" + pacURL + "'"})
			pac := probetest.NewHTTPServerOn(t, w.listen(pacIP, 80))
			pac.SetBehavior(probetest.HTTPSBehavior{Body: corporatePAC})
			for _, r := range append([]*probetest.DNSServer{w.Router}, w.Public...) {
				r.Set("wpad.corp.example", probetest.Answer{Addrs: []netip.Addr{netip.MustParseAddr(pacIP)}})
			}
			p := w.proxy(pacProxy, proxyPort, probetest.ProxyDeny)
			t.Cleanup(func() {
				if pac.Requests() == 0 || p.Connects() == 0 {
					t.Errorf("PAC file fetched %d times, proxy CONNECTs %d: want both used", pac.Requests(), p.Connects())
				}
			})
		},
		verify: func(t *testing.T, d *checkDoc, w *labWorld) {
			var ev struct {
				Config struct {
					Source string `json:"source"`
				} `json:"config"`
				PAC *struct {
					URL   string   `json:"url"`
					Error string   `json:"error"`
					Hops  []string `json:"hops"`
				} `json:"pac"`
			}
			d.evidence(t, "proxy", &ev)
			if ev.Config.Source != "gsettings" {
				t.Errorf("proxy settings source = %q, want gsettings (GNOME's)", ev.Config.Source)
			}
			if want := []string{"PROXY " + hostPort(pacProxy, proxyPort), "DIRECT"}; ev.PAC == nil || ev.PAC.URL != pacURL || ev.PAC.Error != "" || !slices.Equal(ev.PAC.Hops, want) {
				t.Errorf("proxy pac = %+v, want %s answering %q", ev.PAC, pacURL, want)
			}
		},
	},
	// A router on the path drops packets over 1200 bytes and sends no ICMP:
	// TCP connects, TLS stalls on Apple's certificate flight, a retry with
	// small segments completes. Dropped by the relay, and as a firewall rule
	// (nftables, the client's prerouting: the hook that sees wire-sized
	// segments; see pathlab).
	mtuBlackhole("mtu_blackhole_relay", pathlab.FilterRelay),
	mtuBlackhole("mtu_blackhole_nft", pathlab.FilterNFT),
	{
		// 300 ms each way: every round trip (DNS included) takes 600 ms.
		name: "slow_network",
		opts: labOptions{Options: pathlab.Options{Faults: pathlab.Faults{Delay: 300 * time.Millisecond}}},
		code: verdict.CodeSlowNetwork, level: verdict.LevelDegraded, cause: verdict.CauseNetwork,
		headline: "too slow for Apple ID sign-in", evidence: "median TCP handshake to Apple",
		absent: []verdict.Code{verdict.CodeBlocked, verdict.CodeAppleUnreachable, verdict.CodeMTUBlackhole},
		verify: func(t *testing.T, d *checkDoc, w *labWorld) {
			// The product's contract (the shipped 5 s deadline), not a
			// benchmark: a slow network gets its verdict in time.
			deadline := time.Duration(probes.DefaultConfig().Deadline)
			if got := time.Duration(*d.DurationMS * float64(time.Millisecond)); got >= deadline {
				t.Errorf("duration_ms = %.0f, want the verdict within the %s deadline", *d.DurationMS, deadline)
			}
		},
	},
	{
		// AAAA answers, an IPv6 default route, and IPv6 goes nowhere:
		// Happy Eyeballs signs in over IPv4, so the verdict is ok and the
		// broken family a finding.
		name: "ipv6_broken",
		opts: labOptions{IPv6: true, Options: pathlab.Options{Faults: pathlab.Faults{DropIPv6: true}}},
		code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		findings: []verdict.Code{verdict.FindingIPv6Broken},
		verify:   verifyFamilies(false),
	},
	{
		name: "ipv6_working",
		opts: labOptions{IPv6: true},
		code: verdict.CodeOK, level: verdict.LevelOK, cause: verdict.CauseNone,
		absent: []verdict.Code{verdict.FindingIPv6Broken},
		verify: verifyFamilies(true),
	},
}

// labDNSEvidence is the dns probe's evidence as the issue-10 rows read it.
type labDNSEvidence struct {
	dnsEvidence
	Control   *lookupDoc `json:"control"`
	Broken    []string   `json:"broken"`
	Redirects []struct {
		Name   string `json:"name"`
		System struct {
			Address string `json:"address"`
			Issuer  string `json:"issuer"`
		} `json:"system"`
		BlockPage bool `json:"block_page"`
	} `json:"redirects"`
}

// signInHosts is the default configuration's sign-in hosts, sorted.
func signInHosts() []string {
	return slices.Sorted(slices.Values(probes.DefaultConfig().SignInHosts))
}

// verifyBrokenResolver checks that the system resolver failed with class
// for every name, the control name included, and that the public
// resolvers' right answers made those names broken, not filtered.
func verifyBrokenResolver(class string) func(t *testing.T, d *checkDoc, w *labWorld) {
	return func(t *testing.T, d *checkDoc, w *labWorld) {
		var ev labDNSEvidence
		d.evidence(t, "dns", &ev)
		for _, l := range ev.System {
			if l.Class != class {
				t.Errorf("system lookup of %s = %v (%q), want %s", l.Name, l.Addresses, l.Class, class)
			}
		}
		if c := ev.Control; c == nil || c.Name != probes.DefaultConfig().DNSControl || c.Class != class {
			t.Errorf("control lookup = %+v, want %s failing with %s", c, probes.DefaultConfig().DNSControl, class)
		}
		if len(ev.Filtered) != 0 {
			t.Errorf("dns filtered = %v, want none: the resolver is broken, not filtering", ev.Filtered)
		}
		for _, h := range signInHosts() {
			if !slices.Contains(ev.Broken, h) {
				t.Errorf("dns broken = %v, want %s among them", ev.Broken, h)
			}
		}
		if len(ev.Public) == 0 {
			t.Errorf("no public lookups: nothing cross-checked the broken resolver")
		}
		for _, l := range ev.Public {
			if want := addrOf(l.Name); l.Class != "" || !slices.Equal(l.Addresses, []string{want}) {
				t.Errorf("public lookup of %s at %s = %v (%s), want %s", l.Name, l.Resolver, l.Addresses, l.Class, want)
			}
		}
	}
}

// verifyBlockPage checks that every sign-in host was filtered because its
// system-resolved address presents the filter's certificate.
func verifyBlockPage(t *testing.T, d *checkDoc, w *labWorld) {
	var ev labDNSEvidence
	d.evidence(t, "dns", &ev)
	if got := slices.Sorted(slices.Values(ev.Filtered)); !slices.Equal(got, signInHosts()) {
		t.Errorf("dns filtered = %v, want the sign-in hosts %v", got, signInHosts())
	}
	blocked := map[string]bool{}
	for _, r := range ev.Redirects {
		if r.BlockPage && strings.HasPrefix(r.System.Address, blockPageIP.String()) && strings.Contains(r.System.Issuer, "Contoso") {
			blocked[r.Name] = true
		}
	}
	for _, h := range signInHosts() {
		if !blocked[h] {
			t.Errorf("dns redirects = %+v, want %s's to %s, presenting the filter's (Contoso) certificate, a block page", ev.Redirects, h, blockPageIP)
		}
	}
}

// verifySmallSegments checks that the TLS handshakes stalled with the
// default segment size and completed with small ones.
func verifySmallSegments(t *testing.T, d *checkDoc, w *labWorld) {
	var ev struct {
		Hosts []struct {
			attemptDoc
			SmallSegments *attemptDoc `json:"small_segments"`
		} `json:"hosts"`
	}
	d.evidence(t, "tls", &ev)
	if len(ev.Hosts) == 0 {
		t.Fatal("tls evidence has no hosts")
	}
	for _, h := range ev.Hosts {
		if h.OK || h.Stage != "tls" || h.Class != "timeout" {
			t.Errorf("tls %s = ok %v, %s at %s; want a stall (timeout at tls)", h.Target, h.OK, h.Class, h.Stage)
		}
		if s := h.SmallSegments; s == nil || !s.OK {
			t.Errorf("tls %s small-segment retry = %+v, want it to complete", h.Target, s)
		}
	}
	// With FilterRelay the relay counts its drops (nft's are not counted).
	if st := w.Stats().ServerToClient; w.opts.Filter == pathlab.FilterRelay && st.DroppedLarge == 0 {
		t.Errorf("the relay dropped no large packet (%+v): the black hole was never hit", st)
	}
}

// verifyFamilies checks the reach probe's per-family test of the first
// sign-in host: IPv4 connects, IPv6 connects exactly when v6OK.
func verifyFamilies(v6OK bool) func(t *testing.T, d *checkDoc, w *labWorld) {
	return func(t *testing.T, d *checkDoc, w *labWorld) {
		var ev struct {
			SignIn   []attemptDoc `json:"signin"`
			Families *struct {
				Host string     `json:"host"`
				IPv6 attemptDoc `json:"ipv6"`
				IPv4 attemptDoc `json:"ipv4"`
			} `json:"families"`
		}
		d.evidence(t, "reach", &ev)
		f := ev.Families
		if f == nil {
			t.Fatalf("reach has no per-family test: the sign-in host's AAAA answers were not seen")
		}
		if st := w.Stats().ClientToServer; !v6OK && st.DroppedIPv6 == 0 {
			t.Errorf("the relay dropped no IPv6 packet (%+v): IPv6 was never tried", st)
		}
		if !f.IPv4.OK || f.IPv6.OK != v6OK {
			t.Errorf("families of %s: IPv4 ok %v (%s), IPv6 ok %v (%s); want IPv4 ok, IPv6 ok %v", f.Host, f.IPv4.OK, f.IPv4.Class, f.IPv6.OK, f.IPv6.Class, v6OK)
		}
		for _, a := range ev.SignIn {
			if !a.OK {
				t.Errorf("reach %s failed (%s at %s): Happy Eyeballs must hide a dead family", a.Target, a.Class, a.Stage)
			}
		}
	}
}

// TestDiagnosisInLab runs `idpulse check --json` on each diagnosis's
// network, every row in a lab of its own and in parallel (a lab is two
// namespaces and a relay; rows wait mostly on timeouts).
func TestDiagnosisInLab(t *testing.T) {
	requireNetns(t)
	for _, dg := range diagnoses {
		t.Run(dg.name, func(t *testing.T) {
			t.Parallel()
			w := newLabWorld(t, dg.opts)
			if dg.setup != nil {
				dg.setup(t, w)
			}
			r := w.check()
			t.Logf("idpulse check took %s (exit %d)", r.took.Round(time.Millisecond), r.exit)
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("idpulse check --json in %s: %s", w.Client.Name, r.describe())
				}
			})
			d := decodeLabDoc(t, r.stdout, !dg.noFeed)
			v := d.Verdict
			t.Logf("verdict %s/%s/%s in %.0f ms: %s; evidence %q", v.Code, v.Level, v.Cause, deref64(d.DurationMS), v.Headline, v.Evidence)
			if want := exitStatus(dg.level); r.exit != want {
				t.Errorf("exit status = %d, want %d for level %s", r.exit, want, dg.level)
			}
			var got []verdict.Code
			for _, f := range d.Findings {
				got = append(got, f.Code)
			}
			said := verdict.Verdict{Level: v.Level, Code: v.Code, Cause: v.Cause, Headline: v.Headline, Detail: v.Detail, Fixes: v.Fixes, Evidence: v.Evidence}
			verdicttest.Want{Code: dg.code, Level: dg.level, Cause: dg.cause, Fixes: dg.fixes, Headline: dg.headline,
				Evidence: dg.evidence, Findings: dg.findings, Absent: dg.absent}.Check(t, said, got, "")
			if dg.verify != nil {
				dg.verify(t, d, w)
			}
		})
	}
}

func deref64(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}

// exitStatus is `idpulse check`'s exit status for a verdict level.
func exitStatus(l verdict.Level) int {
	switch l {
	case verdict.LevelOK:
		return 0
	case verdict.LevelDegraded:
		return 1
	}
	return 2
}

// decodeLabDoc is decodeDoc, the full contract check, for a network that
// reaches the status feed; without the feed (withFeed false) it checks the
// document's shape but not apple_status's services.
func decodeLabDoc(t *testing.T, out []byte, withFeed bool) *checkDoc {
	t.Helper()
	if withFeed {
		return decodeDoc(t, out)
	}
	var d checkDoc
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("stdout is not an idpulse.check/v1 document: %v", err)
	}
	if d.Schema != "idpulse.check/v1" || d.DurationMS == nil || d.Verdict.Headline == "" || len(d.Probes) != len(probeIDs) {
		t.Errorf("document: schema %q, duration_ms %v, headline %q, %d probes: not an idpulse.check/v1 document", d.Schema, d.DurationMS, d.Verdict.Headline, len(d.Probes))
	}
	return &d
}
