package probes

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// CaptiveEvidence is what the captive-portal probe found.
type CaptiveEvidence struct {
	URL        string `json:"url"`
	StatusCode int    `json:"status_code,omitempty"`
	Location   string `json:"location,omitempty"`
	// Portal is true when something other than Apple's Success page answered.
	Portal bool `json:"portal"`
	// PortalURL is where the user should log in: the redirect target, or the
	// probe URL itself (the OS's portal browser opens it).
	PortalURL string `json:"portal_url,omitempty"`
	Class     Class  `json:"class,omitempty"`
	Error     string `json:"error,omitempty"`
	// Via is the proxy the request went through ("" = direct). An answer
	// that came through a proxy is the proxy's until shown otherwise.
	Via string `json:"via,omitempty"`
	// Direct is the same check without the proxy, made when the proxied
	// one did not get Apple's Success page: it tells a proxy that refuses
	// Apple from a Wi-Fi login page.
	Direct *CaptiveEvidence `json:"direct,omitempty"`
}

// Success reports whether Apple's Success page came back.
func (e *CaptiveEvidence) Success() bool { return e.StatusCode != 0 && !e.Portal }

// Captive fetches Apple's hotspot-detect page the way macOS does: without
// following redirects, because a portal's redirect is exactly the evidence.
type Captive struct {
	Env Env
	URL string
}

func (Captive) ID() ID { return IDCaptive }

const captiveBodyLimit = 4 << 10

func (p Captive) Run(ctx context.Context) Result {
	ev := p.fetch(ctx, p.Env.proxyFunc())
	res := Result{Evidence: ev}
	if ev.Via != "" && !ev.Success() {
		ev.Direct = p.fetch(ctx, nil)
	}
	switch {
	case ev.Error != "" && ev.Class == ClassNone:
		res.Status, res.Summary = StatusError, "bad captive_url"
	case ev.Success():
		res.Status, res.Summary = StatusOK, "no captive portal"
		if ev.Via != "" {
			res.Summary += " (via proxy " + ev.Via + ")"
		}
	case ev.Via != "" && ev.Direct.Success():
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("proxy %s answered the portal check with %s; direct, it succeeds", ev.Via, describeAnswer(ev))
	case ev.StatusCode == 0:
		res.Status, res.Summary = StatusFail, fmt.Sprintf("portal check unreachable (%s)", ev.Class)
	default:
		res.Status, res.Summary = StatusFail, fmt.Sprintf("captive portal: HTTP %d instead of Apple's Success page", ev.StatusCode)
		if ev.Via != "" {
			res.Summary += " (via proxy " + ev.Via + ")"
		}
	}
	return res
}

func describeAnswer(ev *CaptiveEvidence) string {
	if ev.StatusCode == 0 {
		return string(ev.Class)
	}
	return fmt.Sprintf("HTTP %d", ev.StatusCode)
}

// fetch requests the portal check once, through proxy (nil: direct).
func (p Captive) fetch(ctx context.Context, proxy func(*http.Request) (*url.URL, error)) *CaptiveEvidence {
	ev := &CaptiveEvidence{URL: p.URL}
	tr := newTransport(p.Env, nil)
	tr.Proxy = proxy
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		ev.Error = err.Error()
		return ev
	}
	if proxy != nil {
		if u, err := proxy(req); err == nil && u != nil {
			ev.Via = u.Redacted()
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		ev.Class, ev.Error = Classify(err), err.Error()
		if ev.Class == ClassNone {
			ev.Class = ClassOther
		}
		return ev
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, captiveBodyLimit))
	ev.StatusCode = resp.StatusCode
	ev.Location = resp.Header.Get("Location")
	if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "<TITLE>Success</TITLE>") {
		return ev
	}
	ev.Portal = true
	ev.PortalURL = p.URL
	if ev.Location != "" {
		if u, err := resp.Request.URL.Parse(ev.Location); err == nil {
			ev.PortalURL = u.String()
		}
	}
	return ev
}
