package probes

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Attempt is one network exchange with one target: where it went, how long
// each phase took, and how it failed.
type Attempt struct {
	Target  string `json:"target"`            // host:port as configured
	Address string `json:"address,omitempty"` // the ip:port actually reached (or last tried)
	OK      bool   `json:"ok"`
	Stage   string `json:"stage,omitempty"` // resolve, connect, tls, http: where it failed
	Class   Class  `json:"class,omitempty"`
	Error   string `json:"error,omitempty"`
	Phases  Phases `json:"phases_ms"`
}

func (a *Attempt) fail(stage string, err error) {
	a.OK = false
	a.Stage = stage
	a.Class = Classify(err)
	a.Error = err.Error()
}

// dialTimed resolves host with the system resolver and connects to the first
// address that answers, recording the resolve and connect phases separately
// (blackbox_exporter's split) so a slow DNS server is not blamed on Apple.
func dialTimed(ctx context.Context, env Env, network, host string, port int, a *Attempt) (net.Conn, error) {
	a.Target = net.JoinHostPort(host, strconv.Itoa(port))
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		start := time.Now()
		addrs, err = env.Resolver.LookupNetIP(ctx, "ip", host)
		a.Phases.Resolve = time.Since(start)
		if err == nil && len(addrs) == 0 {
			err = fmt.Errorf("resolve %s: no addresses", host)
		}
		if err != nil {
			a.fail("resolve", err)
			return nil, err
		}
	}
	start := time.Now()
	var lastErr error
	for _, ip := range addrs {
		addr := net.JoinHostPort(ip.Unmap().String(), strconv.Itoa(port))
		a.Address = addr
		conn, err := env.Dialer.DialContext(ctx, network, addr)
		if err == nil {
			a.Phases.Connect = time.Since(start)
			a.OK = true
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	a.Phases.Connect = time.Since(start)
	a.fail("connect", lastErr)
	return nil, lastErr
}

// resolvingDialer gives http.Transport a dialer that resolves with the system
// resolver first, so HTTP probes record a resolve phase whatever Dialer is used.
type resolvingDialer struct {
	env     Env
	resolve time.Duration
	connect time.Duration
	address string
	failed  string // the stage a failed dial stopped at
}

func (d *resolvingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: bad port", addr)
	}
	var a Attempt
	conn, err := dialTimed(ctx, d.env, network, host, port, &a)
	d.resolve, d.connect, d.address, d.failed = a.Phases.Resolve, a.Phases.Connect, a.Address, a.Stage
	return conn, err
}
