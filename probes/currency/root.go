package currency

import (
	"crypto/x509"
	_ "embed"
	"encoding/pem"
)

// appleRootPEM is "Apple Root CA" (2006, RSA 2048, valid until 2035-02-09),
// SHA-256 B0:B1:73:0E:CB:C7:FF:45:05:14:2C:49:F1:29:5E:6E:DA:6B:CA:ED:7E:2C:
// 68:C5:BE:91:B5:A1:10:01:F0:24, the root of Apple's private PKI that
// gdmf.apple.com's chain ends in. Public trust stores (Debian's, Mozilla's)
// do not carry it. A string, so that nothing can change it.
//
//go:embed apple-root-ca.pem
var appleRootPEM string

// AppleRoot is the embedded Apple Root CA.
func AppleRoot() *x509.Certificate {
	block, _ := pem.Decode([]byte(appleRootPEM))
	if block == nil {
		panic("currency: the embedded Apple Root CA is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		panic("currency: the embedded Apple Root CA does not parse: " + err.Error())
	}
	return cert
}

// AppleRoots is a new pool holding the Apple Root CA and nothing else:
// verified against it alone, a chain from any other CA fails, so a proxy
// that re-signs gdmf.apple.com (TLS inspection) cannot pass for Apple even
// when this machine trusts the proxy's CA.
func AppleRoots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(AppleRoot())
	return pool
}
