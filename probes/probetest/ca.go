package probetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"
)

// CA is a certificate authority of a test PKI: a root, or an intermediate
// somewhere below one. It is immutable once made.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer

	// parent is the issuer; nil for a root.
	parent *CA
}

// NewRootCA makes a self-signed root (ECDSA P-256) valid from an hour ago for
// ten years.
func NewRootCA(t testing.TB, commonName, org string) *CA {
	t.Helper()
	now := time.Now()
	tmpl := caTemplate(t, commonName, org, now.Add(-time.Hour), now.AddDate(10, 0, 0))
	key := newKey(t)
	cert := signCert(t, tmpl, tmpl, key.Public(), key)
	return &CA{Cert: cert, Key: key}
}

// Intermediate makes a CA issued by ca, valid from an hour ago for five years.
func (ca *CA) Intermediate(t testing.TB, commonName, org string) *CA {
	t.Helper()
	now := time.Now()
	tmpl := caTemplate(t, commonName, org, now.Add(-time.Hour), now.AddDate(5, 0, 0))
	key := newKey(t)
	cert := signCert(t, tmpl, ca.Cert, key.Public(), ca.Key)
	return &CA{Cert: cert, Key: key, parent: ca}
}

// Leaf makes a server certificate issued by ca for hosts (DNS names or IP
// literals). The returned certificate carries the chain up to, not including,
// the root, and has Leaf set.
func (ca *CA) Leaf(t testing.TB, hosts []string, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if len(hosts) > 0 {
		tmpl.Subject.CommonName = hosts[0]
	}
	key := newKey(t)
	leaf := signCert(t, tmpl, ca.Cert, key.Public(), ca.Key)
	out := tls.Certificate{
		Certificate: [][]byte{leaf.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}
	for c := ca; c.parent != nil; c = c.parent {
		out.Certificate = append(out.Certificate, c.Cert.Raw)
	}
	return out
}

// ValidLeaf is Leaf valid from an hour ago for 90 days.
func (ca *CA) ValidLeaf(t testing.TB, hosts ...string) tls.Certificate {
	t.Helper()
	now := time.Now()
	return ca.Leaf(t, hosts, now.Add(-time.Hour), now.AddDate(0, 0, 90))
}

// Root is the root CA of ca's chain (ca itself for a root).
func (ca *CA) Root() *CA {
	c := ca
	for c.parent != nil {
		c = c.parent
	}
	return c
}

// Pool is a certificate pool holding the root of ca's chain.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Root().Cert)
	return p
}

// PEM is the root certificate of ca's chain in PEM form (for SSL_CERT_FILE).
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root().Cert.Raw})
}

// AppleLikeChain is a root and intermediate named like Apple's.
func AppleLikeChain(t testing.TB) (root, intermediate *CA) {
	t.Helper()
	root = NewRootCA(t, "Test Apple Root CA - G3", "Apple Inc.")
	return root, root.Intermediate(t, "Apple Public Server RSA CA 12 - G1", "Apple Inc.")
}

// InspectionCA is the root a corporate TLS-inspection box signs with.
func InspectionCA(t testing.TB) *CA {
	t.Helper()
	return NewRootCA(t, "Contoso SSL Inspection CA", "Contoso Ltd")
}

func caTemplate(t testing.TB, commonName, org string, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	return &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{org}, Country: []string{"US"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("probetest: generate key: %v", err)
	}
	return key
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		t.Fatalf("probetest: serial number: %v", err)
	}
	return n.Add(n, big.NewInt(1))
}

func signCert(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("probetest: create certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("probetest: parse certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	return cert
}
