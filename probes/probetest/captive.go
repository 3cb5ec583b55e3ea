package probetest

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
)

// AppleSuccessPage is what captive.apple.com answers on an open network.
const AppleSuccessPage = "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n"

// CaptiveLoginPage is the page a portal without a redirect serves instead.
const CaptiveLoginPage = "<HTML><HEAD><TITLE>Guest Wi-Fi</TITLE></HEAD><BODY><FORM method=\"post\" action=\"/login\">Accept the terms to continue <INPUT type=\"submit\" value=\"Log in\"></FORM></BODY></HTML>\n"

// CaptiveServer is a plain-HTTP stand-in for captive.apple.com that can turn
// into a captive portal.
type CaptiveServer struct {
	ln net.Listener

	mu       sync.Mutex
	portal   bool
	loginURL string
	requests int
}

// NewCaptiveServer starts the server on Loopback. It answers Apple's
// success page on any path until SetPortal turns the portal on.
func NewCaptiveServer(t testing.TB) *CaptiveServer {
	t.Helper()
	return NewCaptiveServerOn(t, Listen(t, Loopback))
}

// NewCaptiveServerOn is NewCaptiveServer serving on ln, a listener the
// caller opened; ln is closed at cleanup.
func NewCaptiveServerOn(t testing.TB, ln net.Listener) *CaptiveServer {
	t.Helper()
	s := &CaptiveServer{}
	s.ln = serveHTTPOn(t, ln, http.HandlerFunc(s.serveHTTP), nil)
	return s
}

// Addr is the server's "ip:port".
func (s *CaptiveServer) Addr() string { return s.ln.Addr().String() }

// URL is Apple's captive-check URL on this server.
func (s *CaptiveServer) URL() string { return "http://" + s.Addr() + "/hotspot-detect.html" }

// SetPortal turns portal mode on or off. In portal mode the server redirects
// (302) to loginURL, or serves CaptiveLoginPage with 200 when loginURL is "".
func (s *CaptiveServer) SetPortal(on bool, loginURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.portal, s.loginURL = on, loginURL
}

// Requests is the number of requests received.
func (s *CaptiveServer) Requests() int { return load(&s.mu, &s.requests) }

func (s *CaptiveServer) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	portal, loginURL := s.portal, s.loginURL
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Cache-Control", "no-cache")
	switch {
	case portal && loginURL != "":
		http.Redirect(w, r, loginURL, http.StatusFound)
	case portal:
		io.WriteString(w, CaptiveLoginPage)
	default:
		io.WriteString(w, AppleSuccessPage)
	}
}
