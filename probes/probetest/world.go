package probetest

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
)

// World is a whole healthy Internet as idpulse sees it, on loopback: Apple's
// sign-in, push, captive, time and status servers behind a fake system
// resolver, two public resolvers, control targets, a hosts file and a routing
// table. Scenarios break one piece of it and assert the verdict.
type World struct {
	DNS        *DNSServer // the system resolver (the router's DNS)
	Public     []*DNSServer
	Dialer     *MapDialer
	Root       *CA // Apple-like chain
	Inter      *CA
	Inspection *CA // a corporate TLS-inspection root
	SignIn     map[string]*HTTPSServer
	Push       *TCPListener
	Control    *TCPListener
	Captive    *CaptiveServer
	NTP        *NTPServer
	Feed       *HTTPSServer // Apple System Status
	// Services serve the rest of the Apple host catalogue (probes/catalog):
	// every TLS host from one HTTPS server whose leaf names them all, the
	// plain-HTTP ones from one HTTP server, the TCP-only ones from one
	// listener; the time hosts are NTP's.
	Services     *HTTPSServer
	ServicesHTTP *HTTPSServer
	ServicesTCP  *TCPListener
	Runner       *commandtest.Runner

	HostsFile string
	ProcRoute string
	Config    probes.Config
	Vars      map[string]string // the proxy environment

	// ProcRoute6 is the IPv6 routing table (empty: no IPv6 routes);
	// SysClassNet an empty device directory, so no test reads the real /sys.
	ProcRoute6  string
	SysClassNet string

	t       testing.TB
	addrs   map[string]netip.Addr // every Apple name → its fake public address
	roots   []*CA
	ifaces  []probes.Interface
	seqNext byte
}

// FeedPath is where World serves the status feed.
const FeedPath = "/support/systemstatus/data/system_status_en_US.js"

// HealthyFeed is an all-clear consumer feed.
const HealthyFeed = `{"drpost":false,"drMessage":null,"services":[
{"serviceName":"Apple ID","redirectUrl":null,"events":[]},
{"serviceName":"iCloud Account &amp; Sign In","redirectUrl":null,"events":[]},
{"serviceName":"iCloud Mail","redirectUrl":null,"events":[]},
{"serviceName":"App Store","redirectUrl":null,"events":[]}]}`

// NewWorld starts every server. Public addresses are in 17.0.0.0/8 (Apple's
// own block) and 1.1.1.1 / 8.8.8.8, so no answer looks like a sinkhole; the
// MapDialer sends them to loopback.
func NewWorld(t testing.TB) *World {
	t.Helper()
	w := &World{t: t, SignIn: map[string]*HTTPSServer{}, addrs: map[string]netip.Addr{}, Vars: map[string]string{}}
	w.DNS = NewDNSServer(t)
	w.Public = []*DNSServer{NewDNSServer(t), NewDNSServer(t)}
	w.Dialer = NewMapDialer(w.DNS.Resolver()) // a proxy's upstream dials by name
	w.Root, w.Inter = AppleLikeChain(t)
	w.Inspection = InspectionCA(t)
	w.Runner = commandtest.New()
	// A Linux desktop without GNOME's settings tool, until SetDesktopProxy.
	w.Runner.Set(gsettingsCmdline, nil, &command.RunError{Path: "/usr/bin/gsettings", Err: fs.ErrNotExist})
	// And without NetworkManager, until SetNetworkManager.
	w.Runner.Set(nmcliActiveCmdline, nil, &command.RunError{Path: "/usr/bin/nmcli", Err: fs.ErrNotExist})
	w.Config = probes.DefaultConfig()

	for _, h := range w.Config.SignInHosts {
		srv := NewHTTPSServer(t, w.Inter.ValidLeaf(t, h))
		w.SignIn[h] = srv
		w.host(h, "tcp", 443, srv.Addr())
	}
	w.serveCatalogue()
	w.Push = NewTCPListener(t)
	w.host(w.Config.PushHost, "tcp", w.Config.PushPort, w.Push.Addr())
	w.host(w.Config.PushHost, "tcp", 443, w.Push.Addr()) // APNs' fallback port
	w.Captive = NewCaptiveServer(t)
	w.host("captive.apple.com", "tcp", 80, w.Captive.Addr())
	w.Feed = NewHTTPSServer(t, w.Inter.ValidLeaf(t, "www.apple.com"))
	w.Feed.SetBehavior(HTTPSBehavior{Body: HealthyFeed})
	w.host("www.apple.com", "tcp", 443, w.Feed.Addr())

	// The DNS control name resolves everywhere, as on the real Internet.
	w.AnswerAll(w.Config.DNSControl, Answer{Addrs: []netip.Addr{netip.MustParseAddr("1.1.1.1")}})
	w.Control = NewTCPListener(t)
	for i, ip := range []string{"1.1.1.1", "8.8.8.8"} {
		w.Dialer.Set("tcp", ip+":443", Route{To: w.Control.Addr()})
		w.Dialer.Set("udp", ip+":53", Route{To: w.Public[i].Addr()})
	}

	dir := t.TempDir()
	w.HostsFile = filepath.Join(dir, "hosts")
	w.WriteHosts("127.0.0.1\tlocalhost\n::1\tlocalhost\n")
	w.ProcRoute = filepath.Join(dir, "route")
	w.SetDefaultRoute("eth0")
	w.ProcRoute6 = filepath.Join(dir, "ipv6_route")
	if err := os.WriteFile(w.ProcRoute6, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w.SysClassNet = filepath.Join(dir, "class-net")
	if err := os.Mkdir(w.SysClassNet, 0o755); err != nil {
		t.Fatal(err)
	}
	w.ifaces = []probes.Interface{
		{Name: "lo", Up: true, Loopback: true, Addresses: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		{Name: "eth0", Up: true, Addresses: []netip.Addr{netip.MustParseAddr("192.168.1.20")}},
	}
	w.Config.HostsFile = w.HostsFile
	// Never the user's own cache of Apple's release list.
	w.Config.CurrencyCache = filepath.Join(dir, "gdmf-cache.json")
	w.roots = []*CA{w.Root}
	return w
}

// serveCatalogue routes every host of the catalogue that no sign-in server
// answers to the catalogue's servers.
func (w *World) serveCatalogue() {
	var tlsNames []string
	for _, h := range catalog.Hosts() {
		if h.Probe == catalog.MethodTLS && w.SignIn[h.Host] == nil && !slices.Contains(tlsNames, h.Host) {
			tlsNames = append(tlsNames, h.Host)
		}
	}
	w.Services = NewHTTPSServer(w.t, w.Inter.ValidLeaf(w.t, tlsNames...))
	w.ServicesHTTP = NewHTTPServer(w.t)
	w.ServicesTCP = NewTCPListener(w.t)
	w.NTP = NewNTPServer(w.t)
	for _, h := range catalog.Hosts() {
		if h.Probe == catalog.MethodTLS && w.SignIn[h.Host] != nil {
			continue
		}
		to := map[catalog.Method]string{catalog.MethodTLS: w.Services.Addr(), catalog.MethodHTTP: w.ServicesHTTP.Addr(),
			catalog.MethodTCP: w.ServicesTCP.Addr(), catalog.MethodNTP: w.NTP.Addr()}[h.Probe]
		w.host(h.Host, h.Network(), h.Port, to)
	}
}

// host gives name a fake public address in every resolver and, when port is
// set, routes that address and port to a loopback server.
func (w *World) host(name, network string, port int, to string) netip.Addr {
	ip, ok := w.addrs[name]
	if !ok {
		w.seqNext++
		ip = netip.AddrFrom4([4]byte{17, 253, 144, w.seqNext})
		w.addrs[name] = ip
		w.AnswerAll(name, Answer{Addrs: []netip.Addr{ip}})
	}
	if network != "" {
		w.Dialer.Set(network, netip.AddrPortFrom(ip, uint16(port)).String(), Route{To: to})
	}
	return ip
}

// nmcliActiveCmdline is how netenv reads NetworkManager's active connections.
const nmcliActiveCmdline = "/usr/bin/nmcli -t -f NAME,UUID,TYPE,DEVICE connection show --active"

// SetNetworkManager makes out (the output of `nmcli -t -f
// NAME,UUID,TYPE,DEVICE connection show --active`) this world's active
// NetworkManager connections.
func (w *World) SetNetworkManager(out []byte) {
	w.Runner.Set(nmcliActiveCmdline, out, nil)
}

// gsettingsCmdline is how netenv reads GNOME's proxy settings.
const gsettingsCmdline = "/usr/bin/gsettings list-recursively org.gnome.system.proxy"

// SetDesktopProxy makes GNOME's proxy settings (the output of `gsettings
// list-recursively org.gnome.system.proxy`) what this world's Linux desktop
// has: a PAC URL in "auto" mode, or manual proxies.
func (w *World) SetDesktopProxy(gsettings string) {
	w.Runner.Set(gsettingsCmdline, []byte(gsettings), nil)
}

// Addr is the fake public address of an Apple name.
func (w *World) Addr(name string) netip.Addr { return w.addrs[name] }

// AnswerAll sets name's answer in the system and public resolvers alike.
func (w *World) AnswerAll(name string, a Answer) {
	w.DNS.Set(name, a)
	for _, p := range w.Public {
		p.Set(name, a)
	}
}

// Route redirects one of an Apple name's ports (a block, a black hole).
func (w *World) Route(name, network string, port int, r Route) {
	w.Dialer.Set(network, netip.AddrPortFrom(w.addrs[name], uint16(port)).String(), r)
}

// WriteHosts replaces the hosts file.
func (w *World) WriteHosts(content string) {
	if err := os.WriteFile(w.HostsFile, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// SetDefaultRoute writes a Linux routing table whose default route goes out
// iface; "" removes the default route.
func (w *World) SetDefaultRoute(iface string) {
	table := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
	if iface != "" {
		table += iface + "\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
	}
	table += "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
	if err := os.WriteFile(w.ProcRoute, []byte(table), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// AddRoute adds a route to prefix out iface to the routing table (IPv4 or
// IPv6 by prefix), as a VPN installing split defaults or a route to Apple's
// block does. SetDefaultRoute rewrites the IPv4 table without it.
func (w *World) AddRoute(prefix, iface string) {
	p := netip.MustParsePrefix(prefix).Masked()
	file, row := w.ProcRoute, ""
	if p.Addr().Is4() {
		le := func(a [4]byte) string { return fmt.Sprintf("%02X%02X%02X%02X", a[3], a[2], a[1], a[0]) }
		mask := [4]byte{}
		for i := range p.Bits() {
			mask[i/8] |= 0x80 >> (i % 8)
		}
		row = fmt.Sprintf("%s\t%s\t00000000\t0001\t0\t0\t0\t%s\t0\t0\t0\n", iface, le(p.Addr().As4()), le(mask))
	} else {
		file = w.ProcRoute6
		a := p.Addr().As16()
		row = fmt.Sprintf("%x %02x %032x 00 %032x 00000400 00000001 00000000 00000001 %8s\n", a[:], p.Bits(), 0, 0, iface)
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(row)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

// SetInterfaces replaces the interface list the link probe sees.
func (w *World) SetInterfaces(ifs []probes.Interface) { w.ifaces = ifs }

// TrustInspectionCA installs the inspection root in the "system" roots, as
// corporate IT does.
func (w *World) TrustInspectionCA() { w.roots = append(w.roots, w.Inspection) }

// InterceptTLS makes every sign-in host present a leaf from the inspection CA.
func (w *World) InterceptTLS() {
	for h, srv := range w.SignIn {
		srv.SetCertificate(w.Inspection.ValidLeaf(w.t, h))
	}
}

// SetFeed serves body as Apple's System Status feed.
func (w *World) SetFeed(body string) { w.Feed.SetBehavior(HTTPSBehavior{Body: body}) }

// FeedURL is the status feed's URL in this world.
func (w *World) FeedURL() string { return "https://www.apple.com" + FeedPath }

// Relay puts a path with opts between the Mac and one of an Apple name's
// ports (latency, an MTU black hole).
func (w *World) Relay(name string, port int, opts RelayOptions) *Relay {
	k := netip.AddrPortFrom(w.addrs[name], uint16(port)).String()
	to := w.Dialer.To("tcp", k)
	r := NewRelay(w.t, to, opts)
	w.Dialer.Set("tcp", k, Route{To: r.Addr()})
	return r
}

// InternetDown cuts everything beyond the local network: every public
// address is unreachable and the router's DNS fails.
func (w *World) InternetDown() {
	w.Dialer = NewMapDialer(w.DNS.Resolver()) // every route: unreachable
	w.DNS.SetDefault(Answer{Rcode: dnsmessage.RCodeServerFailure})
	for name := range w.addrs {
		w.DNS.Set(name, Answer{Rcode: dnsmessage.RCodeServerFailure}) // the router cannot forward
	}
}

// Env is the probes' view of this world.
func (w *World) Env() probes.Env {
	pool := w.roots[0].Pool()
	for _, ca := range w.roots[1:] {
		pool.AddCert(ca.Root().Cert)
	}
	vars := map[string]string{}
	for k, v := range w.Vars {
		vars[k] = v
	}
	ifs := append([]probes.Interface{}, w.ifaces...)
	return probes.Env{
		Dialer: w.Dialer,
		// probes.SmallSegmentsControl is a no-op where unsupported, and
		// a MaxSegment relay then passes everything: a consistent world.
		SmallSegments: w.Dialer.WithControl(probes.SmallSegmentsControl),
		Resolver:      w.DNS.Resolver(),
		RootCAs:       pool,
		// The world's Apple root is also its private PKI's (gdmf).
		AppleRoots:  w.Root.Pool(),
		Runner:      w.Runner,
		GOOS:        "linux",
		Now:         time.Now,
		Interfaces:  func() ([]probes.Interface, error) { return ifs, nil },
		ProcRoute:   w.ProcRoute,
		ProcRoute6:  w.ProcRoute6,
		SysClassNet: w.SysClassNet,
		Getenv:      func(k string) string { return vars[strings.ToUpper(k)] },
	}
}
