package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
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

// GenuineOK reports whether at least one handshake verified with a genuine issuer.
func (e *TLSEvidence) GenuineOK() bool {
	for _, h := range e.Hosts {
		if h.OK && h.Verified && h.TrustedIssuer {
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
	conn, err := dialTimed(ctx, p.Env, "tcp", host, p.Port, &h.Attempt)
	if err != nil {
		return
	}
	defer conn.Close()
	tc := tls.Client(conn, &tls.Config{
		ServerName: host,
		// Verification happens below, by hand, so that a rejected chain can
		// still be described; the connection carries no data either way.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS12,
	})
	start := time.Now()
	err = tc.HandshakeContext(ctx)
	h.Phases.TLS = time.Since(start)
	if err != nil {
		h.fail("tls", err)
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
