package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/beevik/ntp"
)

// Clock sources, in order of preference.
const (
	ClockSourceNTP      = "ntp"
	ClockSourceHTTPDate = "http_date"
	ClockSourceNone     = "none"
)

// DateSample is one server's Date header compared with this Mac's clock.
type DateSample struct {
	URL      string  `json:"url"`
	OffsetMS float64 `json:"offset_ms,omitempty"`
	RTTMS    float64 `json:"rtt_ms,omitempty"`
	Error    string  `json:"error,omitempty"`
}

// ClockEvidence is what the clock probe found. Offset is server minus local:
// positive means this Mac's clock is behind (slow).
type ClockEvidence struct {
	Source        string  `json:"source"`
	Server        string  `json:"server,omitempty"`
	OffsetMS      float64 `json:"offset_ms"`
	UncertaintyMS float64 `json:"uncertainty_ms"`
	// Inconclusive is true when the offset is smaller than its uncertainty:
	// the measurement cannot tell drift from noise.
	Inconclusive bool         `json:"inconclusive"`
	Stratum      uint8        `json:"stratum,omitempty"`
	NTPClass     Class        `json:"ntp_class,omitempty"`
	NTPError     string       `json:"ntp_error,omitempty"`
	Samples      []DateSample `json:"date_samples,omitempty"`
}

// Offset is the measured offset as a duration.
func (e *ClockEvidence) Offset() time.Duration { return time.Duration(e.OffsetMS * 1e6) }

// Measured reports whether an offset was measured conclusively.
func (e *ClockEvidence) Measured() bool { return e.Source != ClockSourceNone && !e.Inconclusive }

// Clock measures this Mac's clock against Apple's time server. Corporate
// networks often block UDP 123, so when NTP fails it falls back to the Date
// headers of Apple's HTTPS servers (1 s resolution, median of several).
type Clock struct {
	Env      Env
	Server   string   // host or host:port
	DateURLs []string // fallback
	Warn     time.Duration
	Fail     time.Duration
}

func (Clock) ID() ID { return IDClock }

func (p Clock) Run(ctx context.Context) Result {
	ev := &ClockEvidence{Source: ClockSourceNone, Server: p.Server}
	res := Result{Evidence: ev}
	offset, rtt, err := p.queryNTP(ctx, ev)
	if err == nil {
		ev.Source = ClockSourceNTP
	} else {
		ev.NTPClass, ev.NTPError = Classify(err), err.Error()
		if errors.Is(err, ntp.ErrKissOfDeath) || errors.Is(err, ntp.ErrInvalidLeapSecond) ||
			errors.Is(err, ntp.ErrInvalidStratum) || errors.Is(err, ntp.ErrServerClockFreshness) {
			ev.NTPClass = "ntp_invalid"
		}
		offset, rtt, err = p.fromDates(ctx, ev)
		if err == nil {
			ev.Source = ClockSourceHTTPDate
		}
	}
	if ev.Source == ClockSourceNone {
		res.Status, res.Summary = StatusWarn, fmt.Sprintf("time server unreachable (%s); clock not checked", ev.NTPClass)
		return res
	}
	uncertainty := rtt / 2
	if ev.Source == ClockSourceHTTPDate {
		uncertainty += 500 * time.Millisecond // Date has whole seconds
	}
	ev.OffsetMS, ev.UncertaintyMS = Millis(offset), Millis(uncertainty)
	abs := offset.Abs()
	ev.Inconclusive = abs < uncertainty
	via := "NTP " + p.Server
	if ev.Source == ClockSourceHTTPDate {
		via = "Apple's HTTPS Date headers (NTP blocked)"
	}
	switch {
	case ev.Inconclusive:
		res.Status, res.Summary = StatusOK, fmt.Sprintf("clock correct (±%s, %s)", roundDur(uncertainty), via)
	case abs >= p.Fail:
		res.Status, res.Summary = StatusFail, fmt.Sprintf("clock is %s %s (%s)", roundDur(abs), slowFast(offset), via)
	case abs >= p.Warn:
		res.Status, res.Summary = StatusWarn, fmt.Sprintf("clock is %s %s (%s)", roundDur(abs), slowFast(offset), via)
	default:
		res.Status, res.Summary = StatusOK, fmt.Sprintf("clock correct (off by %s, %s)", roundDur(abs), via)
	}
	return res
}

// SlowFast describes an offset (server − local) as the user sees their clock.
func slowFast(offset time.Duration) string {
	if offset > 0 {
		return "slow"
	}
	return "fast"
}

func roundDur(d time.Duration) string { return HumanDuration(d) }

func (p Clock) queryNTP(ctx context.Context, ev *ClockEvidence) (offset, rtt time.Duration, err error) {
	timeout := 2 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		// Leave time for the Date-header fallback.
		timeout = min(timeout, time.Until(dl)/2)
	}
	server := p.Server
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "123")
	}
	resp, err := ntp.QueryWithOptions(server, ntp.QueryOptions{
		Timeout: timeout,
		// beevik/ntp has no context; resolving and dialling through the
		// environment keeps the query on the same path as every probe.
		Dialer: func(_, remote string) (net.Conn, error) {
			var a Attempt
			host, portStr, _ := net.SplitHostPort(remote)
			port := 123
			fmt.Sscan(portStr, &port)
			return dialTimed(ctx, p.Env, "udp", host, port, &a)
		},
	})
	if err != nil {
		return 0, 0, fmt.Errorf("ntp %s: %w", p.Server, err)
	}
	ev.Stratum = resp.Stratum
	if err := resp.Validate(); err != nil {
		// Kiss-of-death and unsynchronised servers answer without error;
		// their time must not be trusted.
		return 0, 0, fmt.Errorf("ntp %s: %w", p.Server, err)
	}
	return resp.ClockOffset, resp.RTT, nil
}

// fromDates estimates the offset from HTTPS Date headers: the median of
// several servers, each taken at the midpoint of its round trip.
func (p Clock) fromDates(ctx context.Context, ev *ClockEvidence) (offset, rtt time.Duration, err error) {
	if len(p.DateURLs) == 0 {
		return 0, 0, errors.New("no Date-header fallback configured")
	}
	ev.Samples = make([]DateSample, len(p.DateURLs))
	var wg sync.WaitGroup
	for i, u := range p.DateURLs {
		wg.Go(func() { ev.Samples[i] = p.dateSample(ctx, u) })
	}
	wg.Wait()
	var offsets, rtts []time.Duration
	for _, s := range ev.Samples {
		if s.Error == "" {
			offsets = append(offsets, time.Duration(s.OffsetMS*1e6))
			rtts = append(rtts, time.Duration(s.RTTMS*1e6))
		}
	}
	if len(offsets) == 0 {
		return 0, 0, errors.New("no server answered with a Date header")
	}
	return median(offsets), median(rtts), nil
}

func (p Clock) dateSample(ctx context.Context, u string) DateSample {
	s := DateSample{URL: u}
	tr := newTransport(p.Env, nil)
	// The clock is what is in question, so certificate dates cannot be
	// checked against it. Trust is still checked, at a time inside the
	// leaf's validity, so a spoofed Date cannot come from a stranger.
	tr.TLSClientConfig = &tls.Config{
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("no certificate")
			}
			leaf := cs.PeerCertificates[0]
			inter := x509.NewCertPool()
			for _, c := range cs.PeerCertificates[1:] {
				inter.AddCert(c)
			}
			_, err := leaf.Verify(x509.VerifyOptions{
				Roots: p.Env.RootCAs, Intermediates: inter, DNSName: cs.ServerName,
				CurrentTime: leaf.NotBefore.Add(time.Minute),
			})
			return err
		},
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	sent := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	got := time.Now()
	resp.Body.Close()
	server, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		s.Error = "no usable Date header"
		return s
	}
	rtt := got.Sub(sent)
	// The header truncates to the second: the true server time at the
	// midpoint of the exchange is, on average, half a second later.
	mid := sent.Add(rtt / 2)
	s.OffsetMS = Millis(server.Add(500 * time.Millisecond).Sub(mid.Round(0)))
	s.RTTMS = Millis(rtt)
	return s
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
