package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
)

// Class names why a network step failed. Verdict rules match on classes, never
// on error text, which differs between operating systems and Go versions.
type Class string

const (
	ClassNone          Class = ""
	ClassTimeout       Class = "timeout"
	ClassRefused       Class = "refused"
	ClassReset         Class = "reset"
	ClassUnreachable   Class = "unreachable" // no route, network down, host unreachable
	ClassNXDomain      Class = "nxdomain"
	ClassServFail      Class = "servfail"
	ClassDNSRefused    Class = "dns_refused" // the resolver answered REFUSED: a policy, not a failure
	ClassNoAnswer      Class = "no_answer"   // the name exists but has no A/AAAA records
	ClassSinkhole      Class = "sinkhole"    // answered with an address nobody can reach Apple at
	ClassCertUntrusted Class = "cert_untrusted"
	ClassCertTime      Class = "cert_time" // expired or not yet valid: usually the clock
	ClassCertHostname  Class = "cert_hostname"
	ClassTLS           Class = "tls_error"
	ClassHTTP5xx       Class = "http_5xx"
	ClassProxy         Class = "proxy_error"
	ClassProxyAuth     Class = "proxy_auth" // the proxy answered 407: it wants credentials
	ClassEOF           Class = "eof"        // the peer closed the connection mid-exchange
	ClassOther         Class = "other"
)

// Classify maps an error from the net, tls or http packages to a Class.
func Classify(err error) Class {
	if err == nil {
		return ClassNone
	}
	var certInvalid x509.CertificateInvalidError
	if errors.As(err, &certInvalid) {
		if certInvalid.Reason == x509.Expired {
			return ClassCertTime
		}
		return ClassCertUntrusted
	}
	var unknownAuth x509.UnknownAuthorityError
	if errors.As(err, &unknownAuth) {
		return ClassCertUntrusted
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return ClassCertHostname
	}
	var verifyErr *tls.CertificateVerificationError
	if errors.As(err, &verifyErr) {
		return ClassCertUntrusted
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return ClassNXDomain
		case dnsErr.IsTimeout:
			return ClassTimeout
		}
		// The resolver could not reach its server at all: say so, not
		// "servfail". The pure-Go resolver keeps only the dial error's
		// text, which ends with the errno's own (local) wording.
		for _, e := range []struct {
			errno syscall.Errno
			class Class
		}{
			{syscall.ENETUNREACH, ClassUnreachable}, {syscall.EHOSTUNREACH, ClassUnreachable},
			{syscall.ECONNREFUSED, ClassRefused}, // UDP: ICMP port unreachable
		} {
			if strings.HasSuffix(dnsErr.Err, e.errno.Error()) {
				return e.class
			}
		}
		// The pure-Go resolver reports SERVFAIL as a temporary "server
		// misbehaving" and REFUSED as a permanent one.
		if !dnsErr.IsTemporary && dnsErr.Err == "server misbehaving" {
			return ClassDNSRefused
		}
		return ClassServFail
	}
	return classifyNet(err)
}

// classifyNet classifies what is not a certificate or DNS error.
func classifyNet(err error) Class {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return ClassReset
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETDOWN), errors.Is(err, syscall.EHOSTDOWN),
		errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		// EPERM/EACCES: a local firewall rejected the packet before it left.
		return ClassUnreachable
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassEOF
	}
	var recordErr tls.RecordHeaderError
	var alertErr tls.AlertError
	if errors.As(err, &recordErr) || errors.As(err, &alertErr) {
		return ClassTLS
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return ClassTimeout
	}
	return ClassOther
}

// IsNetworkFailure reports whether c means packets did not get through, as
// opposed to a peer that answered wrongly.
func (c Class) IsNetworkFailure() bool {
	switch c {
	case ClassTimeout, ClassRefused, ClassReset, ClassUnreachable, ClassEOF:
		return true
	}
	return false
}
