package probetest

import (
	"io"
	"testing"
)

func TestCaptiveServer(t *testing.T) {
	s := NewCaptiveServer(t)
	tests := []struct {
		name     string
		portal   bool
		login    string
		path     string
		status   int
		body     string
		location string
	}{
		{name: "open network", path: "/hotspot-detect.html", status: 200, body: AppleSuccessPage},
		{name: "open network, any path", path: "/library/test/success.html", status: 200, body: AppleSuccessPage},
		{name: "portal redirect", portal: true, login: "http://portal.example/login?x=1", path: "/hotspot-detect.html", status: 302, location: "http://portal.example/login?x=1"},
		{name: "portal page", portal: true, path: "/hotspot-detect.html", status: 200, body: CaptiveLoginPage},
		{name: "portal off again", path: "/hotspot-detect.html", status: 200, body: AppleSuccessPage},
	}
	c := client(s.Addr(), nil, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetPortal(tt.portal, tt.login)
			resp, err := c.Get("http://captive.apple.com" + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.location != "" {
				if got := resp.Header.Get("Location"); got != tt.location {
					t.Fatalf("Location = %q, want %q", got, tt.location)
				}
				return
			}
			if string(body) != tt.body {
				t.Fatalf("body = %q, want %q", body, tt.body)
			}
		})
	}
	if AppleSuccessPage != "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n" {
		t.Fatal("AppleSuccessPage is not Apple's page")
	}
	if s.Requests() != len(tests) {
		t.Fatalf("Requests() = %d, want %d", s.Requests(), len(tests))
	}
	if s.URL() != "http://"+s.Addr()+"/hotspot-detect.html" {
		t.Fatalf("URL() = %q", s.URL())
	}
}
