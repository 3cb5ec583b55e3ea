package probetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// client talks to one fake server whatever the URL's host, like a probe whose
// dialer maps Apple's addresses onto loopback.
func client(addr string, pool *x509.CertPool, h2 bool) *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: h2,
		DisableKeepAlives: true,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestHTTPSServerBehaviors(t *testing.T) {
	root, inter := AppleLikeChain(t)
	s := NewHTTPSServer(t, inter.ValidLeaf(t, "appleid.apple.com"))

	tests := []struct {
		name     string
		b        HTTPSBehavior
		h2       bool
		status   int
		body     string
		skew     time.Duration
		protocol string
	}{
		{name: "default", status: 200, protocol: "HTTP/1.1"},
		{name: "h2", h2: true, b: HTTPSBehavior{Body: "hi"}, status: 200, body: "hi", protocol: "HTTP/2.0"},
		{name: "status and body", b: HTTPSBehavior{Status: 503, Body: "maintenance"}, status: 503, body: "maintenance", protocol: "HTTP/1.1"},
		{name: "clock ahead", b: HTTPSBehavior{DateSkew: 3 * time.Hour}, status: 200, skew: 3 * time.Hour, protocol: "HTTP/1.1"},
		{name: "clock behind over h2", h2: true, b: HTTPSBehavior{DateSkew: -26 * time.Hour}, status: 200, skew: -26 * time.Hour, protocol: "HTTP/2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetBehavior(tt.b)
			resp, err := client(s.Addr(), root.Pool(), tt.h2).Get("https://appleid.apple.com/")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || string(body) != tt.body || resp.Proto != tt.protocol {
				t.Fatalf("got %s %d %q, want %s %d %q", resp.Proto, resp.StatusCode, body, tt.protocol, tt.status, tt.body)
			}
			date, err := http.ParseTime(resp.Header.Get("Date"))
			if err != nil {
				t.Fatalf("Date %q: %v", resp.Header.Get("Date"), err)
			}
			// The skew is hours; a minute of slack covers the Date's one-second
			// resolution, not the test's speed.
			if d := date.Sub(time.Now().Add(tt.skew)); d < -time.Minute || d > time.Minute {
				t.Fatalf("Date %v is %v away from now%+v", date, d, tt.skew)
			}
		})
	}
	if got := s.Requests(); got != len(tests) {
		t.Errorf("Requests() = %d, want %d", got, len(tests))
	}
	if hosts := s.Hosts(); len(hosts) == 0 || hosts[0] != "appleid.apple.com" {
		t.Errorf("Hosts() = %v", hosts)
	}
}

func TestHTTPSServerHang(t *testing.T) {
	root, inter := AppleLikeChain(t)
	s := NewHTTPSServer(t, inter.ValidLeaf(t, "appleid.apple.com"))
	s.SetBehavior(HTTPSBehavior{Hang: true})
	for _, h2 := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://appleid.apple.com/", nil)
		done := make(chan error, 1)
		go func() {
			resp, err := client(s.Addr(), root.Pool(), h2).Do(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		before := s.Requests()
		waitFor(t, "the hung request to reach the server", func() bool { return s.Requests() > before })
		select {
		case err := <-done:
			t.Fatalf("h2=%v: hung server answered: %v", h2, err)
		default:
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("h2=%v: err = %v, want context.Canceled", h2, err)
		}
	}
	// The handshake itself completes while hanging.
	if _, err := handshake(t, s.Addr(), "appleid.apple.com", root.Pool()); err != nil {
		t.Fatalf("handshake with a hanging server: %v", err)
	}
}

// A client still waiting on a hung request when the test ends does not stop
// the server from closing.
func TestHTTPSServerHangClosesAtCleanup(t *testing.T) {
	root, inter := AppleLikeChain(t)
	var s *HTTPSServer
	done := make(chan error, 1)
	t.Run("inner", func(t *testing.T) {
		s = NewHTTPSServer(t, inter.ValidLeaf(t, "appleid.apple.com"))
		s.SetBehavior(HTTPSBehavior{Hang: true})
		go func() {
			resp, err := client(s.Addr(), root.Pool(), false).Get("https://appleid.apple.com/")
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		waitFor(t, "the hung request", func() bool { return s.Requests() == 1 })
	})
	if err := <-done; err == nil {
		t.Fatal("hung request succeeded after the server closed")
	}
}

func TestHTTPSServerSetCertificate(t *testing.T) {
	root, inter := AppleLikeChain(t)
	inspect := InspectionCA(t)
	s := NewHTTPSServer(t, inter.ValidLeaf(t, "gsa.apple.com"))
	if _, err := handshake(t, s.Addr(), "gsa.apple.com", root.Pool()); err != nil {
		t.Fatal(err)
	}
	s.SetCertificate(inspect.ValidLeaf(t, "gsa.apple.com"))
	_, err := handshake(t, s.Addr(), "gsa.apple.com", root.Pool())
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("after swapping to the inspection cert: err = %v, want UnknownAuthorityError", err)
	}
	if got := s.Handshakes(); got != 2 {
		t.Fatalf("Handshakes() = %d, want 2", got)
	}
}

func TestHTTPServerPlain(t *testing.T) {
	s := NewHTTPServer(t)
	s.SetBehavior(HTTPSBehavior{Status: 204})
	resp, err := client(s.Addr(), nil, false).Get("http://gs.apple.com/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || s.Requests() != 1 {
		t.Fatalf("status %d, requests %d", resp.StatusCode, s.Requests())
	}
}
