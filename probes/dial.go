package probes

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Attempt is one network exchange with one target: where it went, how long
// each phase took, and how it failed.
type Attempt struct {
	Target  string `json:"target"`            // host:port as configured
	Address string `json:"address,omitempty"` // the ip:port actually reached (or last tried)
	// Via is the proxy the exchange went through ("" = direct): a rule may
	// conclude only what this path supports.
	Via    string `json:"via,omitempty"`
	OK     bool   `json:"ok"`
	Stage  string `json:"stage,omitempty"` // resolve, connect, tls, http: where it failed
	Class  Class  `json:"class,omitempty"`
	Error  string `json:"error,omitempty"`
	Phases Phases `json:"phases_ms"`
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
		addrs, err = env.lookup(ctx, host)
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
	conn, addr, err := raceDial(ctx, env.Dialer, network, addrs, port)
	a.Phases.Connect = time.Since(start)
	a.Address = addr
	if err != nil {
		a.fail("connect", err)
		return nil, err
	}
	a.OK = true
	return conn, nil
}

// fallbackDelay is RFC 8305's Connection Attempt Delay: how long one attempt
// runs alone before the next address starts beside it. macOS uses about the
// same, so a dead address family costs what it costs the OS, not the budget.
const fallbackDelay = 250 * time.Millisecond

// raceDial connects the way the OS does (Happy Eyeballs, RFC 8305): addresses
// in interleave's order, a new attempt every fallbackDelay or as soon as the
// previous one fails, the first connection wins and the others are
// cancelled. It returns the address that answered, or, on failure, the one
// whose error it reports: the first that failed for a reason other than a
// timeout (a refusal says more than silence), else the first.
func raceDial(ctx context.Context, d Dialer, network string, addrs []netip.Addr, port int) (net.Conn, string, error) {
	addrs = interleave(addrs)
	hostPort := func(ip netip.Addr) string { return net.JoinHostPort(ip.Unmap().String(), strconv.Itoa(port)) }
	if len(addrs) == 1 || baseNetwork(network) == "udp" {
		// A UDP "connection" is a local operation: nothing to race.
		addr := hostPort(addrs[0])
		conn, err := d.DialContext(ctx, network, addr)
		return conn, addr, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		i    int
		conn net.Conn
		err  error
	}
	results := make(chan outcome, len(addrs))
	start := func(i int) {
		go func() {
			conn, err := d.DialContext(ctx, network, hostPort(addrs[i]))
			results <- outcome{i, conn, err}
		}()
	}
	next, running := 1, 1
	start(0)
	delay := time.NewTimer(fallbackDelay)
	defer delay.Stop()
	errs := make([]error, len(addrs))
	for running > 0 {
		select {
		case <-delay.C:
			if next < len(addrs) {
				start(next)
				next++
				running++
				delay.Reset(fallbackDelay)
			}
		case r := <-results:
			running--
			if r.err == nil {
				cancel()
				// Late winners are closed as they arrive.
				go func(n int) {
					for range n {
						if late := <-results; late.conn != nil {
							late.conn.Close()
						}
					}
				}(running)
				return r.conn, hostPort(addrs[r.i]), nil
			}
			errs[r.i] = r.err
			if next < len(addrs) && ctx.Err() == nil {
				start(next)
				next++
				running++
				delay.Reset(fallbackDelay)
			}
		}
	}
	pick := -1
	for i, err := range errs {
		if err == nil {
			continue
		}
		if pick < 0 || (Classify(errs[pick]) == ClassTimeout && Classify(err) != ClassTimeout) {
			pick = i
		}
	}
	return nil, hostPort(addrs[pick]), errs[pick]
}

// interleave orders addresses as RFC 8305 section 4 does: IPv6 first, then
// the families alternating, each family in the resolver's order.
func interleave(addrs []netip.Addr) []netip.Addr {
	var v6, v4 []netip.Addr
	for _, a := range addrs {
		if a.Unmap().Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < len(v6) || i < len(v4); i++ {
		if i < len(v6) {
			out = append(out, v6[i])
		}
		if i < len(v4) {
			out = append(out, v4[i])
		}
	}
	return out
}

// baseNetwork is "tcp" for "tcp", "tcp4" and "tcp6", likewise "udp".
func baseNetwork(network string) string { return strings.TrimRight(network, "46") }

// resolvingDialer gives http.Transport a dialer that resolves with the system
// resolver first, so HTTP probes record a resolve phase whatever Dialer is used.
type resolvingDialer struct {
	env Env

	// The transport dials on its own goroutines, which may still run
	// after the request gave up: the outcome is kept under a lock.
	mu      sync.Mutex
	resolve time.Duration
	connect time.Duration
	address string
	failed  string // the stage a failed dial stopped at
	// pending is the stage a dial is in while it runs. The transport gives
	// up on a request at its deadline without waiting for the dial, so a
	// request that failed during a dial that never finished failed there
	// (a DNS timeout is "resolve", not the TLS after it).
	pending string
}

// result is the last dial's phases, address and failed stage: the stage
// it is in if it has not finished.
func (d *resolvingDialer) result() (resolve, connect time.Duration, address, failed string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	failed = d.failed
	if d.pending != "" {
		failed = d.pending
	}
	return d.resolve, d.connect, d.address, failed
}

func (d *resolvingDialer) enter(stage string) {
	d.mu.Lock()
	d.pending = stage
	d.mu.Unlock()
}

// stageDialer tells the resolvingDialer that the resolve is over when the
// first connection attempt starts.
type stageDialer struct {
	Dialer
	d *resolvingDialer
}

func (s stageDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	s.d.enter("connect")
	return s.Dialer.DialContext(ctx, network, addr)
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
	d.enter("resolve")
	env := d.env
	env.Dialer = stageDialer{Dialer: env.Dialer, d: d}
	var a Attempt
	conn, err := dialTimed(ctx, env, network, host, port, &a)
	d.mu.Lock()
	d.resolve, d.connect, d.address, d.failed = a.Phases.Resolve, a.Phases.Connect, a.Address, a.Stage
	d.pending = ""
	d.mu.Unlock()
	return conn, err
}
