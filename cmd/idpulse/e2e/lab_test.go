//go:build linux

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
	"github.com/idpulse/idpulse/probes/probetest/pathlab"
)

// labWorld is fakeHosts' Internet inside a pathlab lab: the binary runs in
// the client namespace, every fake server listens in the server namespace
// (on addresses added to its lo, opened from this process with
// Server.Listen), and every packet between them crosses the lab's TUN wire,
// where Faults delay or drop it. Unlike newNetns's single namespace, the
// path here is a real one: latency, MTU black holes and a dead IPv6 happen
// to the binary's own sockets. The client's default routes go through a
// TUN device, which is what a full-tunnel VPN looks like: every lab
// verdict carries the vpn_active finding, rightly.
type labWorld struct {
	*pathlab.Lab
	tb   testing.TB
	opts labOptions
	dir  string // scratch: config, CA, HOME, XDG_CONFIG_HOME

	caFile     string
	Inspection *probetest.CA // a content filter's or inspection box's root, not trusted

	Router *probetest.DNSServer   // the system resolver (resolv.conf)
	Public []*probetest.DNSServer // 1.1.1.1 and 8.8.8.8

	// env is added to the binary's environment (proxy variables, GNOME
	// settings).
	env []string
	// onLo are the addresses added to the server's lo.
	onLo map[netip.Addr]bool
}

// labOptions say how the lab's path behaves and what the world serves.
type labOptions struct {
	pathlab.Options
	// IPv6 gives the HTTPS hosts (sign-in and feed) AAAA answers too, at
	// ULA addresses on the server's lo (ipv6Of) where the same servers
	// listen.
	IPv6 bool
}

// labResolvConf names the router's resolver; Go's resolver then uses its
// own defaults (5 s timeout, 2 attempts), as on a real machine.
const labResolvConf = "nameserver " + routerDNS + "\n"

const labHosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

// ipv6Of is the ULA address of fakeHosts[i] in an IPv6 lab.
func ipv6Of(i int) netip.Addr {
	return netip.AddrFrom16([16]byte{0xfd, 0x00, 0, 0x17, 15: byte(1 + i)})
}

// newLabWorld builds a lab and its healthy fake Internet. The caller breaks
// one thing (a resolver's answers, a proxy, the Faults) before check.
func newLabWorld(t *testing.T, opts labOptions) *labWorld {
	t.Helper()
	requireNetns(t) // TestMain built the binary
	opts.ResolvConf, opts.Hosts = labResolvConf, labHosts
	w := &labWorld{
		Lab:        pathlab.New(t, opts.Options),
		tb:         t,
		opts:       opts,
		dir:        t.TempDir(),
		Inspection: probetest.InspectionCA(t),
		onLo:       map[netip.Addr]bool{},
	}
	root, inter := probetest.AppleLikeChain(t)
	w.caFile = filepath.Join(w.dir, "ca.pem")
	if err := os.WriteFile(w.caFile, root.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}

	w.Router = w.dnsServer(routerDNS)
	resolvers := []*probetest.DNSServer{w.Router}
	for _, ip := range publicIPs {
		d := w.dnsServer(ip)
		w.Public = append(w.Public, d)
		resolvers = append(resolvers, d)
		probetest.NewTCPListenerOn(t, w.listen(ip, httpsPort)) // control target
	}
	for i, h := range fakeHosts {
		addrs := []netip.Addr{netip.MustParseAddr(h.addr)}
		if opts.IPv6 && h.role == roleHTTPS {
			addrs = append(addrs, ipv6Of(i))
		}
		for _, r := range resolvers {
			r.Set(h.name, probetest.Answer{Addrs: addrs})
		}
		switch h.role {
		case roleHTTPS:
			cert := inter.ValidLeaf(t, h.name)
			servers := []*probetest.HTTPSServer{probetest.NewHTTPSServerOn(t, w.listen(h.addr, httpsPort), cert)}
			if opts.IPv6 {
				servers = append(servers, probetest.NewHTTPSServerOn(t, w.listen(ipv6Of(i).String(), httpsPort), cert))
			}
			if h.name == feedHost {
				for _, s := range servers {
					s.SetBehavior(probetest.HTTPSBehavior{Body: probetest.HealthyFeed})
				}
			}
		case rolePush:
			probetest.NewTCPListenerOn(t, w.listen(h.addr, pushPort))
			probetest.NewTCPListenerOn(t, w.listen(h.addr, httpsPort)) // APNs' fallback
		case roleCaptive:
			probetest.NewCaptiveServerOn(t, w.listen(h.addr, captivePort))
		case roleNTP:
			probetest.NewNTPServerOn(t, w.listenPacket(h.addr, ntpPort))
		}
	}
	return w
}

// addAddress puts ip on the server's lo, once.
func (w *labWorld) addAddress(ip string) {
	w.tb.Helper()
	a := netip.MustParseAddr(ip)
	if w.onLo[a] {
		return
	}
	if err := w.Server.AddAddress(netip.PrefixFrom(a, a.BitLen())); err != nil {
		w.tb.Fatal(err)
	}
	w.onLo[a] = true
}

// listen opens a TCP listener on ip:port in the server namespace, adding ip
// to its lo first.
func (w *labWorld) listen(ip string, port int) net.Listener {
	w.tb.Helper()
	return serverSocket(w, ip, port, w.Server.Listen, "tcp")
}

// listenPacket is listen for UDP.
func (w *labWorld) listenPacket(ip string, port int) net.PacketConn {
	w.tb.Helper()
	return serverSocket(w, ip, port, w.Server.ListenPacket, "udp")
}

// serverSocket opens a socket on ip:port with open, in the server
// namespace, after adding ip to its lo.
func serverSocket[S any](w *labWorld, ip string, port int, open func(network, addr string) (S, error), network string) S {
	w.tb.Helper()
	w.addAddress(ip)
	s, err := open(network, hostPort(ip, port))
	if err != nil {
		w.tb.Fatal(err)
	}
	return s
}

// dnsServer is a DNS server on ip:53 (UDP and TCP) in the server namespace.
func (w *labWorld) dnsServer(ip string) *probetest.DNSServer {
	w.tb.Helper()
	pc := w.listenPacket(ip, dnsPort)
	ln, err := w.Server.Listen("tcp", hostPort(ip, dnsPort))
	if err != nil {
		w.tb.Fatal(err)
	}
	return probetest.NewDNSServerOn(w.tb, pc, ln)
}

// routerAnswersAll makes the router's resolver answer a for every name,
// the control name and the feed's included.
func (w *labWorld) routerAnswersAll(a probetest.Answer) {
	w.Router.SetDefault(a)
	for _, h := range fakeHosts {
		w.Router.Set(h.name, a)
	}
}

// proxy starts an HTTP proxy answering in mode on ip:port in the server
// namespace. What it tunnels it dials inside the server namespace.
func (w *labWorld) proxy(ip string, port int, mode probetest.ProxyMode) *probetest.ConnectProxy {
	w.tb.Helper()
	p := probetest.NewConnectProxyOn(w.tb, w.listen(ip, port), serverDialer{w.Server})
	p.SetMode(mode)
	return p
}

// serverDialer dials from the server namespace, where the fake Internet
// is: a proxy's upstream. Names are fakeHosts'.
type serverDialer struct{ ns *pathlab.Namespace }

func (d serverDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err != nil {
		if host = addrOf(host); host == "" {
			return nil, fmt.Errorf("serverDialer: %s is not in the fake Internet", address)
		}
	}
	return d.ns.Dial(ctx, nil, network, net.JoinHostPort(host, port))
}

// gnomeProxy writes GNOME's proxy settings (key → GVariant text of
// org.gnome.system.proxy) to a keyfile backend, which gsettings reads when
// the binary runs with GSETTINGS_BACKEND=keyfile: the format is what
// `gsettings set` writes there. It fails (or skips) the test when
// gsettings or GNOME's proxy schema is missing, and checks that gsettings
// reads the file back as mode 'auto' would be read on a desktop.
func (w *labWorld) gnomeProxy(keys map[string]string) {
	w.tb.Helper()
	gsettings := probetest.RequireTool(w.tb, requireEnv, "gsettings", "apt-get install libglib2.0-bin gsettings-desktop-schemas")
	xdg := filepath.Join(w.dir, "xdg")
	var b strings.Builder
	b.WriteString("[system/proxy]\n")
	for k, v := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	file := filepath.Join(xdg, "glib-2.0", "settings", "keyfile")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		w.tb.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		w.tb.Fatal(err)
	}
	w.env = append(w.env, "GSETTINGS_BACKEND=keyfile", "XDG_CONFIG_HOME="+xdg)

	cmd := exec.Command(gsettings, "list-recursively", "org.gnome.system.proxy")
	cmd.Env = append(w.baseEnv(), w.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		probetest.Require(w.tb, requireEnv, fmt.Errorf("gsettings list-recursively org.gnome.system.proxy: %w: %s", err, bytes.TrimSpace(out)),
			"apt-get install gsettings-desktop-schemas")
	}
	for k, v := range keys {
		if line := "org.gnome.system.proxy " + k + " " + v; !bytes.Contains(out, []byte(line)) {
			w.tb.Fatalf("gsettings does not read the keyfile: want %q in\n%s", line, out)
		}
	}
}

// writeConfig writes the binary's configuration: the shipped defaults
// (deadline, timeouts, targets), with the status feed at its fake host.
func (w *labWorld) writeConfig() string {
	w.tb.Helper()
	path := filepath.Join(w.dir, "config.json")
	cfg := `{"apple_status": {"url": "` + feedURL + `"}}` + "\n"
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		w.tb.Fatal(err)
	}
	return path
}

// baseEnv is the binary's environment without w.env: no proxy variables,
// the lab's CA as the only trust anchor.
func (w *labWorld) baseEnv() []string {
	return []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + w.dir,
		"NO_COLOR=1",
		"SSL_CERT_FILE=" + w.caFile,
		"SSL_CERT_DIR=" + w.dir, // no *.pem there: the system's roots stay out
	}
}

// check runs `idpulse check --json` in the client namespace.
func (w *labWorld) check() checkRun {
	w.tb.Helper()
	cfg := w.writeConfig()
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	cmd := w.Client.Command(ctx, binPath, "check", "--json", "--config", cfg)
	cmd.Env = append(w.baseEnv(), w.env...)
	return runCheck(w.tb, ctx, cmd, w.Client.Name)
}

// TestLabWorldCoversDefaults keeps the lab in step with the binary's
// defaults, which it runs with unchanged: the DNS control name must be one
// of fakeHosts, so that every lab resolver answers it. It needs no root.
func TestLabWorldCoversDefaults(t *testing.T) {
	if c := probes.DefaultConfig().DNSControl; addrOf(c) == "" {
		t.Errorf("the default dns_control %q has no fake address: add it to fakeHosts", c)
	}
}
