package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TLSHandshake is one TLS handshake with a sign-in host.
type TLSHandshake struct {
	Attempt
	Verified  bool     `json:"verified"`
	Issuer    string   `json:"issuer,omitempty"`     // the leaf's issuer, as "CN, O"
	IssuerOrg string   `json:"issuer_org,omitempty"` // the leaf's issuer organisation
	Chain     []string `json:"chain,omitempty"`      // subjects as presented, leaf first
	// TrustedIssuer is true when the issuer is one Apple uses.
	TrustedIssuer bool `json:"trusted_issuer"`
	// Interception is true when someone other than Apple's CAs answered for
	// Apple: an inspection proxy re-signing traffic, which Apple refuses.
	Interception bool `json:"interception"`
	// Validity is "expired" or "not_yet_valid" when the chain failed on time:
	// with a genuine issuer that points at this Mac's clock.
	Validity  string    `json:"validity,omitempty"`
	NotBefore time.Time `json:"not_before,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
	// SmallSegments is a second handshake, started when this one stalled
	// after TCP connected, over a connection that advertises SmallMSS: when
	// it completes while the normal one does not, the path drops large
	// packets (an MTU black hole).
	SmallSegments *Attempt `json:"small_segments,omitempty"`
}

// MTUBlackhole reports whether the handshake stalled with normal segments
// and completed with small ones.
func (h *TLSHandshake) MTUBlackhole() bool {
	return !h.OK && h.Stage == "tls" && h.SmallSegments != nil && h.SmallSegments.OK
}

// TLSEvidence is what the tls probe found.
type TLSEvidence struct {
	Hosts []TLSHandshake `json:"hosts"`
}

// Interception returns the first intercepted handshake, or nil.
func (e *TLSEvidence) Interception() *TLSHandshake {
	for i := range e.Hosts {
		if e.Hosts[i].Interception {
			return &e.Hosts[i]
		}
	}
	return nil
}

// CertTime returns the first handshake that failed on certificate dates, or nil.
func (e *TLSEvidence) CertTime() *TLSHandshake {
	for i := range e.Hosts {
		if e.Hosts[i].Class == ClassCertTime {
			return &e.Hosts[i]
		}
	}
	return nil
}

// MTUBlackhole returns the first handshake that only small segments
// completed, or nil.
func (e *TLSEvidence) MTUBlackhole() *TLSHandshake {
	for i := range e.Hosts {
		if e.Hosts[i].MTUBlackhole() {
			return &e.Hosts[i]
		}
	}
	return nil
}

// GenuineOK reports whether at least one handshake verified with a genuine issuer.
func (e *TLSEvidence) GenuineOK() bool {
	for _, h := range e.Hosts {
		if h.genuine() {
			return true
		}
	}
	return false
}

// TLS performs a handshake with SNI to each sign-in host and verifies the
// chain against the system roots. It verifies by hand, after the handshake,
// so that an untrusted chain still yields its issuer as evidence.
type TLS struct {
	Env            Env
	Hosts          []string
	Port           int
	TrustedIssuers []string
}

func (TLS) ID() ID { return IDTLS }

func (p TLS) Run(ctx context.Context) Result {
	ev := &TLSEvidence{Hosts: make([]TLSHandshake, len(p.Hosts))}
	var wg sync.WaitGroup
	for i, host := range p.Hosts {
		wg.Go(func() { p.handshake(ctx, host, &ev.Hosts[i]) })
	}
	wg.Wait()

	res := Result{Evidence: ev}
	ok := 0
	for _, h := range ev.Hosts {
		if h.OK && h.TrustedIssuer {
			ok++
		}
	}
	switch {
	case ev.Interception() != nil:
		h := ev.Interception()
		res.Status, res.Summary = StatusFail, fmt.Sprintf("TLS to %s intercepted: issued by %s", h.Target, h.Issuer)
	case ev.CertTime() != nil:
		h := ev.CertTime()
		res.Status, res.Summary = StatusFail, fmt.Sprintf("certificate for %s is %s on this Mac's clock", h.Target, strings.ReplaceAll(h.Validity, "_", " "))
	case ok < len(ev.Hosts):
		var bad TLSHandshake
		for _, h := range ev.Hosts {
			if !h.OK {
				bad = h
				break
			}
		}
		res.Status, res.Summary = StatusFail, fmt.Sprintf("TLS to %s failed at %s (%s)", bad.Target, bad.Stage, bad.Class)
	default:
		res.Status, res.Summary = StatusOK, fmt.Sprintf("%d genuine handshakes (%s)", ok, ev.Hosts[0].Issuer)
	}
	return res
}

func (p TLS) handshake(ctx context.Context, host string, h *TLSHandshake) {
	conn, err := dialApple(ctx, p.Env, host, p.Port, &h.Attempt)
	if err != nil {
		return
	}
	defer conn.Close()
	p.shake(ctx, conn, host, h)
}

// handshakeAt is handshake to one given address instead of host's.
func (p TLS) handshakeAt(ctx context.Context, host string, ip netip.Addr, h *TLSHandshake) {
	h.Target = net.JoinHostPort(host, strconv.Itoa(p.Port))
	if !ip.IsValid() {
		h.fail("resolve", fmt.Errorf("tls %s: no address to try", host))
		return
	}
	h.Address = net.JoinHostPort(ip.String(), strconv.Itoa(p.Port))
	start := time.Now()
	conn, err := p.Env.Dialer.DialContext(ctx, "tcp", h.Address)
	h.Phases.Connect = time.Since(start)
	if err != nil {
		h.fail("connect", err)
		return
	}
	defer conn.Close()
	h.OK = true // connected; shake clears it on a failure
	p.shake(ctx, conn, host, h)
}

// genuine reports whether the handshake verified with an issuer Apple uses.
func (h *TLSHandshake) genuine() bool { return h.OK && h.Verified && h.TrustedIssuer }

// shake runs the TLS handshake over conn and judges the chain.
func (p TLS) shake(ctx context.Context, conn net.Conn, host string, h *TLSHandshake) {
	var err error
	cfg := &tls.Config{
		ServerName: host,
		// Verification happens below, by hand, so that a rejected chain can
		// still be described; the connection carries no data either way.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS12,
	}
	tc := tls.Client(conn, cfg)
	start := time.Now()
	err = p.watchedHandshake(ctx, tc, cfg, h)
	h.Phases.TLS = time.Since(start)
	if err != nil {
		h.fail("tls", err)
		if h.SmallSegments != nil && h.SmallSegments.OK {
			h.Class = ClassTimeout
			h.Error = fmt.Sprintf("TLS handshake with %s stalled for %s after TCP connected; with %d-byte segments it completed in %s",
				host, HumanDuration(h.Phases.TLS), SmallMSS, HumanDuration(h.SmallSegments.Phases.TLS))
		}
		return
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		h.fail("tls", fmt.Errorf("tls %s: no certificate presented", host))
		return
	}
	leaf := certs[0]
	for _, c := range certs {
		h.Chain = append(h.Chain, describeName(c.Subject.CommonName, c.Subject.Organization))
	}
	h.Issuer = describeName(leaf.Issuer.CommonName, leaf.Issuer.Organization)
	h.IssuerOrg = strings.Join(leaf.Issuer.Organization, ", ")
	h.NotBefore, h.NotAfter = leaf.NotBefore, leaf.NotAfter
	h.TrustedIssuer = issuerTrusted(leaf, p.TrustedIssuers)

	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	now := time.Now()
	if p.Env.Now != nil {
		now = p.Env.Now()
	}
	_, err = leaf.Verify(x509.VerifyOptions{
		Roots:         p.Env.RootCAs,
		Intermediates: inter,
		DNSName:       host,
		CurrentTime:   now,
	})
	if err != nil {
		h.fail("verify", fmt.Errorf("verify %s: %w", host, err))
		switch h.Class {
		case ClassCertTime:
			h.Validity = validity(certs, now)
		case ClassCertUntrusted, ClassCertHostname:
			// Nobody but Apple's CAs can present a valid chain for Apple's
			// names, so an untrusted or mismatched chain that got this far
			// is someone in the middle.
			h.Interception = true
		}
		return
	}
	h.Verified = true
	if !h.TrustedIssuer {
		// Verified against the system roots, yet not issued by a CA Apple
		// uses: a corporate inspection root installed on this Mac.
		h.Interception = true
		h.Class = ClassCertUntrusted
		h.Stage = "verify"
		h.Error = "chain verified by a root that is not one Apple uses: " + h.Issuer
		h.OK = false
	}
}

func issuerTrusted(leaf *x509.Certificate, trusted []string) bool {
	for _, org := range leaf.Issuer.Organization {
		for _, t := range trusted {
			if strings.EqualFold(strings.TrimSpace(org), strings.TrimSpace(t)) {
				return true
			}
		}
	}
	return false
}

func validity(certs []*x509.Certificate, now time.Time) string {
	for _, c := range certs {
		if now.Before(c.NotBefore) {
			return "not_yet_valid"
		}
	}
	return "expired"
}

func describeName(cn string, org []string) string {
	if len(org) == 0 {
		return cn
	}
	if cn == "" {
		return strings.Join(org, ", ")
	}
	return cn + ", " + strings.Join(org, ", ")
}

// stallAfter is how long a handshake may go without completing before the
// small-segment retry starts beside it: a handshake takes one or two round
// trips, so max(1 s, 4 × the TCP connect time) is a stall on any path,
// slow ones included.
func stallAfter(connect time.Duration) time.Duration { return max(time.Second, 4*connect) }

// watchedHandshake runs tc's handshake; when it stalls (stallAfter) and the
// environment can dial with small segments, it races a second handshake to
// the same address over such a connection. The small one completing first
// is the evidence of an MTU black hole: the normal handshake is then given
// up at once instead of eating the probe's whole budget.
func (p TLS) watchedHandshake(ctx context.Context, tc *tls.Conn, cfg *tls.Config, h *TLSHandshake) error {
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- tc.HandshakeContext(hctx) }()
	if p.Env.SmallSegments == nil || h.Via != "" {
		// No small-segment dialer here, or the path is the proxy's: its
		// MTU is the proxy's business, not this Mac's.
		return <-done
	}
	stall := time.NewTimer(stallAfter(h.Phases.Connect))
	defer stall.Stop()
	select {
	case err := <-done:
		return err
	case <-stall.C:
	}
	rctx, cancelRetry := context.WithCancel(ctx)
	defer cancelRetry()
	retry := make(chan *Attempt, 1)
	go func() { retry <- p.smallSegments(rctx, cfg, h.Address) }()
	select {
	case err := <-done:
		// The normal handshake finished after all: no black hole.
		cancelRetry()
		<-retry
		return err
	case a := <-retry:
		h.SmallSegments = a
		if a.OK {
			cancel()
		}
		return <-done
	}
}

// smallSegments connects to address through Env.SmallSegments and runs a
// TLS handshake with cfg.
func (p TLS) smallSegments(ctx context.Context, cfg *tls.Config, address string) *Attempt {
	a := &Attempt{Target: address, Address: address}
	start := time.Now()
	conn, err := p.Env.SmallSegments.DialContext(ctx, "tcp", address)
	a.Phases.Connect = time.Since(start)
	if err != nil {
		a.fail("connect", err)
		return a
	}
	defer conn.Close()
	start = time.Now()
	err = tls.Client(conn, cfg.Clone()).HandshakeContext(ctx)
	a.Phases.TLS = time.Since(start)
	if err != nil {
		a.fail("tls", err)
		return a
	}
	a.OK = true
	return a
}
