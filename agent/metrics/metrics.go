// Package metrics exposes idpulse's last check in the Prometheus exposition
// format, in the style of blackbox_exporter: one verdict, each probe's
// success and timings, Apple's ongoing events. Fleets scrape the agent's
// endpoint, read the node_exporter textfile it writes, or run
// `idpulse metrics` from cron.
//
// Every series is built at collection time from the latest document (a
// custom Collector under a lock), on a registry of its own: nothing is
// registered globally. Labels come from bounded sets only (probe and
// service ids, verdict codes, watched service names, four event types),
// never from hostnames or messages, so a hostile feed cannot blow up a
// fleet's Prometheus.
package metrics

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
)

const namespace = "idpulse"

// The families, one description each. HELP text is part of the interface:
// node_exporter refuses two textfiles that disagree on it.
var (
	descVerdictLevel = prometheus.NewDesc(namespace+"_verdict_level",
		"Level of the last check's verdict: 0 ok, 1 degraded, 2 down.", nil, nil)
	descVerdictInfo = prometheus.NewDesc(namespace+"_verdict_info",
		"The last check's verdict, always 1; code, level and cause are labels.", []string{"code", "level", "cause"}, nil)
	descProbeSuccess = prometheus.NewDesc(namespace+"_probe_success",
		"Whether the probe found nothing wrong in the last check: 1 ok or not applicable, 0 warn, fail or error.", []string{"probe"}, nil)
	descProbeDuration = prometheus.NewDesc(namespace+"_probe_duration_seconds",
		"How long the probe took in the last check.", []string{"probe"}, nil)
	descProbePhase = prometheus.NewDesc(namespace+"_probe_phase_duration_seconds",
		"How long each phase (resolve, connect, tls, first_byte) of the probe's exchange took in the last check; phases that did not happen are left out.",
		[]string{"probe", "phase"}, nil)
	descServiceUp = prometheus.NewDesc(namespace+"_service_up",
		"Whether the Apple service's hosts answered in the last check: 1 all or some, 0 none; services not checked are left out.", []string{"service"}, nil)
	descClockOffset = prometheus.NewDesc(namespace+"_clock_offset_seconds",
		"This computer's clock minus the reference clock, when the last check measured it conclusively.", nil, nil)
	descAppleEvents = prometheus.NewDesc(namespace+"_apple_status_ongoing_events",
		"Ongoing events Apple System Status reports for a watched service, by event type (outage, issue, performance, maintenance, other).",
		[]string{"service", "status_type"}, nil)
	descLastCheck = prometheus.NewDesc(namespace+"_last_check_timestamp_seconds",
		"When the last check started, in seconds since the Unix epoch.", nil, nil)
	descBuildInfo = prometheus.NewDesc(namespace+"_build_info",
		"The idpulse build, always 1.", []string{"version", "goos", "goarch"}, nil)
)

// eventTypes are the feed's statusType values that get a label of their
// own, lower-cased; anything else counts as "other".
var eventTypes = []string{applestatus.TypeOutage, applestatus.TypeIssue, applestatus.TypePerformance, applestatus.TypeMaintenance}

// Exporter holds the last check and renders it. It is safe for concurrent
// use: the agent's loop sets the document while the endpoint is scraped.
type Exporter struct {
	reg    *prometheus.Registry
	last   *lastCheck
	checks *prometheus.CounterVec
}

// New returns an exporter for a build of version. agent adds
// idpulse_checks_total, which only means something in a process that runs
// many checks.
func New(version string, agent bool) *Exporter {
	e := &Exporter{reg: prometheus.NewRegistry(), last: &lastCheck{version: version}}
	e.reg.MustRegister(e.last)
	if agent {
		e.checks = prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "checks_total",
			Help: "Checks the agent has run since it started, by verdict code.",
		}, []string{"code"})
		// Every code the rules can give starts at 0, so increase() sees the
		// first check of a new code.
		for _, r := range verdict.Rules() {
			if r.Kind == verdict.KindVerdict {
				e.checks.WithLabelValues(string(r.Code))
			}
		}
		e.reg.MustRegister(e.checks)
	}
	return e
}

// Observe makes doc the last check (and counts it, for the agent).
func (e *Exporter) Observe(doc verdict.Document) {
	e.last.set(doc)
	if e.checks != nil {
		e.checks.WithLabelValues(string(doc.Verdict.Code)).Inc()
	}
}

// Handler serves the exposition, as /metrics.
func (e *Exporter) Handler() http.Handler {
	return promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError})
}

// Write writes the exposition in the text format (no timestamps).
func (e *Exporter) Write(w io.Writer) error {
	mfs, err := e.reg.Gather()
	if err != nil {
		return fmt.Errorf("gather metrics: %w", err)
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("write metrics: %w", err)
		}
	}
	return nil
}

// WriteTextfile replaces path with the exposition atomically (a temporary
// file in the same folder, renamed), the node_exporter textfile collector's
// convention: it never reads a half-written file. The temporary name does
// not end in .prom, so the collector never picks it up either.
func (e *Exporter) WriteTextfile(path string) error {
	var b bytes.Buffer
	if err := e.Write(&b); err != nil {
		return err
	}
	if err := atomicfile.Write(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write metrics textfile: %w", err)
	}
	return nil
}

// lastCheck is the Collector: the series of the last document, built on
// every collection.
type lastCheck struct {
	version string

	mu  sync.Mutex
	doc *verdict.Document
}

func (c *lastCheck) set(doc verdict.Document) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.doc = &doc
}

func (c *lastCheck) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descVerdictLevel, descVerdictInfo, descProbeSuccess, descProbeDuration, descProbePhase,
		descServiceUp, descClockOffset, descAppleEvents, descLastCheck, descBuildInfo} {
		ch <- d
	}
}

func (c *lastCheck) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descBuildInfo, prometheus.GaugeValue, 1, c.version, runtime.GOOS, runtime.GOARCH)
	c.mu.Lock()
	doc := c.doc
	c.mu.Unlock()
	if doc == nil {
		return // no check yet: only the build
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	v := doc.Verdict
	gauge(descVerdictLevel, float64(v.Level.Rank()))
	gauge(descVerdictInfo, 1, string(v.Code), string(v.Level), string(v.Cause))
	gauge(descLastCheck, float64(doc.Time.UnixNano())/1e9)
	for _, r := range doc.Probes {
		id := string(r.ID)
		gauge(descProbeSuccess, boolValue(r.Status == probes.StatusOK || r.Status == probes.StatusSkip), id)
		gauge(descProbeDuration, r.Duration.Seconds(), id)
		if p, ok := phases(r); ok {
			for _, ph := range []struct {
				name string
				d    float64
			}{{"resolve", p.Resolve.Seconds()}, {"connect", p.Connect.Seconds()}, {"tls", p.TLS.Seconds()}, {"first_byte", p.FirstByte.Seconds()}} {
				if ph.d > 0 {
					gauge(descProbePhase, ph.d, id, ph.name)
				}
			}
		}
	}
	for _, s := range doc.Services {
		if s.Status == probes.StatusSkip {
			continue
		}
		gauge(descServiceUp, boolValue(s.Status != probes.StatusFail && s.Status != probes.StatusError), s.ID)
	}
	if ev := probes.Evidence[probes.ClockEvidence](doc.Probes); ev != nil && ev.Measured() {
		gauge(descClockOffset, ev.Offset().Seconds())
	}
	if a := doc.AppleStatus; a != nil {
		for _, s := range a.Services {
			counts := make([]float64, len(eventTypes)+1) // the last is "other"
			for _, e := range s.Events {
				if strings.EqualFold(e.Status, applestatus.StatusOngoing) {
					counts[typeIndex(e.Type)]++
				}
			}
			for i, t := range eventTypes {
				gauge(descAppleEvents, counts[i], s.Name, strings.ToLower(t))
			}
			if n := counts[len(eventTypes)]; n > 0 {
				gauge(descAppleEvents, n, s.Name, "other")
			}
		}
	}
}

// phases are the timings of a probe's one exchange: the sign-in request's.
// Probes that make many exchanges (services, reach) report none: a label per
// host is what the package promises not to have.
func phases(r probes.Result) (probes.Phases, bool) {
	if ev, ok := r.Evidence.(*probes.HTTPSEvidence); ok && ev != nil {
		return ev.Phases, true
	}
	return probes.Phases{}, false
}

func typeIndex(t string) int {
	for i, k := range eventTypes {
		if strings.EqualFold(t, k) {
			return i
		}
	}
	return len(eventTypes)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
