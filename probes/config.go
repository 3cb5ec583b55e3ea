package probes

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/idpulse/idpulse/probes/catalog"
	"github.com/idpulse/idpulse/probes/currency"
)

// Duration is a time.Duration written as "5s" or "1m30s" in configuration.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration such as \"5s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration such as \"5s\", got %q", s)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	*d = Duration(v)
	return nil
}

// Config holds every target, port, timeout and threshold the probes use.
// Defaults come from Apple's "Use Apple products on enterprise networks".
type Config struct {
	// Deadline bounds one whole cycle.
	Deadline Duration `json:"deadline"`
	// ProbeTimeout bounds each probe inside the cycle.
	ProbeTimeout Duration `json:"probe_timeout"`

	// SignInHosts are the Apple ID authentication hosts, dialled on HTTPSPort.
	SignInHosts []string `json:"signin_hosts"`
	HTTPSPort   int      `json:"https_port"`
	// PushHost is dialled on PushPort (APNs' TCP port).
	PushHost string `json:"push_host"`
	PushPort int    `json:"push_port"`
	// DNSNames are looked up through the system and the public resolvers.
	DNSNames []string `json:"dns_names"`
	// DNSControl is a name that is not Apple's, looked up through the system
	// resolver too: a resolver that fails it as well is broken, not a
	// filter. "" turns the cross-check off.
	DNSControl string `json:"dns_control"`
	// PublicResolvers are queried directly over UDP ("ip:port").
	PublicResolvers []string `json:"public_resolvers"`
	// ControlTargets tell "my internet is down" from "Apple is unreachable" ("ip:port").
	ControlTargets []string `json:"control_targets"`
	// CaptiveURL must answer Apple's Success page on an open network.
	CaptiveURL string `json:"captive_url"`
	// SignInURL is fetched through the OS's transport (proxy honoured).
	SignInURL string `json:"signin_url"`
	// HostsFile is parsed for entries that cover AppleDomains.
	HostsFile    string   `json:"hosts_file"`
	AppleDomains []string `json:"apple_domains"`
	// TrustedIssuers are the organisations that issue Apple's certificates; a
	// chain that verifies but is issued by anyone else is TLS interception.
	TrustedIssuers []string `json:"trusted_issuers"`
	// NTPServer is asked for the time ("host" or "host:port").
	NTPServer string `json:"ntp_server"`
	// ClockWarn and ClockFail are the clock offsets that raise the
	// clock_drift finding and the clock_skew verdict.
	ClockWarn Duration `json:"clock_warn"`
	ClockFail Duration `json:"clock_fail"`
	// SystemDNS, when set ("ip:port"), replaces the OS resolver's servers.
	SystemDNS string `json:"system_dns"`
	// Services changes the Apple host catalogue the services probe checks:
	// services switched off, hosts added (probes/catalog).
	Services catalog.Overrides `json:"services"`
	// GDMFURL is Apple's list of current OS releases, which the currency
	// probe compares the installed macOS with (https only: the point is
	// to verify it is Apple's).
	GDMFURL string `json:"gdmf_url"`
	// CurrencyCache is the file the currency probe caches that list in;
	// "" keeps nothing and asks every cycle. The caller's choice (the
	// state directory), not a setting.
	CurrencyCache string `json:"-"`
	// AllServices makes the services probe check the whole catalogue
	// instead of its sample (idpulse check --all). A run's choice, not a
	// setting, so it has no configuration key.
	AllServices bool `json:"-"`
}

// DefaultConfig is the checklist as Apple documents it.
func DefaultConfig() Config {
	signIn := []string{"appleid.apple.com", "idmsa.apple.com", "gsa.apple.com", "setup.icloud.com"}
	return Config{
		Deadline:        Duration(5 * time.Second),
		ProbeTimeout:    Duration(4 * time.Second),
		SignInHosts:     signIn,
		HTTPSPort:       443,
		PushHost:        "1-courier.push.apple.com",
		PushPort:        5223,
		DNSNames:        append(append([]string{}, signIn...), "gs.apple.com", "time.apple.com", "1-courier.push.apple.com"),
		DNSControl:      "one.one.one.one",
		PublicResolvers: []string{"1.1.1.1:53", "8.8.8.8:53"},
		ControlTargets:  []string{"1.1.1.1:443", "8.8.8.8:443"},
		CaptiveURL:      "http://captive.apple.com/hotspot-detect.html",
		SignInURL:       "https://appleid.apple.com/",
		HostsFile:       "/etc/hosts",
		NTPServer:       "time.apple.com",
		GDMFURL:         currency.DefaultURL,
		ClockWarn:       Duration(time.Minute),
		ClockFail:       Duration(5 * time.Minute),
		AppleDomains:    catalog.Domains(),
		TrustedIssuers: []string{"Apple Inc.", "DigiCert Inc", "DigiCert, Inc.", "Entrust, Inc.",
			"GlobalSign nv-sa", "Sectigo Limited", "COMODO CA Limited", "Let's Encrypt", "Google Trust Services",
			"Amazon", "Microsoft Corporation", "Akamai Technologies, Inc.", "QuoVadis Limited"},
	}
}

// Validate reports the first setting that cannot work, naming its key.
func (c Config) Validate() error {
	switch {
	case c.Deadline <= 0:
		return fmt.Errorf("deadline: must be positive")
	case c.ProbeTimeout <= 0:
		return fmt.Errorf("probe_timeout: must be positive")
	case c.Deadline < Duration(MinDeadline):
		return fmt.Errorf("deadline: %s is shorter than the %s a check needs to tell a dead network from its own limit", time.Duration(c.Deadline), MinDeadline)
	case c.Deadline > Duration(MaxDeadline):
		return fmt.Errorf("deadline: %s is longer than the %s a cycle may take", time.Duration(c.Deadline), MaxDeadline)
	case c.ProbeTimeout > c.Deadline:
		return fmt.Errorf("probe_timeout: %s is longer than deadline %s", time.Duration(c.ProbeTimeout), time.Duration(c.Deadline))
	case len(c.SignInHosts) == 0:
		return fmt.Errorf("signin_hosts: at least one host is needed")
	case c.HTTPSPort <= 0 || c.HTTPSPort > 65535:
		return fmt.Errorf("https_port: %d is not a TCP port", c.HTTPSPort)
	case c.PushPort <= 0 || c.PushPort > 65535:
		return fmt.Errorf("push_port: %d is not a TCP port", c.PushPort)
	case c.ClockWarn <= 0:
		return fmt.Errorf("clock_warn: must be positive")
	case c.ClockFail < c.ClockWarn:
		return fmt.Errorf("clock_fail: %s is less than clock_warn %s", time.Duration(c.ClockFail), time.Duration(c.ClockWarn))
	}
	if strings.TrimSpace(c.NTPServer) == "" {
		return fmt.Errorf("ntp_server: empty; name a time server such as \"time.apple.com\"")
	}
	for _, u := range []struct{ key, raw string }{{"captive_url", c.CaptiveURL}, {"signin_url", c.SignInURL}} {
		if p, err := url.Parse(u.raw); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) URL", u.key, u.raw)
		}
	}
	if p, err := url.Parse(c.GDMFURL); err != nil || p.Scheme != "https" || p.Host == "" {
		return fmt.Errorf("gdmf_url: %q is not an https URL (Apple's release list is only trusted over TLS, verified against Apple's root)", c.GDMFURL)
	}
	for i, d := range c.AppleDomains {
		// The hosts fix deletes every name under these: a domain that is
		// not Apple's ("com", "localhost") would delete the user's own.
		if !catalog.UnderApple(d) {
			return fmt.Errorf("apple_domains[%d]: %q is not one of Apple's domains (%s or a name under one)", i, d, strings.Join(catalog.AppleOwned(), ", "))
		}
	}
	for _, k := range []struct {
		key  string
		list []string
	}{{"public_resolvers", c.PublicResolvers}, {"control_targets", c.ControlTargets}} {
		for _, a := range k.list {
			if err := checkHostPort(a); err != nil {
				return fmt.Errorf("%s: %w", k.key, err)
			}
		}
	}
	if c.SystemDNS != "" {
		if err := checkHostPort(c.SystemDNS); err != nil {
			return fmt.Errorf("system_dns: %w", err)
		}
	}
	if err := c.Services.Validate(); err != nil {
		return fmt.Errorf("services.%w", err)
	}
	return nil
}

func checkHostPort(a string) error {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return fmt.Errorf("%q is not host:port", a)
	}
	if host == "" {
		return fmt.Errorf("%q has no host", a)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return fmt.Errorf("%q has no valid port", a)
	}
	return nil
}
