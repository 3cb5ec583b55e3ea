package probes

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/idpulse/idpulse/probes/applestatus"
)

// Default is the checklist, in the order results are reported. The list is
// explicit (no init-time registration) so the order is stable and reviewable.
func Default(cfg Config, env Env) []Probe {
	return []Probe{
		Link{Env: env},
		Control{Env: env, Targets: cfg.ControlTargets},
		Captive{Env: env, URL: cfg.CaptiveURL},
		DNS{Env: env, Names: cfg.DNSNames, Public: cfg.PublicResolvers, SystemDNS: cfg.SystemDNS,
			Control: cfg.DNSControl, Port: cfg.HTTPSPort, TrustedIssuers: cfg.TrustedIssuers},
		Hosts{Path: cfg.HostsFile, Domains: cfg.AppleDomains},
		Proxy{Env: env, Host: cfg.SignInHosts[0], Port: cfg.HTTPSPort},
		VPN{Env: env, Hosts: cfg.SignInHosts},
		Reach{Env: env, Hosts: cfg.SignInHosts, Port: cfg.HTTPSPort, PushHost: cfg.PushHost, PushPort: cfg.PushPort},
		TLS{Env: env, Hosts: cfg.SignInHosts, Port: cfg.HTTPSPort, TrustedIssuers: cfg.TrustedIssuers},
		HTTPS{Env: env, URL: cfg.SignInURL},
		Services{Env: env, Hosts: cfg.catalogueFor(), All: cfg.AllServices, TrustedIssuers: cfg.TrustedIssuers},
		Clock{Env: env, Server: cfg.NTPServer, DateURLs: cfg.dateURLs(),
			Warn: time.Duration(cfg.ClockWarn), Fail: time.Duration(cfg.ClockFail)},
		System{Env: env},
		Currency{Env: env, URL: cfg.GDMFURL, Cache: cfg.CurrencyCache},
	}
}

// Checker runs one diagnosis cycle: it reads what must be shared by the
// probes (the proxy settings), then runs the checklist inside the deadline.
type Checker struct {
	Config Config
	Env    Env
	Logger *slog.Logger
	// Probes builds the checklist; nil means Default.
	Probes func(Config, Env) []Probe
}

// Cycle is one diagnosis: every probe's result and, when it was polled, the
// Apple System Status feed.
type Cycle struct {
	Results Results
	Feed    *FeedOutcome
}

// FeedOutcome is one poll of Apple's System Status feed.
type FeedOutcome struct {
	Source string
	Result applestatus.FetchResult
	Err    error
}

// Run performs one cycle. When feed is not nil it is polled alongside the
// probes, through the same proxy settings, inside the same deadline.
func (c Checker) Run(ctx context.Context, feed *applestatus.Client) Cycle {
	start := time.Now()
	deadline := time.Duration(c.Config.Deadline)
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()

	env := c.Env
	env.Lookups = NewLookups(ctx, env.Resolver)
	pctx, pcancel := context.WithTimeout(ctx, deadline/5)
	env = env.WithProxy(pctx)
	pcancel()

	var cycle Cycle
	var wg sync.WaitGroup
	if feed != nil {
		// A fresh transport each cycle: the proxy settings may have changed.
		feed.HTTP = &http.Client{Transport: newTransport(env, nil)}
		source := feed.URL
		if source == "" {
			source = applestatus.ConsumerURL
		}
		wg.Go(func() {
			res, err := feed.Fetch(ctx)
			cycle.Feed = &FeedOutcome{Source: source, Result: res, Err: err}
		})
	}
	build := c.Probes
	if build == nil {
		build = Default
	}
	cycle.Results = Engine{
		Deadline:     deadline - time.Since(start),
		ProbeTimeout: time.Duration(c.Config.ProbeTimeout),
		Logger:       c.Logger,
	}.Run(ctx, build(c.Config, env))
	wg.Wait()
	return cycle
}

// dateURLs are the sign-in hosts' roots, whose Date headers date the clock
// when NTP is blocked.
func (c Config) dateURLs() []string {
	urls := make([]string, len(c.SignInHosts))
	for i, h := range c.SignInHosts {
		host := h
		if c.HTTPSPort != 443 {
			host = net.JoinHostPort(h, strconv.Itoa(c.HTTPSPort))
		}
		urls[i] = "https://" + host + "/"
	}
	return urls
}
