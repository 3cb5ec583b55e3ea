package probetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"testing"
	"time"
)

// handshake dials addr over TLS as serverName, verifying against pool.
func handshake(t *testing.T, addr, serverName string, pool *x509.CertPool) (tls.ConnectionState, error) {
	t.Helper()
	d := tls.Dialer{Config: &tls.Config{ServerName: serverName, RootCAs: pool}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	return c.(*tls.Conn).ConnectionState(), nil
}

func TestTLSChains(t *testing.T) {
	root, inter := AppleLikeChain(t)
	inspect := InspectionCA(t)
	now := time.Now()
	host := "appleid.apple.com"

	tests := []struct {
		name       string
		cert       tls.Certificate
		pool       *x509.CertPool
		serverName string
		check      func(t *testing.T, st tls.ConnectionState, err error)
	}{
		{
			name: "Apple-like chain verifies", cert: inter.ValidLeaf(t, host, "idmsa.apple.com"), pool: root.Pool(), serverName: host,
			check: func(t *testing.T, st tls.ConnectionState, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if len(st.VerifiedChains) != 1 || len(st.VerifiedChains[0]) != 3 {
					t.Fatalf("verified chains = %v, want one of leaf, intermediate, root", st.VerifiedChains)
				}
				chain := st.VerifiedChains[0]
				if got := chain[0].Issuer.CommonName; got != "Apple Public Server RSA CA 12 - G1" {
					t.Errorf("leaf issuer = %q", got)
				}
				if got := chain[0].Issuer.Organization; len(got) != 1 || got[0] != "Apple Inc." {
					t.Errorf("leaf issuer org = %q", got)
				}
				if got := chain[2].Subject.CommonName; got != "Test Apple Root CA - G3" {
					t.Errorf("root = %q", got)
				}
				if len(st.PeerCertificates) != 2 {
					t.Errorf("server sent %d certificates, want leaf and intermediate", len(st.PeerCertificates))
				}
			},
		},
		{
			name: "inspection CA trusted by its own pool", cert: inspect.ValidLeaf(t, host), pool: inspect.Pool(), serverName: host,
			check: func(t *testing.T, st tls.ConnectionState, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if got := st.PeerCertificates[0].Issuer.Organization; len(got) != 1 || got[0] != "Contoso Ltd" {
					t.Errorf("issuer org = %q, want Contoso Ltd", got)
				}
				if got := st.PeerCertificates[0].Issuer.CommonName; got != "Contoso SSL Inspection CA" {
					t.Errorf("issuer = %q", got)
				}
			},
		},
		{
			name: "inspection CA against the Apple root", cert: inspect.ValidLeaf(t, host), pool: root.Pool(), serverName: host,
			check: func(t *testing.T, _ tls.ConnectionState, err error) {
				var unknown x509.UnknownAuthorityError
				if !errors.As(err, &unknown) {
					t.Fatalf("err = %v, want x509.UnknownAuthorityError", err)
				}
				var verr *tls.CertificateVerificationError
				if !errors.As(err, &verr) || len(verr.UnverifiedCertificates) == 0 {
					t.Fatalf("err = %v, want a *tls.CertificateVerificationError with the certificates", err)
				}
			},
		},
		{
			name: "expired leaf", cert: inter.Leaf(t, []string{host}, now.AddDate(0, 0, -10), now.AddDate(0, 0, -1)), pool: root.Pool(), serverName: host,
			check: func(t *testing.T, _ tls.ConnectionState, err error) {
				var invalid x509.CertificateInvalidError
				if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
					t.Fatalf("err = %v, want x509.CertificateInvalidError{Reason: Expired}", err)
				}
			},
		},
		{
			name: "not yet valid leaf", cert: inter.Leaf(t, []string{host}, now.AddDate(0, 0, 1), now.AddDate(0, 0, 10)), pool: root.Pool(), serverName: host,
			check: func(t *testing.T, _ tls.ConnectionState, err error) {
				var invalid x509.CertificateInvalidError
				if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
					t.Fatalf("err = %v, want x509.CertificateInvalidError{Reason: Expired}", err)
				}
			},
		},
		{
			name: "wrong host name", cert: inter.ValidLeaf(t, "www.example.com"), pool: root.Pool(), serverName: host,
			check: func(t *testing.T, _ tls.ConnectionState, err error) {
				var hostErr x509.HostnameError
				if !errors.As(err, &hostErr) {
					t.Fatalf("err = %v, want x509.HostnameError", err)
				}
			},
		},
		{
			name: "IP address leaf", cert: inter.ValidLeaf(t, "127.0.0.1"), pool: root.Pool(), serverName: "127.0.0.1",
			check: func(t *testing.T, _ tls.ConnectionState, err error) {
				if err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "leaf straight from a root", cert: root.ValidLeaf(t, host), pool: root.Pool(), serverName: host,
			check: func(t *testing.T, st tls.ConnectionState, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if len(st.PeerCertificates) != 1 {
					t.Errorf("server sent %d certificates, want 1", len(st.PeerCertificates))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewHTTPSServer(t, tt.cert)
			st, err := handshake(t, s.Addr(), tt.serverName, tt.pool)
			tt.check(t, st, err)
		})
	}
}

func TestLeafShape(t *testing.T) {
	root, inter := AppleLikeChain(t)
	c := inter.ValidLeaf(t, "gsa.apple.com", "17.32.194.2")
	if c.Leaf == nil || c.PrivateKey == nil {
		t.Fatal("Leaf or PrivateKey not set")
	}
	if len(c.Certificate) != 2 {
		t.Fatalf("chain has %d certificates, want leaf + intermediate", len(c.Certificate))
	}
	if !c.Leaf.Equal(mustParse(t, c.Certificate[0])) || !inter.Cert.Equal(mustParse(t, c.Certificate[1])) {
		t.Fatal("chain is not leaf, intermediate")
	}
	if len(c.Leaf.DNSNames) != 1 || len(c.Leaf.IPAddresses) != 1 || !c.Leaf.IPAddresses[0].Equal(net.ParseIP("17.32.194.2")) {
		t.Fatalf("SANs = %v %v", c.Leaf.DNSNames, c.Leaf.IPAddresses)
	}
	if inter.Root() != root || root.Root() != root {
		t.Fatal("Root() does not lead to the root")
	}
	// A deeper chain carries every intermediate.
	sub := inter.Intermediate(t, "Sub CA", "Apple Inc.")
	if got := len(sub.ValidLeaf(t, "x.apple.com").Certificate); got != 3 {
		t.Fatalf("chain below two intermediates has %d certificates, want 3", got)
	}
	if _, err := c.Leaf.Verify(x509.VerifyOptions{Roots: sub.Pool(), Intermediates: pool(inter.Cert), DNSName: "gsa.apple.com"}); err != nil {
		t.Fatalf("Pool of a sub-CA does not hold the root: %v", err)
	}
}

func TestCAPEM(t *testing.T) {
	root, inter := AppleLikeChain(t)
	for _, ca := range []*CA{root, inter} {
		block, rest := pem.Decode(ca.PEM())
		if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 {
			t.Fatalf("PEM() is not one certificate block")
		}
		if !mustParse(t, block.Bytes).Equal(root.Cert) {
			t.Fatal("PEM() is not the root certificate")
		}
	}
	if !root.Cert.IsCA || root.Cert.Subject.Organization[0] != "Apple Inc." {
		t.Fatalf("root = %+v", root.Cert.Subject)
	}
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
