package probes

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

// HTTPSEvidence is what the https probe found.
type HTTPSEvidence struct {
	Attempt
	URL        string `json:"url"`
	Proxy      string `json:"proxy,omitempty"` // the proxy the request went through
	StatusCode int    `json:"status_code,omitempty"`
	// Date is the server's Date header; with Received it dates this Mac's
	// clock when NTP is blocked.
	Date     string    `json:"date,omitempty"`
	Received time.Time `json:"received,omitzero"`
}

// ServerDate returns the parsed Date header and when it arrived.
func (e *HTTPSEvidence) ServerDate() (server, local time.Time, ok bool) {
	t, err := http.ParseTime(e.Date)
	if err != nil || e.Received.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	return t, e.Received, true
}

// HTTPS fetches the Apple ID sign-in endpoint through the transport the OS
// would use, proxy included. Any HTTP status proves the path works; a 5xx
// means Apple's side is failing.
type HTTPS struct {
	Env Env
	URL string
}

func (HTTPS) ID() ID { return IDHTTPS }

func (p HTTPS) Run(ctx context.Context) Result {
	ev := &HTTPSEvidence{URL: p.URL}
	ev.Target = p.URL
	res := Result{Evidence: ev}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		ev.fail("request", err)
		res.Status, res.Summary = StatusError, "bad signin_url"
		return res
	}
	if proxy, err := p.Env.proxyFunc()(req); err == nil && proxy != nil {
		ev.Proxy = proxy.Redacted()
	}
	dialer := &resolvingDialer{env: p.Env}
	client := &http.Client{
		Transport: newTransport(p.Env, dialer),
		// A redirect is an answer too; following it would time another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	// The transport may call the trace from its own goroutines, even after
	// Do returned (a dial cut off by the deadline finishes later): the
	// times go through a lock, and the evidence gets a snapshot.
	var t traceTimes
	trace := &httptrace.ClientTrace{
		TLSHandshakeStart:    func() { t.mark(&t.tlsStart) },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { t.mark(&t.tlsDone) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.mark(&t.wrote) },
		GotFirstResponseByte: func() { t.mark(&t.firstByte) },
	}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	resp, err := client.Do(req)
	tlsStart, tlsDone, wrote, firstByte := t.snapshot()
	if !tlsStart.IsZero() && !tlsDone.IsZero() {
		ev.Phases.TLS = tlsDone.Sub(tlsStart)
	}
	if !wrote.IsZero() && !firstByte.IsZero() {
		ev.Phases.FirstByte = firstByte.Sub(wrote)
	}
	var failed string
	ev.Phases.Resolve, ev.Phases.Connect, ev.Address, failed = dialer.result()
	if err != nil {
		stage := "http"
		switch {
		case failed != "":
			stage = failed
		case tlsStart.IsZero() && ev.Proxy != "":
			stage = "proxy" // the proxy refused the CONNECT
		case wrote.IsZero():
			stage = "tls"
		}
		ev.fail(stage, err)
		res.Status, res.Summary = StatusFail, fmt.Sprintf("%s failed at %s (%s)", p.URL, stage, ev.Class)
		return res
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	ev.OK = true
	ev.Received = time.Now()
	ev.StatusCode = resp.StatusCode
	ev.Date = resp.Header.Get("Date")
	if resp.StatusCode >= 500 {
		ev.OK = false
		ev.Stage = "http"
		ev.Class = ClassHTTP5xx
		ev.Error = resp.Status
		res.Status, res.Summary = StatusFail, fmt.Sprintf("Apple answered HTTP %d", resp.StatusCode)
		return res
	}
	res.Status, res.Summary = StatusOK, fmt.Sprintf("HTTP %d, first byte in %s", resp.StatusCode, HumanDuration(ev.Phases.FirstByte))
	if ev.Proxy != "" {
		res.Summary += " via proxy"
	}
	return res
}

// traceTimes are the moments an HTTP exchange reached, set from the
// transport's goroutines.
type traceTimes struct {
	mu                                  sync.Mutex
	tlsStart, tlsDone, wrote, firstByte time.Time
}

func (t *traceTimes) mark(at *time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if at.IsZero() {
		*at = time.Now()
	}
}

func (t *traceTimes) snapshot() (tlsStart, tlsDone, wrote, firstByte time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tlsStart, t.tlsDone, t.wrote, t.firstByte
}
