package probetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// ProxyMode is how a ConnectProxy answers.
type ProxyMode int

const (
	// ProxyOK tunnels CONNECT requests and forwards absolute-URI HTTP requests.
	ProxyOK ProxyMode = iota
	// ProxyDeny answers 403 Forbidden.
	ProxyDeny
	// ProxyAuthRequired answers 407 with a Proxy-Authenticate challenge.
	ProxyAuthRequired
	// ProxyBadGateway answers 502 Bad Gateway.
	ProxyBadGateway
	// ProxyClose closes the connection without a reply.
	ProxyClose
)

func (m ProxyMode) String() string {
	switch m {
	case ProxyOK:
		return "ok"
	case ProxyDeny:
		return "deny"
	case ProxyAuthRequired:
		return "auth-required"
	case ProxyBadGateway:
		return "bad-gateway"
	case ProxyClose:
		return "close"
	}
	return fmt.Sprintf("ProxyMode(%d)", int(m))
}

// upstreamDialer is what the proxy reaches its upstreams with (a *MapDialer, a
// *net.Dialer, ...).
type upstreamDialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// ConnectProxy is an HTTP proxy: it tunnels CONNECT requests and forwards
// plain absolute-URI requests, dialling upstream through the given dialer so
// that the proxied path reaches the other fakes.
type ConnectProxy struct {
	srv       *connServer
	upstream  upstreamDialer
	transport *http.Transport
	ctx       context.Context

	mu       sync.Mutex
	mode     ProxyMode
	connects int
	requests int
	targets  []string
}

// NewConnectProxy starts a proxy on Loopback in ProxyOK mode.
func NewConnectProxy(t testing.TB, upstream interface {
	DialContext(context.Context, string, string) (net.Conn, error)
}) *ConnectProxy {
	t.Helper()
	return NewConnectProxyOn(t, Listen(t, Loopback), upstream)
}

// NewConnectProxyOn is NewConnectProxy serving on ln, a listener the caller
// opened (inside another network namespace, say); ln is closed at cleanup.
func NewConnectProxyOn(t testing.TB, ln net.Listener, upstream interface {
	DialContext(context.Context, string, string) (net.Conn, error)
}) *ConnectProxy {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &ConnectProxy{
		upstream: upstream,
		ctx:      ctx,
		transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           upstream.DialContext,
			DisableKeepAlives:     true,
			ResponseHeaderTimeout: time.Minute,
		},
	}
	t.Cleanup(p.transport.CloseIdleConnections) // runs last
	p.srv = newConnServer(ln)
	p.srv.serve(t, p.serveConn)
	t.Cleanup(cancel) // runs first: ends the upstream dials and round trips
	return p
}

// Addr is the proxy's "ip:port".
func (p *ConnectProxy) Addr() string { return p.srv.Addr() }

// URL is the proxy's URL, "http://ip:port", for http.ProxyURL and the like.
func (p *ConnectProxy) URL() string { return "http://" + p.Addr() }

// SetMode changes how the following requests are answered.
func (p *ConnectProxy) SetMode(m ProxyMode) { store(&p.mu, &p.mode, m) }

// Connects is the number of CONNECT requests received.
func (p *ConnectProxy) Connects() int { return load(&p.mu, &p.connects) }

// Requests is the number of requests received, CONNECT and plain.
func (p *ConnectProxy) Requests() int { return load(&p.mu, &p.requests) }

// Targets are the requested targets in order: "host:port" for CONNECT, the
// absolute URL for plain requests.
func (p *ConnectProxy) Targets() []string { return loadCopy(&p.mu, &p.targets) }

// serveConn handles the requests of one client connection.
func (p *ConnectProxy) serveConn(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		target := req.URL.String()
		if req.Method == http.MethodConnect {
			target = req.Host
		}
		p.mu.Lock()
		p.requests++
		if req.Method == http.MethodConnect {
			p.connects++
		}
		p.targets = keepLast(p.targets, target)
		mode := p.mode
		p.mu.Unlock()

		switch mode {
		case ProxyClose:
			return
		case ProxyDeny:
			writeProxyError(c, req, http.StatusForbidden, nil)
			continue
		case ProxyAuthRequired:
			writeProxyError(c, req, http.StatusProxyAuthRequired, http.Header{"Proxy-Authenticate": {`Basic realm="probetest"`}})
			continue
		case ProxyBadGateway:
			writeProxyError(c, req, http.StatusBadGateway, nil)
			continue
		}
		if req.Method == http.MethodConnect {
			p.tunnel(c, br, req)
			return
		}
		if !p.forward(c, req) {
			return
		}
	}
}

// writeProxyError answers req with status and drains its body so that the
// connection can carry the next request.
func writeProxyError(c net.Conn, req *http.Request, status int, h http.Header) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	body := fmt.Sprintf("probetest proxy: %d %s\n", status, http.StatusText(status))
	resp := &http.Response{
		StatusCode:    status,
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		ContentLength: int64(len(body)),
		Body:          io.NopCloser(strings.NewReader(body)),
		Request:       req,
	}
	for k, v := range h {
		resp.Header[k] = v
	}
	resp.Write(c)
}

// tunnel dials req's target upstream and, once connected, copies bytes both
// ways until either side closes.
func (p *ConnectProxy) tunnel(c net.Conn, br *bufio.Reader, req *http.Request) {
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	up, err := p.upstream.DialContext(ctx, "tcp", req.Host)
	cancel()
	if err != nil {
		writeProxyError(c, req, http.StatusBadGateway, nil)
		return
	}
	if !p.srv.track(up) {
		up.Close()
		return
	}
	defer p.srv.untrack(up)
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() {
		// Bytes the client sent right after the CONNECT sit in br.
		io.Copy(up, br)
		closeWrite(up)
		done <- struct{}{}
	}()
	go func() {
		io.Copy(c, up)
		closeWrite(c)
		done <- struct{}{}
	}()
	<-done
	<-done
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

// forward sends an absolute-URI request upstream and relays the response;
// false means the connection must close.
func (p *ConnectProxy) forward(c net.Conn, req *http.Request) bool {
	if !req.URL.IsAbs() {
		writeProxyError(c, req, http.StatusBadRequest, nil)
		return false
	}
	out := req.Clone(p.ctx)
	out.RequestURI = ""
	for _, h := range []string{"Proxy-Connection", "Proxy-Authorization", "Connection", "Keep-Alive", "Te", "Trailer", "Upgrade"} {
		out.Header.Del(h)
	}
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		writeProxyError(c, req, http.StatusBadGateway, nil)
		return !req.Close
	}
	defer resp.Body.Close()
	resp.Close = req.Close
	if err := resp.Write(c); err != nil {
		return false
	}
	return !req.Close
}
