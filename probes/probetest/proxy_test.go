package probetest

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestConnectProxy(t *testing.T) {
	root, inter := AppleLikeChain(t)
	dns := NewDNSServer(t)
	dns.Set("appleid.apple.com", Answer{Addrs: []netip.Addr{netip.MustParseAddr("17.32.194.2")}})
	dns.Set("captive.apple.com", Answer{Addrs: []netip.Addr{netip.MustParseAddr("17.253.119.201")}})
	dns.Set("gone.apple.com", Answer{Addrs: []netip.Addr{netip.MustParseAddr("17.1.1.1")}})
	https := NewHTTPSServer(t, inter.ValidLeaf(t, "appleid.apple.com"))
	https.SetBehavior(HTTPSBehavior{Body: "apple id"})
	captive := NewCaptiveServer(t)
	d := NewMapDialer(dns.Resolver())
	d.Set("tcp", "17.32.194.2:443", Route{To: https.Addr()})
	d.Set("tcp", "17.253.119.201:80", Route{To: captive.Addr()})

	p := NewConnectProxy(t, d)
	proxyURL, err := url.Parse(p.URL())
	if err != nil {
		t.Fatal(err)
	}
	// A client with no route of its own: only the proxy gets it anywhere.
	c := &http.Client{Transport: &http.Transport{
		Proxy:             http.ProxyURL(proxyURL),
		TLSClientConfig:   &tls.Config{RootCAs: root.Pool()},
		DisableKeepAlives: true,
	}}

	tests := []struct {
		name     string
		mode     ProxyMode
		url      string
		status   int    // for a response
		body     string // for a response
		errText  string // for an error
		connects int
		target   string
	}{
		{name: "tunnel", url: "https://appleid.apple.com/", status: 200, body: "apple id", connects: 1, target: "appleid.apple.com:443"},
		{name: "plain forward", url: "http://captive.apple.com/hotspot-detect.html", status: 200, body: AppleSuccessPage, target: "http://captive.apple.com/hotspot-detect.html"},
		{name: "upstream unreachable", url: "https://gone.apple.com/", errText: "Bad Gateway", connects: 1, target: "gone.apple.com:443"},
		{name: "plain upstream unreachable", url: "http://gone.apple.com/", status: 502, body: "probetest proxy: 502 Bad Gateway\n", target: "http://gone.apple.com/"},
		{name: "deny", mode: ProxyDeny, url: "https://appleid.apple.com/", errText: "Forbidden", connects: 1, target: "appleid.apple.com:443"},
		{name: "deny plain", mode: ProxyDeny, url: "http://captive.apple.com/", status: 403, body: "probetest proxy: 403 Forbidden\n", target: "http://captive.apple.com/"},
		{name: "auth required", mode: ProxyAuthRequired, url: "https://appleid.apple.com/", errText: "Proxy Authentication Required", connects: 1, target: "appleid.apple.com:443"},
		{name: "bad gateway", mode: ProxyBadGateway, url: "https://appleid.apple.com/", errText: "Bad Gateway", connects: 1, target: "appleid.apple.com:443"},
		{name: "close", mode: ProxyClose, url: "https://appleid.apple.com/", errText: "EOF", connects: 1, target: "appleid.apple.com:443"},
		{name: "ok again", url: "https://appleid.apple.com/", status: 200, body: "apple id", connects: 1, target: "appleid.apple.com:443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.SetMode(tt.mode)
			connects, targets := p.Connects(), len(p.Targets())
			resp, err := c.Get(tt.url)
			if tt.errText != "" {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got %s, want an error with %q", resp.Status, tt.errText)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want %q", err, tt.errText)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.status || string(body) != tt.body {
					t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
				}
			}
			if got := p.Connects() - connects; got != tt.connects {
				t.Errorf("Connects() grew by %d, want %d", got, tt.connects)
			}
			if got := p.Targets()[targets:]; !slices.Equal(got, []string{tt.target}) {
				t.Errorf("Targets() added %v, want [%s]", got, tt.target)
			}
		})
	}
	if https.Requests() != 2 || captive.Requests() != 1 {
		t.Errorf("upstream requests: https %d, captive %d; want 2 and 1", https.Requests(), captive.Requests())
	}
	if p.Requests() != len(tests) {
		t.Errorf("Requests() = %d, want %d", p.Requests(), len(tests))
	}
}

func TestConnectProxyAuthChallenge(t *testing.T) {
	p := NewConnectProxy(t, NewMapDialer(nil))
	p.SetMode(ProxyAuthRequired)
	resp, err := client(p.Addr(), nil, false).Get("http://captive.apple.com/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusProxyAuthRequired || !strings.HasPrefix(resp.Header.Get("Proxy-Authenticate"), "Basic ") {
		t.Fatalf("got %s with Proxy-Authenticate %q", resp.Status, resp.Header.Get("Proxy-Authenticate"))
	}
	if ProxyAuthRequired.String() != "auth-required" || ProxyMode(42).String() != "ProxyMode(42)" {
		t.Fatal("ProxyMode.String")
	}
}
