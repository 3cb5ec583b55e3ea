package probes

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	xproxy "golang.org/x/net/proxy"

	"github.com/idpulse/idpulse/probes/netenv"
)

// ProxyPath is the sign-in host reached through the configured proxy.
type ProxyPath struct {
	Attempt
	Proxy      string `json:"proxy"`
	StatusCode int    `json:"status_code,omitempty"` // the proxy's answer to CONNECT
}

// ProxyEvidence is what the proxy probe found.
type ProxyEvidence struct {
	Config    netenv.ProxyConfig `json:"config"`
	ReadError string             `json:"read_error,omitempty"`
	Proxied   *ProxyPath         `json:"proxied,omitempty"`
	Direct    *Attempt           `json:"direct,omitempty"`
	Note      string             `json:"note,omitempty"`
	// PAC is the proxy auto-config file and what it answered for the
	// sign-in host, when one is configured.
	PAC *PACEvidence `json:"pac,omitempty"`
}

// PACEvidence is the PAC file and its answer for the sign-in URL.
type PACEvidence struct {
	PACState
	// Hops is FindProxyForURL's answer for the sign-in URL, in order
	// ("PROXY proxy.corp:8080", "DIRECT").
	Hops []string `json:"hops,omitempty"`
}

// Proxy reports the proxy settings the OS applies and, when one is set,
// tests the proxy itself: a CONNECT to a sign-in host through it, beside a
// direct connection, so a broken proxy is not mistaken for a blocked Apple.
type Proxy struct {
	Env  Env
	Host string
	Port int
}

func (Proxy) ID() ID { return IDProxy }

func (p Proxy) Run(ctx context.Context) Result {
	ev := &ProxyEvidence{Config: p.Env.Proxy}
	res := Result{Evidence: ev}
	if p.Env.ProxyErr != nil {
		ev.ReadError = p.Env.ProxyErr.Error()
	}
	if !p.Env.Proxy.Configured() {
		if ev.ReadError != "" {
			res.Status, res.Summary = StatusWarn, "could not read the system proxy settings"
			return res
		}
		res.Status, res.Summary = StatusSkip, "no proxy configured"
		return res
	}
	target := &url.URL{Scheme: "https", Host: net.JoinHostPort(p.Host, strconv.Itoa(p.Port))}
	proxyURL, err := p.Env.proxyFor(target)
	if st := p.Env.PAC; st != nil {
		ev.PAC = &PACEvidence{PACState: *st}
		if hops, herr := st.Hops(target); herr == nil {
			for _, h := range hops {
				ev.PAC.Hops = append(ev.PAC.Hops, h.String())
			}
		} else if st.Error == "" {
			ev.PAC.Error = "PAC file answered nothing usable: " + herr.Error()
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		ev.Direct = &Attempt{}
		if conn, err := dialTimed(ctx, p.Env, "tcp", p.Host, p.Port, ev.Direct); err == nil {
			conn.Close()
		}
	})
	switch {
	case err != nil:
		ev.Note = err.Error()
	case proxyURL == nil && ev.PAC != nil && ev.PAC.Error != "":
		ev.Note = ev.PAC.Error + "; the OS then connects directly"
	case proxyURL == nil && ev.PAC != nil:
		ev.Note = fmt.Sprintf("the PAC file %s sends %s DIRECT", ev.PAC.URL, p.Host)
	case proxyURL == nil:
		ev.Note = p.Host + " is exempt from the proxy"
	default:
		wg.Go(func() { ev.Proxied = p.through(ctx, proxyURL) })
	}
	wg.Wait()

	switch {
	case ev.Proxied != nil && !ev.Proxied.OK:
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("proxy %s fails: %s", ev.Proxied.Proxy, ev.Proxied.Error)
	case ev.Proxied != nil:
		res.Status = StatusOK
		res.Summary = fmt.Sprintf("proxy %s works", ev.Proxied.Proxy)
	default:
		res.Status = StatusWarn
		res.Summary = "proxy configured: " + ev.Note
	}
	return res
}

// through opens a tunnel to the sign-in host via proxyURL.
func (p Proxy) through(ctx context.Context, proxyURL *url.URL) *ProxyPath {
	path := &ProxyPath{}
	conn, err := tunnel(ctx, p.Env, proxyURL, net.JoinHostPort(p.Host, strconv.Itoa(p.Port)), path)
	if err == nil {
		conn.Close()
	}
	return path
}

// tunnel opens a connection to target ("host:port") through proxyURL (an
// HTTP proxy's CONNECT, or SOCKS5) and records the exchange in path. The
// proxy's own answer is kept: 407 means it wants credentials.
func tunnel(ctx context.Context, env Env, proxyURL *url.URL, target string, path *ProxyPath) (net.Conn, error) {
	path.Proxy = proxyURL.Redacted()
	path.Via = path.Proxy
	if proxyURL.Scheme == "socks5" || proxyURL.Scheme == "socks5h" {
		return socks(ctx, env, proxyURL, target, path)
	}
	port, _ := strconv.Atoi(proxyURL.Port())
	if port == 0 {
		port = 80
	}
	conn, err := dialTimed(ctx, env, "tcp", proxyURL.Hostname(), port, &path.Attempt)
	path.Target = target
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: http.Header{},
	}
	if u := proxyURL.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
	start := time.Now()
	fail := func(err error) (net.Conn, error) {
		conn.Close()
		path.fail("proxy", err)
		return nil, err
	}
	if err := req.Write(conn); err != nil {
		return fail(fmt.Errorf("CONNECT via %s: %w", path.Proxy, err))
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	path.Phases.FirstByte = time.Since(start)
	if err != nil {
		return fail(fmt.Errorf("CONNECT via %s: %w", path.Proxy, err))
	}
	resp.Body.Close()
	path.StatusCode = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("proxy answered CONNECT with %s", resp.Status)
		conn.Close()
		path.OK = false
		path.Stage = "proxy"
		path.Class = ClassProxy
		if resp.StatusCode == http.StatusProxyAuthRequired {
			path.Class = ClassProxyAuth
		}
		path.Error = err.Error()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	if br.Buffered() > 0 {
		// Bytes after the proxy's answer belong to the tunnel.
		return &bufferedConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// bufferedConn is a tunnel whose first bytes were read with the proxy's answer.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func socks(ctx context.Context, env Env, proxyURL *url.URL, target string, path *ProxyPath) (net.Conn, error) {
	var auth *xproxy.Auth
	if u := proxyURL.User; u != nil {
		pw, _ := u.Password()
		auth = &xproxy.Auth{User: u.Username(), Password: pw}
	}
	d, err := xproxy.SOCKS5("tcp", proxyURL.Host, auth, ctxDialer{env.Dialer})
	path.Target = target
	if err != nil {
		path.fail("proxy", err)
		return nil, err
	}
	start := time.Now()
	conn, err := d.(xproxy.ContextDialer).DialContext(ctx, "tcp", target)
	path.Phases.Connect = time.Since(start)
	if err != nil {
		err = fmt.Errorf("SOCKS via %s: %w", path.Proxy, err)
		path.fail("proxy", err)
		return nil, err
	}
	path.OK = true
	return conn, nil
}

// dialApple connects to an Apple host the way an app on this Mac would: via
// the proxy the OS applies to https://host:port, or directly, recording
// which in a.Via. Without a proxy it is dialTimed.
func dialApple(ctx context.Context, env Env, host string, port int, a *Attempt) (net.Conn, error) {
	target := net.JoinHostPort(host, strconv.Itoa(port))
	pu, err := env.proxyFor(&url.URL{Scheme: "https", Host: target})
	if err != nil || pu == nil {
		return dialTimed(ctx, env, "tcp", host, port, a)
	}
	var path ProxyPath
	conn, err := tunnel(ctx, env, pu, target, &path)
	*a = path.Attempt
	a.Target = target
	return conn, err
}

// ctxDialer adapts our Dialer to x/net/proxy's forward dialer.
type ctxDialer struct{ d Dialer }

func (c ctxDialer) Dial(network, addr string) (net.Conn, error) {
	return c.d.DialContext(context.Background(), network, addr)
}

func (c ctxDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return c.d.DialContext(ctx, network, addr)
}
