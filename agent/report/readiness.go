package report

import (
	"cmp"
	"fmt"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/currency"
)

// readiness is the "Install / update / restore" section: what Apple
// Support asks for with error 3014 (the Mac cannot reach or verify Apple's
// update and restore servers), gathered from the checks in one place. It
// is computed from the check document (before redaction for the JSON form,
// from the redacted document for text and markdown), so its strings pass
// the same redactor as the rest.
type readiness struct {
	// MacOS is the currency probe's evidence; nil when it did not run.
	MacOS *probes.CurrencyEvidence `json:"macos"`
	// Clock is the clock probe's evidence, ClockStatus its outcome.
	Clock       *probes.ClockEvidence `json:"clock"`
	ClockStatus probes.Status         `json:"clock_status,omitempty"`
	TLS         tlsState              `json:"tls"`
	// UpdateHosts is the services probe's software_update service.
	UpdateHosts *probes.ServiceResult `json:"update_hosts"`
}

// tlsState says whether Apple's certificates reach this Mac unaltered.
type tlsState struct {
	// State is genuine (a sign-in host verified with an issuer Apple
	// uses), intercepted (someone else's certificate: TLS inspection),
	// failed (no handshake completed) or not_checked.
	State  string `json:"state"`
	Target string `json:"target,omitempty"`
	Issuer string `json:"issuer,omitempty"`
	// GDMF is gdmf.apple.com's chain against Apple's root (the currency
	// probe): genuine, intercepted, or "" when it was not fetched.
	GDMF       string `json:"gdmf,omitempty"`
	GDMFIssuer string `json:"gdmf_issuer,omitempty"`
}

func readinessOf(doc verdict.Document) readiness {
	r := readiness{
		MacOS: probes.Evidence[probes.CurrencyEvidence](doc.Probes),
		Clock: probes.Evidence[probes.ClockEvidence](doc.Probes),
	}
	if res, ok := doc.Probes.Get(probes.IDClock); ok && r.Clock != nil {
		r.ClockStatus = res.Status
	}
	if s := probes.Evidence[probes.ServicesEvidence](doc.Probes); s != nil {
		r.UpdateHosts = s.Service(catalog.SoftwareUpdate)
	}
	r.TLS = tlsStateOf(probes.Evidence[probes.TLSEvidence](doc.Probes), r.MacOS)
	return r
}

func tlsStateOf(ev *probes.TLSEvidence, cur *probes.CurrencyEvidence) tlsState {
	t := tlsState{State: "not_checked"}
	if ev != nil {
		switch h := ev.Interception(); {
		case h != nil:
			t = tlsState{State: "intercepted", Target: h.Target, Issuer: h.Issuer}
		case len(ev.Hosts) > 0:
			t.State = "failed"
			for _, h := range ev.Hosts {
				if h.OK && h.Verified && h.TrustedIssuer {
					t = tlsState{State: "genuine", Target: h.Target, Issuer: h.Issuer}
					break
				}
			}
		}
	}
	if cur != nil {
		switch {
		case cur.Interception:
			t.GDMF, t.GDMFIssuer = "intercepted", cur.Issuer
		case cur.Error == "" && !cur.Fetched.IsZero():
			t.GDMF = "genuine"
		}
	}
	return t
}

// readinessBlocks lays the section out for text and markdown.
func (m model) readinessBlocks() []block {
	r := readinessOf(m.Doc)
	var bs blocks
	bs.add(para{line(plain("What Apple Support asks for when installs, updates or restores fail (error 3014)."))})
	bs.add(fieldsOf(
		f("macOS", plain(m.macOSLine(r.MacOS))),
		f("Release list", plain(m.listLine(r.MacOS))),
		f("Clock", plain(clockLine(r.Clock, r.ClockStatus))),
		f("TLS", plain(tlsLine(r.TLS))),
		f("Update hosts", plain(updateLine(r.UpdateHosts))),
	))
	if r.MacOS != nil {
		bs.add(errorBlock("release list error", r.MacOS.Error))
	}
	if r.UpdateHosts != nil {
		var hosts []item
		for _, h := range r.UpdateHosts.Hosts {
			it := attemptItem(line(plain(string(h.Probe))), h.Attempt)
			it.text = append(it.text, plain(" · "+h.Path))
			if h.Interception {
				it.text = append(it.text, plain(" · intercepted, issued by "+h.Issuer))
			}
			hosts = append(hosts, it)
		}
		bs.add(listOf(hosts))
	}
	return bs
}

func (m model) macOSLine(c *probes.CurrencyEvidence) string {
	if c == nil {
		return "not checked"
	}
	if c.State == currency.StateUnknown && c.Installed == "" {
		return "not checked: " + c.Reason
	}
	s := "macOS " + c.Installed
	if c.Build != "" {
		s += " (" + c.Build + ")"
	}
	latest := c.Latest
	if c.LatestBuild != "" {
		latest += " (" + c.LatestBuild + ")"
	}
	switch c.State {
	case currency.StateCurrent:
		s += ": current, the newest " + c.Line
	case currency.StateBehind:
		s += fmt.Sprintf(": behind, %s is current; behind since %s (%d days, within the %d-day grace)",
			latest, cmp.Or(c.BehindSince, "an undated day"), c.DaysBehind, int(currency.Grace/(24*time.Hour)))
	case currency.StateOutdated:
		s += fmt.Sprintf(": outdated, %s is current (first posted %s); behind since %s (%d days)",
			latest, cmp.Or(c.LatestPosted, "on an undated day"), c.BehindSince, c.DaysBehind)
	default:
		s += ": currency unknown"
		if c.Reason != "" {
			s += " (" + c.Reason + ")"
		}
	}
	return s
}

func (m model) listLine(c *probes.CurrencyEvidence) string {
	if c == nil || c.Source == "" || c.Reason == "macOS only" {
		return ""
	}
	s := c.Source
	switch {
	case c.Fetched.IsZero():
		s += ", never read"
	case c.Cached:
		s += ", read " + m.both(c.Fetched) + " (cached)"
	default:
		s += ", read " + m.both(c.Fetched)
	}
	if c.Class != "" {
		s += "; last request failed (" + string(c.Class) + ")"
	}
	if c.CacheError != "" {
		s += "; cache: " + c.CacheError
	}
	return s
}

func clockLine(c *probes.ClockEvidence, st probes.Status) string {
	switch {
	case c == nil:
		return "not checked"
	case c.Source == probes.ClockSourceNone:
		return "not measured: the time could not be read (" + cmp.Or(string(c.NTPClass), "no source") + ")"
	}
	s := fmt.Sprintf("%+.3f s ± %.3f s", c.OffsetMS/1e3, c.UncertaintyMS/1e3)
	switch {
	case c.Inconclusive:
		s += " (within the uncertainty: right)"
	case st == probes.StatusOK:
		s += " (right)"
	default:
		dir := "slow"
		if c.OffsetMS < 0 {
			dir = "fast"
		}
		s += " (" + verdict.Span(probes.FromMillis(c.OffsetMS)) + " " + dir + ")"
	}
	if c.Source == probes.ClockSourceHTTPDate {
		return s + ", from Apple's HTTPS Date headers"
	}
	return s + ", from NTP server " + c.Server
}

func tlsLine(t tlsState) string {
	var s string
	switch t.State {
	case "genuine":
		s = "genuine: " + t.Target + " issued by " + t.Issuer
	case "intercepted":
		s = "intercepted: " + t.Target + " issued by " + t.Issuer + ", not a certificate authority Apple uses"
	case "failed":
		s = "no handshake with Apple's sign-in servers completed"
	default:
		s = "not checked"
	}
	switch t.GDMF {
	case "genuine":
		s += "; gdmf.apple.com verified against Apple Root CA"
	case "intercepted":
		s += "; gdmf.apple.com's certificate is not Apple's (issued by " + t.GDMFIssuer + ")"
	}
	return s
}

func updateLine(s *probes.ServiceResult) string {
	if s == nil {
		return "not checked"
	}
	return verdict.StatusSymbol(s.Status) + " " + s.Summary
}
