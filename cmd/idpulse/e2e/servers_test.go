//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes/probetest"
)

// helperEnv names the helper's configuration file. The e2e tests set it when
// they re-execute this test binary inside a namespace; TestHelperServers
// skips without it.
const helperEnv = "IDPULSE_E2E_HELPER"

// readyLine is what the helper prints on stdout once every server listens.
const readyLine = "idpulse-e2e-helper: ready"

// helperConfig is what one namespace's servers do.
type helperConfig struct {
	// CAFile is where the helper writes the root of its Apple-like chain
	// (PEM), for the binary's SSL_CERT_FILE.
	CAFile string `json:"ca_file"`
	// RouterDNS overrides the router resolver's answers: name → addresses.
	// An empty list answers NXDOMAIN. The public resolvers always answer
	// the fake addresses.
	RouterDNS map[string][]string `json:"router_dns,omitempty"`
}

// TestHelperServers is not a test: it is the fake Internet of one namespace,
// run in a copy of the test binary re-executed under `ip netns exec` (see
// startServers). It serves until its stdin closes, which happens when the
// test ends or the parent dies, or until it is killed.
func TestHelperServers(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for the e2e tests: runs only when they re-execute the test binary inside a namespace")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("helper config: %v", err)
	}
	var cfg helperConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("helper config %s: %v", path, err)
	}

	root, inter := probetest.AppleLikeChain(t)
	if err := os.WriteFile(cfg.CAFile, root.PEM(), 0o644); err != nil {
		t.Fatalf("write CA: %v", err)
	}

	// The router's resolver and the public ones answer every fake address;
	// cfg.RouterDNS then overrides the router's answers.
	router := newDNSServerAt(t, hostPort(routerDNS, dnsPort))
	resolvers := []*probetest.DNSServer{router}
	for _, ip := range publicIPs {
		resolvers = append(resolvers, newDNSServerAt(t, hostPort(ip, dnsPort)))
		probetest.NewTCPListenerOn(t, probetest.Listen(t, hostPort(ip, httpsPort))) // control target
	}
	for _, h := range fakeHosts {
		for _, r := range resolvers {
			r.Set(h.name, probetest.Answer{Addrs: []netip.Addr{netip.MustParseAddr(h.addr)}})
		}
	}
	for name, list := range cfg.RouterDNS {
		a := probetest.Answer{Rcode: dnsmessage.RCodeNameError}
		for _, s := range list {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				t.Fatalf("router_dns %s: %v", name, err)
			}
			a = probetest.Answer{Addrs: append(a.Addrs, ip)}
		}
		router.Set(name, a)
	}
	for _, h := range fakeHosts {
		switch h.role {
		case roleHTTPS:
			srv := probetest.NewHTTPSServerOn(t, probetest.Listen(t, hostPort(h.addr, httpsPort)), inter.ValidLeaf(t, h.name))
			if h.name == feedHost {
				srv.SetBehavior(probetest.HTTPSBehavior{Body: probetest.HealthyFeed})
			}
		case rolePush:
			probetest.NewTCPListenerOn(t, probetest.Listen(t, hostPort(h.addr, pushPort)))
			probetest.NewTCPListenerOn(t, probetest.Listen(t, hostPort(h.addr, httpsPort))) // APNs' fallback
		case roleCaptive:
			probetest.NewCaptiveServerOn(t, probetest.Listen(t, hostPort(h.addr, captivePort)))
		case roleNTP:
			probetest.NewNTPServerOn(t, probetest.ListenPacket(t, hostPort(h.addr, ntpPort)))
		}
	}

	fmt.Println(readyLine)
	io.Copy(io.Discard, os.Stdin) // until the parent closes stdin or dies
}

func hostPort(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }

// newDNSServerAt is a probetest DNS server on addr (UDP and TCP).
func newDNSServerAt(t *testing.T, addr string) *probetest.DNSServer {
	pc, ln := probetest.ListenDNS(t, addr)
	return probetest.NewDNSServerOn(t, pc, ln)
}
