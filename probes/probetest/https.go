package probetest

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// HTTPSBehavior is how an HTTPSServer answers requests.
type HTTPSBehavior struct {
	// Status is the response status; 0 means 200.
	Status int
	// DateSkew is added to the Date header (clock-skew tests).
	DateSkew time.Duration
	// Hang accepts the connection and completes the TLS handshake, then never
	// answers the request (until the client goes away or the server is closed).
	Hang bool
	// Body is the response body.
	Body string
	// NoDate leaves the Date header out (Go's server adds one otherwise).
	NoDate bool
}

// HTTPSServer is a TLS server serving HTTP/1.1 and h2, standing in for an
// Apple host. NewHTTPServer makes the plain-HTTP variant.
type HTTPSServer struct {
	ln   net.Listener
	done chan struct{} // closed at cleanup: releases hung requests

	mu         sync.Mutex
	cert       tls.Certificate
	behavior   HTTPSBehavior
	requests   int
	handshakes int
	hosts      []string
	userAgents []string
}

// NewHTTPSServer starts a TLS server on Loopback that presents cert.
func NewHTTPSServer(t testing.TB, cert tls.Certificate) *HTTPSServer {
	t.Helper()
	return NewHTTPSServerOn(t, Listen(t, Loopback), cert)
}

// NewHTTPSServerOn is NewHTTPSServer serving on ln, a listener the caller
// opened (inside another network namespace, say); ln is closed at cleanup.
func NewHTTPSServerOn(t testing.TB, ln net.Listener, cert tls.Certificate) *HTTPSServer {
	t.Helper()
	s := newHTTPServer(t)
	s.cert = cert
	s.ln = serveHTTPOn(t, ln, http.HandlerFunc(s.serveHTTP), &tls.Config{
		GetCertificate: s.getCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
	})
	return s
}

// NewHTTPServer starts a plain-HTTP server on Loopback with the same
// behaviors as the HTTPS one; SetCertificate has no effect on it.
func NewHTTPServer(t testing.TB) *HTTPSServer {
	t.Helper()
	return NewHTTPServerOn(t, Listen(t, Loopback))
}

// NewHTTPServerOn is NewHTTPServer serving on ln, a listener the caller
// opened; ln is closed at cleanup.
func NewHTTPServerOn(t testing.TB, ln net.Listener) *HTTPSServer {
	t.Helper()
	s := newHTTPServer(t)
	s.ln = serveHTTPOn(t, ln, http.HandlerFunc(s.serveHTTP), nil)
	return s
}

func newHTTPServer(t testing.TB) *HTTPSServer {
	s := &HTTPSServer{done: make(chan struct{})}
	// Cleanups run last-registered first: this one, registered before the
	// server's, runs after the server has closed.
	t.Cleanup(func() { close(s.done) })
	return s
}

// Addr is the server's "ip:port".
func (s *HTTPSServer) Addr() string { return s.ln.Addr().String() }

// SetBehavior changes how the following requests are answered.
func (s *HTTPSServer) SetBehavior(b HTTPSBehavior) { store(&s.mu, &s.behavior, b) }

// SetCertificate swaps the certificate presented in later handshakes.
func (s *HTTPSServer) SetCertificate(c tls.Certificate) { store(&s.mu, &s.cert, c) }

// Requests is the number of HTTP requests received (hung ones included).
func (s *HTTPSServer) Requests() int { return load(&s.mu, &s.requests) }

// Handshakes is the number of TLS handshakes clients started (ClientHellos).
func (s *HTTPSServer) Handshakes() int { return load(&s.mu, &s.handshakes) }

// Hosts are the Host headers of the latest requests received (up to 256), in order.
func (s *HTTPSServer) Hosts() []string { return loadCopy(&s.mu, &s.hosts) }

// UserAgents are the User-Agent headers of the latest requests, oldest first.
func (s *HTTPSServer) UserAgents() []string { return loadCopy(&s.mu, &s.userAgents) }

func (s *HTTPSServer) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handshakes++
	if len(s.cert.Certificate) == 0 {
		return nil, errors.New("probetest: HTTPS server has no certificate")
	}
	c := s.cert
	return &c, nil
}

func (s *HTTPSServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.hosts = keepLast(s.hosts, r.Host)
	s.userAgents = keepLast(s.userAgents, r.UserAgent())
	b := s.behavior
	s.mu.Unlock()

	if b.Hang {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		// Abort rather than return, so that no response is ever written:
		// HTTP/1.1 closes the connection, h2 resets the stream.
		panic(http.ErrAbortHandler)
	}
	status := b.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	if b.NoDate {
		h["Date"] = nil // a nil value stops net/http from adding its own
	} else {
		h.Set("Date", time.Now().Add(b.DateSkew).UTC().Format(http.TimeFormat))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Server", "probetest")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.Copy(w, strings.NewReader(b.Body))
	}
}
