package probes

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beevik/ntp"

	"github.com/idpulse/idpulse/probes/catalog"
)

// ServicesEvidence is what the services probe found, one entry per Apple
// service of the catalogue (probes/catalog).
type ServicesEvidence struct {
	// Full is true when the whole catalogue was checked, false for the
	// default cycle's sample.
	Full bool `json:"full"`
	// Catalog is the catalogue's provenance (catalog.Stamp).
	Catalog  string          `json:"catalog"`
	Services []ServiceResult `json:"services"`
}

// ServiceResult is one Apple service: its hosts and what they add up to.
type ServiceResult struct {
	ID      catalog.ServiceID `json:"id"`
	Title   string            `json:"title"`
	Status  Status            `json:"status"` // ok | warn | fail | skip
	Summary string            `json:"summary"`
	Hosts   []HostResult      `json:"hosts"`
}

// HostResult is one host:port of a service, probed the way the catalogue
// says, on the path the OS takes.
type HostResult struct {
	Host     string         `json:"host"`
	Port     int            `json:"port"`
	Protocol string         `json:"protocol"`
	Probe    catalog.Method `json:"probe"`
	Status   Status         `json:"status"` // ok | fail
	// Path is "direct" or "via <proxy>".
	Path string `json:"path"`
	Attempt
	// Issuer and Interception are the TLS facts, for a tls probe that got
	// as far as a certificate.
	Issuer       string `json:"issuer,omitempty"`
	Interception bool   `json:"interception,omitempty"`
}

// Blocked reports whether the host failed the way a filter makes hosts
// fail: packets dropped or refused, its name answered with a sinkhole or
// denied, or its TLS answered by someone else. An HTTP error from a host
// that answered is not a block.
func (h HostResult) Blocked() bool {
	if h.OK {
		return false
	}
	switch h.Class {
	case ClassSinkhole, ClassNXDomain, ClassNoAnswer, ClassDNSRefused, ClassCertUntrusted, ClassCertHostname, ClassProxy:
		return true
	}
	return h.Interception || h.Class.IsNetworkFailure()
}

// Service returns the result for id, or nil when it was not checked.
func (e *ServicesEvidence) Service(id catalog.ServiceID) *ServiceResult {
	for i := range e.Services {
		if e.Services[i].ID == id {
			return &e.Services[i]
		}
	}
	return nil
}

// BlockedHosts is the service's hosts that Blocked.
func (s *ServiceResult) BlockedHosts() []HostResult {
	var out []HostResult
	for _, h := range s.Hosts {
		if h.Blocked() {
			out = append(out, h)
		}
	}
	return out
}

// servicesConcurrency bounds how many hosts are probed at once: the full
// catalogue is about sixty, and a Mac (or its proxy) should not see sixty
// simultaneous connections from a diagnostic.
const servicesConcurrency = 16

// Services checks Apple's services host by host: by default each service's
// sampled hosts, with All the whole catalogue. Sign-in's hosts are left out
// of the sample: reach, tls and https check them every cycle already.
type Services struct {
	Env            Env
	Hosts          []catalog.Host // the catalogue as configured
	All            bool
	TrustedIssuers []string
}

func (Services) ID() ID { return IDServices }

func (p Services) Run(ctx context.Context) Result {
	ev := &ServicesEvidence{Full: p.All, Catalog: catalog.Stamp()}
	var todo []catalog.Host
	for _, h := range p.Hosts {
		if p.All || (h.Sample && h.Service != catalog.SignIn) {
			todo = append(todo, h)
		}
	}
	results := make([]HostResult, len(todo))
	sem := make(chan struct{}, servicesConcurrency)
	var wg sync.WaitGroup
	for i, h := range todo {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				results[i] = p.check(ctx, h)
			case <-ctx.Done():
				results[i] = notStarted(h, ctx.Err())
			}
		})
	}
	wg.Wait()

	for _, svc := range catalog.Services() {
		sr := ServiceResult{ID: svc.ID, Title: svc.Title, Hosts: []HostResult{}}
		configured := false
		for i, h := range todo {
			if h.Service == svc.ID {
				sr.Hosts = append(sr.Hosts, results[i])
			}
		}
		for _, h := range p.Hosts {
			configured = configured || h.Service == svc.ID
		}
		if !configured {
			continue // disabled in configuration
		}
		sr.Status, sr.Summary = judgeService(svc.ID, sr.Hosts)
		ev.Services = append(ev.Services, sr)
	}

	res := Result{Evidence: ev, Status: StatusOK}
	var bad []string
	checked := 0
	for _, s := range ev.Services {
		switch s.Status {
		case StatusSkip:
			continue
		case StatusFail:
			res.Status = StatusFail
			bad = append(bad, string(s.ID)+" fails")
		case StatusWarn:
			if res.Status == StatusOK {
				res.Status = StatusWarn
			}
			bad = append(bad, string(s.ID)+" partly fails")
		}
		checked++
	}
	scope := "sampled"
	if p.All {
		scope = "all"
	}
	switch {
	case checked == 0:
		res.Status, res.Summary = StatusSkip, "no Apple service to check"
	case len(bad) == 0:
		res.Summary = fmt.Sprintf("%d services reachable (%s hosts, %d checked)", checked, scope, len(todo))
	default:
		res.Summary = fmt.Sprintf("%d services checked (%s hosts): %s", checked, scope, strings.Join(bad, ", "))
	}
	return res
}

func judgeService(id catalog.ServiceID, hosts []HostResult) (Status, string) {
	if len(hosts) == 0 {
		if id == catalog.SignIn {
			return StatusSkip, "checked by the reach, tls and https probes"
		}
		return StatusSkip, "no host checked"
	}
	var failed []HostResult
	for _, h := range hosts {
		if h.Status != StatusOK {
			failed = append(failed, h)
		}
	}
	switch {
	case len(failed) == 0:
		return StatusOK, fmt.Sprintf("%d of %d hosts reachable", len(hosts), len(hosts))
	case len(failed) == len(hosts):
		f := failed[0]
		return StatusFail, fmt.Sprintf("all %d hosts fail: %s %s at %s", len(hosts), f.Target, f.Class, f.Stage)
	default:
		f := failed[0]
		return StatusWarn, fmt.Sprintf("%d of %d hosts fail: %s %s at %s", len(failed), len(hosts), f.Target, f.Class, f.Stage)
	}
}

func notStarted(h catalog.Host, err error) HostResult {
	r := HostResult{Host: h.Host, Port: h.Port, Protocol: h.Network(), Probe: h.Probe, Path: "direct"}
	r.Target = net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
	r.fail("connect", fmt.Errorf("%s: not started before the deadline: %w", r.Target, err))
	r.Status = StatusFail
	return r
}

// check probes one host on the path the OS takes to it.
func (p Services) check(ctx context.Context, h catalog.Host) HostResult {
	r := HostResult{Host: h.Host, Port: h.Port, Protocol: h.Network(), Probe: h.Probe}
	switch h.Probe {
	case catalog.MethodTLS:
		var hs TLSHandshake
		t := TLS{Env: p.Env, Port: h.Port, TrustedIssuers: p.TrustedIssuers}
		if h.Direct {
			conn, err := dialTCP(ctx, p.Env, h.Host, h.Port, &hs.Attempt)
			if err == nil {
				t.shake(ctx, conn, h.Host, &hs)
				conn.Close()
			}
		} else {
			t.handshake(ctx, h.Host, &hs)
		}
		r.Attempt, r.Issuer, r.Interception = hs.Attempt, hs.Issuer, hs.Interception
	case catalog.MethodHTTP:
		r.Attempt = p.httpCheck(ctx, h)
	case catalog.MethodNTP:
		r.Attempt = p.ntpCheck(ctx, h)
	default:
		dial := dialTCP
		if !h.Direct && h.Port == 443 {
			dial = dialApple
		}
		if conn, err := dial(ctx, p.Env, h.Host, h.Port, &r.Attempt); err == nil {
			conn.Close()
		}
	}
	r.Path = "direct"
	if r.Via != "" {
		r.Path = "via " + r.Via
	}
	if !r.OK && r.Via == "" && r.Address != "" {
		// A name answered with an address Apple cannot be at is a DNS
		// filter, whatever then failed at that address. Only on a failure:
		// a private address that answers genuinely (a ULA network's IPv6,
		// a content cache) is not one.
		if ap, err := netip.ParseAddrPort(r.Address); err == nil && IsSinkhole(ap.Addr()) {
			r.OK, r.Stage, r.Class = false, "resolve", ClassSinkhole
			r.Error = fmt.Sprintf("%s resolves to %s, a sinkhole", h.Host, ap.Addr())
		}
	}
	r.Status = StatusFail
	if r.OK {
		r.Status = StatusOK
	}
	return r
}

// httpCheck sends one HEAD request over plain HTTP through the transport the
// OS would use (its HTTP proxy included); any HTTP answer counts.
func (p Services) httpCheck(ctx context.Context, h catalog.Host) Attempt {
	u := &url.URL{Scheme: "http", Host: net.JoinHostPort(h.Host, strconv.Itoa(h.Port)), Path: "/"}
	a := Attempt{Target: u.Host}
	if pu, err := p.Env.proxyFor(u); err == nil && pu != nil {
		a.Via = pu.Host
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u.String(), nil)
	if err != nil {
		a.fail("request", err)
		return a
	}
	var t traceTimes
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.mark(&t.wrote) },
		GotFirstResponseByte: func() { t.mark(&t.firstByte) },
	}))
	dialer := &resolvingDialer{env: p.Env}
	client := &http.Client{
		Transport:     newTransport(p.Env, dialer),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	_, _, wrote, firstByte := t.snapshot()
	if !wrote.IsZero() && !firstByte.IsZero() {
		a.Phases.FirstByte = firstByte.Sub(wrote)
	}
	var failed string
	a.Phases.Resolve, a.Phases.Connect, a.Address, failed = dialer.result()
	if err != nil {
		a.fail(cmp.Or(failed, "http"), err)
		return a
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	a.OK = true
	return a
}

// ntpCheck asks the host for the time: the one way to know UDP 123 gets
// through, since an unanswered UDP datagram looks like success to a
// connect.
func (p Services) ntpCheck(ctx context.Context, h catalog.Host) Attempt {
	a := Attempt{Target: net.JoinHostPort(h.Host, strconv.Itoa(h.Port))}
	timeout := 2 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	var mu sync.Mutex
	start := time.Now()
	resp, err := ntp.QueryWithOptions(a.Target, ntp.QueryOptions{
		Timeout: timeout,
		Dialer: func(_, _ string) (net.Conn, error) {
			var d Attempt
			conn, err := dialTimed(ctx, p.Env, "udp", h.Host, h.Port, &d)
			mu.Lock()
			a.Address, a.Phases.Resolve, a.Phases.Connect = d.Address, d.Phases.Resolve, d.Phases.Connect
			mu.Unlock()
			return conn, err
		},
	})
	mu.Lock()
	defer mu.Unlock()
	if err == nil {
		err = resp.Validate()
	}
	if err != nil {
		a.fail("ntp", fmt.Errorf("ntp %s: %w", a.Target, err))
		return a
	}
	a.Phases.FirstByte = time.Since(start) - a.Phases.Resolve - a.Phases.Connect
	a.OK = true
	return a
}

// catalogueFor is the configured catalogue for the services probe.
func (c Config) catalogueFor() []catalog.Host {
	return c.Services.Apply(catalog.Hosts())
}
