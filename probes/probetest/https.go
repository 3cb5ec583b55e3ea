package probetest

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
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

// HTTPSServer is a TLS server on loopback serving HTTP/1.1 and h2, standing in
// for an Apple host. NewHTTPServer makes the plain-HTTP variant.
type HTTPSServer struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	wg   sync.WaitGroup

	mu         sync.Mutex
	cert       tls.Certificate
	behavior   HTTPSBehavior
	requests   int
	handshakes int
	hosts      []string
}

// NewHTTPSServer starts a TLS server on 127.0.0.1:0 that presents cert.
func NewHTTPSServer(t testing.TB, cert tls.Certificate) *HTTPSServer {
	t.Helper()
	s := newHTTPServer(t)
	s.cert = cert
	cfg := &tls.Config{
		GetCertificate: s.getCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
	}
	s.srv.TLSConfig = cfg
	s.start(t, func() error { return s.srv.ServeTLS(s.ln, "", "") })
	return s
}

// NewHTTPServer starts a plain-HTTP server on 127.0.0.1:0 with the same
// behaviors as the HTTPS one; SetCertificate has no effect on it.
func NewHTTPServer(t testing.TB) *HTTPSServer {
	t.Helper()
	s := newHTTPServer(t)
	s.start(t, func() error { return s.srv.Serve(s.ln) })
	return s
}

func newHTTPServer(t testing.TB) *HTTPSServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("probetest: HTTPS server: %v", err)
	}
	s := &HTTPSServer{ln: ln, done: make(chan struct{})}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		ReadHeaderTimeout: time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	return s
}

func (s *HTTPSServer) start(t testing.TB, serve func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		serve()
	}()
	t.Cleanup(func() {
		s.srv.Close()
		close(s.done)
		s.wg.Wait()
	})
}

// Addr is the server's "127.0.0.1:port".
func (s *HTTPSServer) Addr() string { return s.ln.Addr().String() }

// SetBehavior changes how the following requests are answered.
func (s *HTTPSServer) SetBehavior(b HTTPSBehavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behavior = b
}

// SetCertificate swaps the certificate presented in later handshakes.
func (s *HTTPSServer) SetCertificate(c tls.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cert = c
}

// Requests is the number of HTTP requests received (hung ones included).
func (s *HTTPSServer) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Handshakes is the number of TLS handshakes clients started (ClientHellos).
func (s *HTTPSServer) Handshakes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handshakes
}

// Hosts are the Host headers of the latest requests received (up to 256), in order.
func (s *HTTPSServer) Hosts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hosts...)
}

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
