package verdict

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes"
)

// Finding codes added by the clock and Apple System Status checks.
const (
	FindingClockDrift       Code = "clock_drift"
	FindingNTPUnavailable   Code = "ntp_unavailable"
	FindingFeedUnavailable  Code = "feed_unavailable"
	FindingAppleIssue       Code = "apple_issue"
	FindingAppleMaintenance Code = "apple_maintenance"
)

func (f facts) clockStatus() probes.Status { return f.status(probes.IDClock) }

func describeOffset(c *probes.ClockEvidence) string {
	off := c.Offset()
	dir := "slow"
	if off < 0 {
		dir = "fast"
	}
	return fmt.Sprintf("%s %s", humanDuration(off.Abs()), dir)
}

// humanDuration says "7 min" or "42 s" or "3 h 5 min": what a person reads.
func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		h := d / time.Hour
		m := (d % time.Hour) / time.Minute
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	case d >= time.Minute:
		return fmt.Sprintf("%d min", (d+30*time.Second)/time.Minute)
	}
	return fmt.Sprintf("%d s", (d+500*time.Millisecond)/time.Second)
}

func clockSource(c *probes.ClockEvidence) string {
	if c.Source == probes.ClockSourceHTTPDate {
		return "Apple's web servers' Date headers (NTP is blocked)"
	}
	return "NTP server " + c.Server
}

func matchClockSkew(f facts, v *Verdict) bool {
	c := f.clock
	measured := c != nil && c.Measured()
	var certTime *probes.TLSHandshake
	if f.tls != nil {
		certTime = f.tls.CertTime()
	}
	switch {
	case measured && f.clockStatus() == probes.StatusFail:
	case certTime != nil && measured && f.clockStatus() == probes.StatusWarn:
		// Below the skew threshold, but certificates already fail on it.
	case certTime != nil && !measured && certTime.TrustedIssuer:
		// Apple's own certificate, rejected only on dates: the clock is
		// the one explanation left, even if it could not be measured.
	default:
		return false
	}
	if measured {
		v.Headline = "This Mac's clock is " + describeOffset(c)
		v.Evidence = append(v.Evidence, fmt.Sprintf("offset %+.3f s ± %.3f s, from %s", c.OffsetMS/1e3, c.UncertaintyMS/1e3, clockSource(c)))
	} else {
		v.Headline = "This Mac's clock appears to be wrong"
	}
	v.Detail = "Apple's servers reject sign-in when the date and time are off: their certificates look invalid and security codes expire. Set the date and time automatically, then check again."
	if certTime != nil {
		v.Evidence = append(v.Evidence, fmt.Sprintf("certificate for %s is %s (valid %s – %s)", certTime.Target,
			strings.ReplaceAll(certTime.Validity, "_", " "), certTime.NotBefore.Format(time.DateOnly), certTime.NotAfter.Format(time.DateOnly)))
	}
	return true
}

func matchClockDrift(f facts, v *Verdict) bool {
	c := f.clock
	if c == nil || !c.Measured() || f.clockStatus() != probes.StatusWarn {
		return false
	}
	v.Headline = "This Mac's clock is " + describeOffset(c)
	v.Detail = "Not enough to break sign-in yet, but a drifting clock eventually does. Turn on \"Set time and date automatically\"."
	v.Evidence = append(v.Evidence, fmt.Sprintf("offset %+.3f s ± %.3f s, from %s", c.OffsetMS/1e3, c.UncertaintyMS/1e3, clockSource(c)))
	return true
}

func matchNTPUnavailable(f facts, v *Verdict) bool {
	c := f.clock
	if c == nil || c.Source != probes.ClockSourceNone {
		return false
	}
	v.Headline = "The time server cannot be reached"
	v.Detail = fmt.Sprintf("%s does not answer (%s) and no web server gave the time, so the clock could not be checked. Networks that block NTP (UDP port 123) do this.", c.Server, c.NTPClass)
	if c.NTPError != "" {
		v.Evidence = append(v.Evidence, c.NTPError)
	}
	return true
}

// ongoing returns the watched services' ongoing events that match keep.
func (f facts) appleEvents(keep func(s AppleService, e AppleEvent) bool) (svcs []AppleService, evs []AppleEvent) {
	if f.apple == nil {
		return nil, nil
	}
	for _, s := range f.apple.Services {
		for _, e := range s.Events {
			if keep(s, e) {
				svcs = append(svcs, s)
				evs = append(evs, e)
			}
		}
	}
	return svcs, evs
}

func isProblem(e AppleEvent) bool { return e.Status == "ongoing" && e.Type != "Maintenance" }

func describeEvent(s AppleService, e AppleEvent) string {
	out := fmt.Sprintf("%s: %s", s.Name, e.Type)
	if e.Start != nil {
		out += " since " + e.Start.Local().Format("Jan 2 15:04")
	}
	if e.UsersAffected != "" {
		out += " — " + e.UsersAffected
	}
	if e.Message != "" {
		out += ": " + e.Message
	}
	return out
}

func matchAppleOutage(f facts, v *Verdict) bool {
	svcs, evs := f.appleEvents(func(s AppleService, e AppleEvent) bool { return s.SignIn && isProblem(e) })
	if len(evs) == 0 {
		return false
	}
	v.Level = LevelDegraded
	kind := "a problem"
	for _, e := range evs {
		if e.Type == "Outage" {
			v.Level, kind = LevelDown, "an outage"
		}
	}
	v.Headline = fmt.Sprintf("Apple reports %s with %s — nothing to fix on this Mac", kind, svcs[0].Name)
	v.Detail = "Apple System Status shows an ongoing event on a sign-in service. Apple is working on it; sign-in should work again once it is resolved."
	for i := range evs {
		v.Evidence = append(v.Evidence, describeEvent(svcs[i], evs[i]))
	}
	return true
}

func matchAppleIssue(f facts, v *Verdict) bool {
	svcs, evs := f.appleEvents(func(s AppleService, e AppleEvent) bool { return !s.SignIn && isProblem(e) })
	if len(evs) == 0 {
		return false
	}
	names := []string{}
	for _, s := range svcs {
		if !slices.Contains(names, s.Name) {
			names = append(names, s.Name)
		}
	}
	v.Headline = "Apple reports problems with " + listNames(names, 3)
	v.Detail = "Apple System Status shows an ongoing event on a service you use. It does not affect signing in."
	for i := range evs {
		v.Evidence = append(v.Evidence, describeEvent(svcs[i], evs[i]))
	}
	return true
}

func matchAppleMaintenance(f facts, v *Verdict) bool {
	svcs, evs := f.appleEvents(func(_ AppleService, e AppleEvent) bool {
		return e.Type == "Maintenance" && (e.Status == "ongoing" || e.Status == "upcoming")
	})
	if len(evs) == 0 {
		return false
	}
	v.Headline = "Apple has scheduled maintenance on " + svcs[0].Name
	v.Detail = "Some Apple services may be briefly unavailable during maintenance."
	for i := range evs {
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s (%s)", describeEvent(svcs[i], evs[i]), evs[i].Status))
	}
	return true
}

func matchFeedUnavailable(f facts, v *Verdict) bool {
	if f.apple == nil || f.apple.Error == nil {
		return false
	}
	v.Headline = "Apple System Status could not be read"
	v.Detail = "idpulse could not fetch Apple's status page, so Apple-side outages are not known right now. The other checks are not affected."
	v.Evidence = append(v.Evidence, *f.apple.Error)
	return true
}
