package probes

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
}

// Captive fetches Apple's hotspot-detect page the way macOS does: without
// following redirects, because a portal's redirect is exactly the evidence.
type Captive struct {
	Env Env
	URL string
}

func (Captive) ID() ID { return IDCaptive }

const captiveBodyLimit = 4 << 10

func (p Captive) Run(ctx context.Context) Result {
	ev := &CaptiveEvidence{URL: p.URL}
	res := Result{Evidence: ev}
	client := &http.Client{
		Transport: newTransport(p.Env, nil),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		ev.Error = err.Error()
		res.Status, res.Summary = StatusError, "bad captive_url"
		return res
	}
	resp, err := client.Do(req)
	if err != nil {
		ev.Class, ev.Error = Classify(err), err.Error()
		res.Status, res.Summary = StatusFail, fmt.Sprintf("portal check unreachable (%s)", ev.Class)
		return res
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, captiveBodyLimit))
	ev.StatusCode = resp.StatusCode
	ev.Location = resp.Header.Get("Location")
	if resp.StatusCode == http.StatusOK && strings.Contains(string(body), "<TITLE>Success</TITLE>") {
		res.Status, res.Summary = StatusOK, "no captive portal"
		return res
	}
	ev.Portal = true
	ev.PortalURL = p.URL
	if ev.Location != "" {
		if u, err := resp.Request.URL.Parse(ev.Location); err == nil {
			ev.PortalURL = u.String()
		}
	}
	res.Status, res.Summary = StatusFail, fmt.Sprintf("captive portal: HTTP %d instead of Apple's Success page", resp.StatusCode)
	return res
}
