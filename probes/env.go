package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"time"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/netenv"
)

// Dialer opens connections. The real one is a net.Dialer; tests use one that
// maps the addresses Apple's names resolve to onto loopback servers.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Env is everything a probe touches outside the process. Probes get it from the
// caller so that the whole checklist runs against loopback fakes in tests.
type Env struct {
	Dialer Dialer
	// SmallSegments dials like Dialer, but its TCP connections advertise a
	// small MSS (SmallMSS) so that no large packet is ever sent to them; the
	// tls probe retries a stalled handshake with it. Nil where the OS cannot.
	SmallSegments Dialer
	// Resolver is the system resolver: what apps on this machine see.
	Resolver *net.Resolver
	// Lookups answers the probes' questions to Resolver once a cycle; nil
	// asks Resolver every time (outside a cycle).
	Lookups *Lookups
	// RootCAs verifies TLS chains; nil means the system roots.
	RootCAs *x509.CertPool
	// AppleRoots verifies the servers on Apple's private PKI
	// (gdmf.apple.com) instead of RootCAs; nil means the embedded Apple
	// Root CA alone (currency.AppleRoots).
	AppleRoots *x509.CertPool
	// Proxy is the proxy configuration the OS would apply, read once per cycle.
	Proxy netenv.ProxyConfig
	// ProxyErr is why Proxy could not be read, if it could not.
	ProxyErr error
	// PAC is the proxy auto-config file Proxy names (or WPAD finds), read
	// once per cycle; nil when none is configured.
	PAC *PACState
	// Runner executes the OS commands some probes parse (scutil, route, sw_vers).
	Runner command.Runner
	// GOOS selects the OS-specific readers; tests set "darwin" on Linux.
	GOOS string
	Now  func() time.Time
	// Interfaces lists network interfaces; nil means SystemInterfaces.
	Interfaces func() ([]Interface, error)
	// ProcRoute is Linux's routing table file; "" means /proc/net/route.
	ProcRoute string
	// ProcRoute6 is Linux's IPv6 routing table; "" means /proc/net/ipv6_route.
	ProcRoute6 string
	// SysClassNet is where Linux describes network devices (is one a tun or
	// WireGuard device?); "" means /sys/class/net.
	SysClassNet string
	// Getenv reads proxy variables; nil means an empty environment.
	Getenv func(string) string
}

// SmallMSS is the segment size the MTU retry advertises: 536 bytes, the
// size every IPv4 host must accept (RFC 879), far below any broken tunnel's
// MTU.
const SmallMSS = 536

// SystemEnv is the real machine, with cfg's overrides applied.
func SystemEnv(cfg Config) Env {
	dialer := &net.Dialer{}
	env := Env{
		Dialer:   dialer,
		Resolver: net.DefaultResolver,
		Runner:   command.Exec{},
		GOOS:     runtime.GOOS,
		Now:      time.Now,
		Getenv:   os.Getenv,
	}
	if smallSegmentsSupported {
		env.SmallSegments = &net.Dialer{Control: SmallSegmentsControl}
	}
	if cfg.SystemDNS != "" {
		env.Resolver = ResolverAt(dialer, cfg.SystemDNS)
	}
	return env
}

// ResolverAt is a resolver that sends every query to server (ip:port).
func ResolverAt(d Dialer, server string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, server)
		},
	}
}

// WithProxy reads the proxy settings the OS applies now into the returned Env.
func (e Env) WithProxy(ctx context.Context) Env {
	getenv := e.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	e.Proxy, e.ProxyErr = netenv.ReadProxy(ctx, e.Runner, e.GOOS, getenv)
	e.PAC = nil
	if e.Proxy.PACURL != "" || e.Proxy.AutoDiscovery {
		e.PAC = loadPAC(ctx, e)
	}
	return e
}

// Transport is an HTTP transport as the OS would use it (system proxy read
// now, system resolver and roots), for requests outside a probe cycle.
func Transport(ctx context.Context, env Env) *http.Transport {
	return newTransport(env.WithProxy(ctx), nil)
}

// newTransport is the transport the OS would use for a request: the cycle's
// proxy settings, the system resolver and roots. One per request, no
// keep-alives: a probe must measure a fresh connection every cycle.
func newTransport(env Env, d *resolvingDialer) *http.Transport {
	if d == nil {
		d = &resolvingDialer{env: env}
	}
	return &http.Transport{
		Proxy:              env.proxyFunc(),
		DialContext:        d.DialContext,
		TLSClientConfig:    &tls.Config{RootCAs: env.RootCAs},
		DisableKeepAlives:  true,
		DisableCompression: true,
		MaxIdleConns:       -1,
	}
}

// proxyFunc is what http.Transport.Proxy needs, from the cycle's proxy
// settings and PAC file.
func (e Env) proxyFunc() func(*http.Request) (*url.URL, error) {
	if e.PAC == nil {
		return e.Proxy.ProxyFunc()
	}
	return func(r *http.Request) (*url.URL, error) { return e.proxyFor(r.URL) }
}
