//go:build linux

package e2e

import (
	"net"
	"net/url"
	"strconv"
	"testing"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/probetest"
)

// The fake Internet inside every namespace. These addresses exist only on the
// namespace's own interfaces; nothing here is ever sent to the real ones.

// role is what a fake Apple host serves.
type role int

const (
	roleNone    role = iota // only resolves (gs.apple.com)
	roleHTTPS               // TLS on 443: a sign-in host, or the status feed
	rolePush                // TCP 5223 and 443 (APNs' fallback), accept and hold
	roleCaptive             // HTTP 80, Apple's Success page
	roleNTP                 // UDP 123
)

type fakeHost struct {
	name string
	addr string
	role role
}

// fakeHosts are Apple's names and their fake public addresses, which are in
// 17.0.0.0/8 (Apple's block), so no answer looks like a sinkhole.
var fakeHosts = []fakeHost{
	{"appleid.apple.com", "17.253.144.1", roleHTTPS},
	{"idmsa.apple.com", "17.253.144.2", roleHTTPS},
	{"gsa.apple.com", "17.253.144.3", roleHTTPS},
	{"setup.icloud.com", "17.253.144.4", roleHTTPS},
	{"gs.apple.com", "17.253.144.5", roleHTTPS}, // software update, sampled
	{"1-courier.push.apple.com", "17.253.144.6", rolePush},
	{"captive.apple.com", "17.253.144.7", roleCaptive},
	{"time.apple.com", "17.253.144.8", roleNTP},
	{"www.apple.com", "17.253.144.9", roleHTTPS}, // Apple System Status
	// The services probe's sample of the catalogue (probes/catalog).
	{"gateway.icloud.com", "17.253.144.10", roleHTTPS},
	{"cdn.apple-cloudkit.com", "17.253.144.11", roleHTTPS},
	{"5-courier.push.apple.com", "17.253.144.12", rolePush},
	{"apps.apple.com", "17.253.144.13", roleHTTPS},
	{"swscan.apple.com", "17.253.144.14", roleHTTPS},
	{"deviceenrollment.apple.com", "17.253.144.15", roleHTTPS},
	{"albert.apple.com", "17.253.144.16", roleHTTPS},
	{"certs.apple.com", "17.253.144.17", roleHTTPS},
	{"time-macos.apple.com", "17.253.144.18", roleNTP},
	// The DNS control name (check.dns_control): not Apple's, answered by
	// every resolver, never dialled.
	{"one.one.one.one", "1.0.0.1", roleNone},
}

const (
	// routerDNS is the namespace's "router": the system resolver.
	routerDNS = "192.0.2.53"
	// uplinkAddr and gateway are the namespace's LAN side.
	uplinkAddr = "192.0.2.10/24"
	gateway    = "192.0.2.1"
	uplinkName = "d0"

	httpsPort   = 443
	pushPort    = 5223
	captivePort = 80
	ntpPort     = 123
	dnsPort     = 53

	// feedURL is Apple's real consumer feed URL; inside the namespace
	// feedHost is a fake host serving probetest.HealthyFeed.
	feedHost = "www.apple.com"
	feedURL  = "https://" + feedHost + probetest.FeedPath
)

// publicIPs are the public resolvers (UDP/TCP 53) and control targets (TCP 443).
var publicIPs = []string{"1.1.1.1", "8.8.8.8"}

// addrOf is the fake address of an Apple name, "" when it has none.
func addrOf(name string) string {
	for _, h := range fakeHosts {
		if h.name == name {
			return h.addr
		}
	}
	return ""
}

// signInAddrs are the fake addresses of the sign-in hosts.
func signInAddrs() []string {
	var out []string
	for _, h := range probes.DefaultConfig().SignInHosts {
		out = append(out, addrOf(h))
	}
	return out
}

// localAddrs are every address the namespace's loopback carries, so that the
// fake servers can bind them.
func localAddrs() []string {
	out := []string{routerDNS}
	out = append(out, publicIPs...)
	for _, h := range fakeHosts {
		out = append(out, h.addr)
	}
	return out
}

// TestFakeWorldCoversDefaults keeps the fake Internet in step with the
// binary's defaults: the e2e tests run `idpulse check` with its default
// targets, so every name it contacts needs a fake address and server. It
// needs no root and runs everywhere.
func TestFakeWorldCoversDefaults(t *testing.T) {
	cfg := probes.DefaultConfig()
	need := map[string]role{}
	for _, n := range cfg.DNSNames {
		need[n] = roleNone
	}
	for _, n := range cfg.SignInHosts {
		need[n] = roleHTTPS
	}
	need[cfg.PushHost] = rolePush
	need[cfg.NTPServer] = roleNTP
	for _, h := range catalog.Hosts() {
		if !h.Sample || h.Service == catalog.SignIn {
			continue // the services probe's default cycle checks the sample, sign-in aside
		}
		switch {
		case h.Probe == catalog.MethodTLS && h.Port == httpsPort:
			need[h.Host] = roleHTTPS
		case h.Probe == catalog.MethodTCP && h.Port == pushPort:
			need[h.Host] = rolePush
		case h.Probe == catalog.MethodNTP && h.Port == ntpPort:
			need[h.Host] = roleNTP
		default:
			t.Errorf("sampled host %s:%d (%s): no fake server role serves it", h.Host, h.Port, h.Probe)
		}
	}
	hostOf := func(raw string) *url.URL {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("parse %q: %v", raw, err)
		}
		return u
	}
	need[hostOf(cfg.SignInURL).Hostname()] = roleHTTPS
	need[hostOf(feedURL).Hostname()] = roleHTTPS
	captive := hostOf(cfg.CaptiveURL)
	need[captive.Hostname()] = roleCaptive
	if p := captive.Port(); captive.Scheme != "http" || (p != "" && p != strconv.Itoa(captivePort)) {
		t.Errorf("captive_url %q: the fake captive server is plain HTTP on port %d", cfg.CaptiveURL, captivePort)
	}
	for name, r := range need {
		found := false
		for _, h := range fakeHosts {
			if h.name == name {
				found = true
				if h.role != r {
					t.Errorf("fakeHosts: %s has role %d, the default config needs %d", name, h.role, r)
				}
			}
		}
		if !found {
			t.Errorf("the default config contacts %s, which has no fake address: add it to fakeHosts", name)
		}
	}
	if cfg.HTTPSPort != httpsPort || cfg.PushPort != pushPort {
		t.Errorf("default ports https %d push %d, the fake servers listen on %d and %d", cfg.HTTPSPort, cfg.PushPort, httpsPort, pushPort)
	}
	for key, list := range map[string][]string{"control_targets": cfg.ControlTargets, "public_resolvers": cfg.PublicResolvers} {
		port := strconv.Itoa(httpsPort)
		if key == "public_resolvers" {
			port = strconv.Itoa(dnsPort)
		}
		if len(list) != len(publicIPs) {
			t.Errorf("default %s = %v, the fake world serves %v", key, list, publicIPs)
			continue
		}
		for i, a := range list {
			if want := net.JoinHostPort(publicIPs[i], port); a != want {
				t.Errorf("default %s[%d] = %s, the fake world serves %s", key, i, a, want)
			}
		}
	}
	if cfg.HostsFile != "/etc/hosts" {
		t.Errorf("default hosts_file = %s; the namespace's hosts file is bind-mounted on /etc/hosts", cfg.HostsFile)
	}
}
