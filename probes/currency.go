package probes

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/idpulse/idpulse/probes/currency"
	"github.com/idpulse/idpulse/probes/netenv"
)

// CurrencyEvidence is what the currency probe found: the installed macOS
// against the newest release of its line in Apple's list (gdmf).
type CurrencyEvidence struct {
	// Installed is sw_vers's version with its security response, "14.3"
	// or "26.3.1 (a)"; Build its BuildVersion.
	Installed string `json:"installed,omitempty"`
	Build     string `json:"build,omitempty"`
	// State is current, behind (for 30 days or less), outdated or unknown.
	State currency.State `json:"state"`
	// Line is the major line judged against, "macOS 14".
	Line string `json:"line,omitempty"`
	// Latest is the newest release of the line, LatestPosted the day
	// Apple first posted it (YYYY-MM-DD).
	Latest       string `json:"latest,omitempty"`
	LatestBuild  string `json:"latest_build,omitempty"`
	LatestPosted string `json:"latest_posted,omitempty"`
	// BehindSince is the day the oldest newer release was first posted,
	// DaysBehind how long ago that is.
	BehindSince string `json:"behind_since,omitempty"`
	DaysBehind  int    `json:"days_behind,omitempty"`
	// Reason says why the state is unknown, or what is unusual about it.
	Reason string `json:"reason,omitempty"`
	// Source is the list's URL; Fetched when it was last read from there;
	// Cached that this cycle used the cache without asking.
	Source  string    `json:"source"`
	Fetched time.Time `json:"fetched,omitzero"`
	Cached  bool      `json:"cached"`
	// Error and Class are the latest request's failure (this cycle's, or
	// the cached one until the retry is due). Interception: the server's
	// certificate does not chain to Apple's root, Issuer is who issued it.
	Error        string `json:"error,omitempty"`
	Class        Class  `json:"class,omitempty"`
	Interception bool   `json:"interception,omitempty"`
	Issuer       string `json:"issuer,omitempty"`
	// CacheError is a problem with the cache file (kept aside, not
	// writable); the check went on without it.
	CacheError string `json:"cache_error,omitempty"`
}

// Outdated reports whether the Mac is behind its line for longer than
// currency.Grace.
func (e *CurrencyEvidence) Outdated() bool { return e != nil && e.State == currency.StateOutdated }

// Currency compares the installed macOS with Apple's list of current
// releases. The list is cached (see package currency for why the request
// never holds up the sign-in checks): a fresh cache costs no request.
type Currency struct {
	Env Env
	// URL is Apple's list (check.gdmf_url).
	URL string
	// Cache is the cache file; "" keeps nothing, and every cycle asks.
	Cache string
	// Jitter spreads the next refresh: a duration in [0, n); nil is random.
	Jitter func(n time.Duration) time.Duration
}

// currencyBudget bounds the request inside the probe's own timeout: the
// list is small, and a slow gdmf must not stretch the cycle.
const currencyBudget = 3 * time.Second

// currencyMaxAge is how old a cached list may be to call this Mac current
// (the refresh failed since): a newer release may have come out. Being
// behind, by contrast, an old list proves as well as a new one.
const currencyMaxAge = 14 * 24 * time.Hour

func (Currency) ID() ID { return IDCurrency }

func (p Currency) Run(ctx context.Context) Result {
	ev := &CurrencyEvidence{State: currency.StateUnknown, Source: p.URL}
	res := Result{Evidence: ev, Status: StatusWarn}
	if p.Env.GOOS != "darwin" {
		ev.Reason = "macOS only"
		res.Status, res.Summary = StatusSkip, "macOS only"
		return res
	}
	si, err := netenv.ReadSwVers(ctx, p.Env.Runner)
	var installed currency.Version
	if err == nil {
		ev.Installed, ev.Build = si.Version, si.Build
		if si.Extra != "" {
			ev.Installed += " " + si.Extra
		}
		installed, err = currency.ParseVersion(si.Version, si.Extra, si.Build)
	}
	if err != nil {
		ev.Reason = err.Error()
		res.Summary = "macOS version unknown: " + err.Error()
		return res
	}

	now := p.now()
	cache := currency.Cache{Path: p.Cache, Now: p.now}
	var entry currency.Entry
	if p.Cache != "" {
		if entry, err = cache.Load(); err != nil {
			ev.CacheError = err.Error()
		}
	}
	if entry.Due(now, p.URL) {
		cat, fail := p.fetch(ctx)
		if fail == nil {
			entry = entry.Succeeded(p.URL, cat, now, p.Jitter)
		} else {
			entry = entry.Failed(p.URL, *fail, now, p.Jitter)
		}
		if p.Cache != "" {
			if err := cache.Save(entry); err != nil && ev.CacheError == "" {
				ev.CacheError = err.Error()
			}
		}
	} else {
		ev.Cached = true
	}
	ev.Fetched = entry.Fetched
	ev.Error, ev.Class, ev.Interception, ev.Issuer = entry.Error, Class(entry.Class), entry.Interception, entry.Issuer

	a := currency.Assess(installed, entry.Catalog(), now)
	if a.State == currency.StateCurrent && now.Sub(entry.Fetched) > currencyMaxAge {
		a.State = currency.StateUnknown
		a.Reason = "Apple's list was last read on " + entry.Fetched.UTC().Format(time.DateOnly)
	}
	p.describe(ev, a, now)
	res.Status, res.Summary = currencySummary(ev)
	return res
}

func (p Currency) now() time.Time {
	if p.Env.Now != nil {
		return p.Env.Now()
	}
	return time.Now()
}

// describe copies the assessment into the evidence.
func (p Currency) describe(ev *CurrencyEvidence, a currency.Assessment, now time.Time) {
	ev.State, ev.Line = a.State, a.Line.String()
	ev.Reason = a.Reason
	if a.Latest != nil {
		ev.Latest, ev.LatestBuild = a.Latest.Version.String(), a.Latest.Version.Build
	}
	if !a.LatestPosted.IsZero() {
		ev.LatestPosted = a.LatestPosted.Format(time.DateOnly)
	}
	if !a.Since.IsZero() {
		ev.BehindSince = a.Since.Format(time.DateOnly)
		ev.DaysBehind = int(a.Behind(now) / (24 * time.Hour))
	}
}

func currencySummary(ev *CurrencyEvidence) (Status, string) {
	switch ev.State {
	case currency.StateCurrent:
		return StatusOK, fmt.Sprintf("macOS %s is current (newest of %s)", ev.Installed, ev.Line)
	case currency.StateBehind:
		return StatusOK, fmt.Sprintf("macOS %s; %s is out since %s (%d days, within %d)", ev.Installed, ev.Latest,
			orUndated(ev.BehindSince), ev.DaysBehind, int(currency.Grace/(24*time.Hour)))
	case currency.StateOutdated:
		return StatusWarn, fmt.Sprintf("macOS %s is %d days behind: %s is current", ev.Installed, ev.DaysBehind, ev.Latest)
	}
	if ev.Interception {
		return StatusWarn, "gdmf.apple.com's certificate is not Apple's (TLS interception?)"
	}
	if ev.Error != "" {
		return StatusWarn, fmt.Sprintf("Apple's release list could not be read (%s)", ev.Class)
	}
	return StatusWarn, "macOS " + ev.Installed + ": currency unknown: " + ev.Reason
}

func orUndated(day string) string {
	if day == "" {
		return "an undated day"
	}
	return day
}

// fetch reads Apple's list on the path the OS applies (its proxy, its
// resolver), verifying the server against Apple's root alone.
func (p Currency) fetch(ctx context.Context) (currency.Catalog, *currency.Failure) {
	ctx, cancel := context.WithTimeout(ctx, currencyBudget)
	defer cancel()
	tr := newTransport(p.Env, nil)
	roots := p.Env.AppleRoots
	if roots == nil {
		roots = currency.AppleRoots()
	}
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	// Unlike the probes that time a fresh exchange, this one wants the
	// list cheaply: gzip it.
	tr.DisableCompression = false
	cat, err := currency.Fetch(ctx, &http.Client{Transport: tr}, p.URL)
	if err == nil {
		return cat, nil
	}
	f := &currency.Failure{Error: err.Error(), Class: string(Classify(err))}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		var ua x509.UnknownAuthorityError
		f.Interception = errors.As(cv.Err, &ua)
		if len(cv.UnverifiedCertificates) > 0 {
			leaf := cv.UnverifiedCertificates[0]
			f.Issuer = describeName(leaf.Issuer.CommonName, leaf.Issuer.Organization)
		}
		if f.Interception {
			f.Error = fmt.Sprintf("gdmf.apple.com's certificate is not Apple's (TLS interception?): issued by %s, which does not chain to Apple Root CA: %v", f.Issuer, err)
		}
	}
	return currency.Catalog{}, f
}
