package probes

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"time"

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
	// Resolver is the system resolver: what apps on this machine see.
	Resolver *net.Resolver
	// RootCAs verifies TLS chains; nil means the system roots.
	RootCAs *x509.CertPool
	// Proxy is the proxy configuration the OS would apply, read once per cycle.
	Proxy netenv.ProxyConfig
	// ProxyErr is why Proxy could not be read, if it could not.
	ProxyErr error
	// Runner executes the OS commands some probes parse (scutil, route, sw_vers).
	Runner netenv.Runner
	// GOOS selects the OS-specific readers; tests set "darwin" on Linux.
	GOOS string
	Now  func() time.Time
}

// SystemEnv is the real machine.
func SystemEnv() Env {
	return Env{
		Dialer:   &net.Dialer{},
		Resolver: net.DefaultResolver,
		Runner:   netenv.Exec{},
		GOOS:     runtime.GOOS,
		Now:      time.Now,
	}
}

// proxyFunc is what http.Transport.Proxy needs, from the cycle's proxy settings.
func (e Env) proxyFunc() func(*http.Request) (*url.URL, error) {
	return e.Proxy.ProxyFunc()
}
