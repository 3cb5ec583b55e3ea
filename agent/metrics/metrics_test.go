package metrics_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/idpulse/idpulse/agent/metrics"
	"github.com/idpulse/idpulse/agent/metrics/metricstest"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

var checked = time.Date(2026, 11, 21, 14, 2, 11, 500_000_000, time.UTC)

// sample is a down check with something in every family: the sign-in
// request's phases, a measured clock, services up and down, and Apple events
// whose text is hostile.
func sample() verdict.Document {
	start := checked.Add(-time.Hour)
	return verdict.Document{
		Schema: verdict.Schema, Time: checked, DurationMS: 812,
		Verdict: verdict.Verdict{Level: verdict.LevelDown, Code: "dns_filtered", Cause: verdict.CauseNetwork,
			Headline: "This network's DNS blocks Apple's servers", Evidence: []string{"idmsa.apple.com → 0.0.0.0"}},
		Probes: probes.Results{
			{ID: probes.IDLink, Status: probes.StatusOK, Duration: 300 * time.Microsecond},
			{ID: probes.IDDNS, Status: probes.StatusFail, Duration: 24 * time.Millisecond, Summary: "sinkhole"},
			{ID: probes.IDProxy, Status: probes.StatusSkip},
			{ID: probes.IDHTTPS, Status: probes.StatusOK, Duration: 120 * time.Millisecond, Evidence: &probes.HTTPSEvidence{
				Attempt: probes.Attempt{Target: "appleid.apple.com:443", OK: true,
					Phases: probes.Phases{Resolve: 2 * time.Millisecond, Connect: 20 * time.Millisecond, TLS: 40 * time.Millisecond, FirstByte: 58 * time.Millisecond}}}},
			{ID: probes.IDClock, Status: probes.StatusWarn, Duration: 30 * time.Millisecond,
				Evidence: &probes.ClockEvidence{Source: probes.ClockSourceNTP, OffsetMS: -1500, UncertaintyMS: 20}},
		},
		Services: []verdict.Service{
			{ID: "icloud", Status: probes.StatusOK}, {ID: "app_store", Status: probes.StatusFail},
			{ID: "maps", Status: probes.StatusWarn}, {ID: "device_management", Status: probes.StatusSkip},
		},
		AppleStatus: &verdict.AppleStatus{Source: "https://www.apple.com/support/systemstatus/", Services: []verdict.AppleService{
			{Name: "Apple ID", Status: "outage", SignIn: true, Events: []verdict.AppleEvent{
				{ID: "1", Type: "Outage", Status: "ongoing", Start: &start, Message: "evil.example.com \x1b[31m"},
				{ID: "2", Type: "Issue", Status: "resolved", Start: &start},
				{ID: "3", Type: "Brand-new type\n", Status: "ongoing", Start: &start},
			}},
			{Name: "iCloud Mail", Status: "ok", Events: []verdict.AppleEvent{}},
		}},
	}
}

func render(t testing.TB, e *metrics.Exporter) string {
	t.Helper()
	var b bytes.Buffer
	if err := e.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// series is the exposition's samples as "name{labels} value" lines.
func series(t testing.TB, text string) map[string]string {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, text)
	}
	out := map[string]string{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			v := m.GetGauge().GetValue()
			if m.Counter != nil {
				v = m.GetCounter().GetValue()
			}
			out[name+"{"+strings.Join(labels, ",")+"}"] = fmt.Sprint(v)
		}
	}
	return out
}

func TestExposition(t *testing.T) {
	e := metrics.New("v1.2.3", false)
	e.Observe(sample())
	text := render(t, e)
	got := series(t, text)
	build := fmt.Sprintf(`idpulse_build_info{goarch=%q,goos=%q,version="v1.2.3"}`, runtimeArch, runtimeOS)
	want := map[string]string{
		build:                     "1",
		`idpulse_verdict_level{}`: "2",
		`idpulse_verdict_info{cause="network",code="dns_filtered",level="down"}`:               "1",
		`idpulse_last_check_timestamp_seconds{}`:                                               fmt.Sprint(float64(checked.UnixMilli()) / 1e3),
		`idpulse_probe_success{probe="link"}`:                                                  "1",
		`idpulse_probe_success{probe="dns"}`:                                                   "0",
		`idpulse_probe_success{probe="proxy"}`:                                                 "1",
		`idpulse_probe_success{probe="https"}`:                                                 "1",
		`idpulse_probe_success{probe="clock"}`:                                                 "0",
		`idpulse_probe_duration_seconds{probe="link"}`:                                         "0.0003",
		`idpulse_probe_duration_seconds{probe="dns"}`:                                          "0.024",
		`idpulse_probe_duration_seconds{probe="proxy"}`:                                        "0",
		`idpulse_probe_duration_seconds{probe="https"}`:                                        "0.12",
		`idpulse_probe_duration_seconds{probe="clock"}`:                                        "0.03",
		`idpulse_probe_phase_duration_seconds{phase="resolve",probe="https"}`:                  "0.002",
		`idpulse_probe_phase_duration_seconds{phase="connect",probe="https"}`:                  "0.02",
		`idpulse_probe_phase_duration_seconds{phase="tls",probe="https"}`:                      "0.04",
		`idpulse_probe_phase_duration_seconds{phase="first_byte",probe="https"}`:               "0.058",
		`idpulse_service_up{service="icloud"}`:                                                 "1",
		`idpulse_service_up{service="app_store"}`:                                              "0",
		`idpulse_service_up{service="maps"}`:                                                   "1",
		`idpulse_clock_offset_seconds{}`:                                                       "-1.5",
		`idpulse_apple_status_ongoing_events{service="Apple ID",status_type="outage"}`:         "1",
		`idpulse_apple_status_ongoing_events{service="Apple ID",status_type="issue"}`:          "0",
		`idpulse_apple_status_ongoing_events{service="Apple ID",status_type="performance"}`:    "0",
		`idpulse_apple_status_ongoing_events{service="Apple ID",status_type="maintenance"}`:    "0",
		`idpulse_apple_status_ongoing_events{service="Apple ID",status_type="other"}`:          "1",
		`idpulse_apple_status_ongoing_events{service="iCloud Mail",status_type="outage"}`:      "0",
		`idpulse_apple_status_ongoing_events{service="iCloud Mail",status_type="issue"}`:       "0",
		`idpulse_apple_status_ongoing_events{service="iCloud Mail",status_type="performance"}`: "0",
		`idpulse_apple_status_ongoing_events{service="iCloud Mail",status_type="maintenance"}`: "0",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected series %s", k)
		}
	}
	// Nothing from the feed's or the probes' free text becomes a label.
	for _, bad := range []string{"evil.example.com", "apple.com", "\x1b", "Brand-new", "sinkhole", "blocks"} {
		if strings.Contains(text, bad) {
			t.Errorf("exposition contains %q:\n%s", bad, text)
		}
	}
	// Every family has its HELP and TYPE; no sample has a timestamp.
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		rest := l[strings.IndexAny(l, " {"):]
		if i := strings.LastIndexByte(rest, '}'); i >= 0 {
			rest = rest[i+1:]
		}
		if !strings.HasPrefix(l, "#") && len(strings.Fields(rest)) != 1 {
			t.Errorf("sample line %q: want exactly one value and no timestamp", l)
		}
	}
	if strings.Count(text, "# HELP ") != strings.Count(text, "# TYPE ") || strings.Count(text, "# HELP ") != 10 {
		t.Errorf("want 10 families each with HELP and TYPE:\n%s", text)
	}
	metricstest.Promtool(t, []byte(text))
}

func TestBeforeTheFirstCheck(t *testing.T) {
	text := render(t, metrics.New("dev", true))
	got := series(t, text)
	if len(got) != 1+len(verdictCodes()) {
		t.Errorf("before any check: %v, want build_info and a zero checks_total per code", got)
	}
	metricstest.Promtool(t, []byte(text))
}

func verdictCodes() map[verdict.Code]bool {
	out := map[verdict.Code]bool{}
	for _, r := range verdict.Rules() {
		if r.Kind == verdict.KindVerdict {
			out[r.Code] = true
		}
	}
	return out
}

func TestChecksTotal(t *testing.T) {
	agent := metrics.New("dev", true)
	once := metrics.New("dev", false)
	for _, code := range []verdict.Code{verdict.CodeOK, "dns_filtered", verdict.CodeOK} {
		doc := sample()
		doc.Verdict.Code = code
		agent.Observe(doc)
		once.Observe(doc)
	}
	got := series(t, render(t, agent))
	for k, v := range map[string]string{
		`idpulse_checks_total{code="ok"}`: "2", `idpulse_checks_total{code="dns_filtered"}`: "1", `idpulse_checks_total{code="offline"}`: "0",
		`idpulse_verdict_info{cause="network",code="ok",level="down"}`: "1",
	} {
		if got[k] != v {
			t.Errorf("agent: %s = %q, want %q", k, got[k], v)
		}
	}
	if text := render(t, once); strings.Contains(text, "checks_total") {
		t.Errorf("one check has idpulse_checks_total:\n%s", text)
	}
}

func TestHandler(t *testing.T) {
	e := metrics.New("dev", true)
	e.Observe(sample())
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := series(t, b.String()); got[`idpulse_verdict_level{}`] != "2" || got[`idpulse_checks_total{code="dns_filtered"}`] != "1" {
		t.Errorf("scrape: %v", got)
	}
}

// TestTextfileNeverTorn: a reader polling the textfile while it is
// rewritten 200 times, alternating between a short and a long exposition,
// only ever sees one of the two whole.
func TestTextfileNeverTorn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idpulse.prom")
	e := metrics.New("dev", true)
	short, long := sample(), sample()
	short.Probes, short.Services, short.AppleStatus = short.Probes[:1], nil, nil
	e.Observe(short)
	if err := e.WriteTextfile(path); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	var reads, torn int
	var bad string
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err != nil {
				torn++
				bad = err.Error()
				continue
			}
			reads++
			p := expfmt.NewTextParser(model.LegacyValidation)
			fams, err := p.TextToMetricFamilies(bytes.NewReader(data))
			// Whole means it parses and ends where Write ends: with the
			// last family's samples and a newline.
			if err != nil || !bytes.HasSuffix(data, []byte("\n")) || fams["idpulse_build_info"] == nil || fams["idpulse_verdict_level"] == nil {
				torn++
				bad = string(data)
			}
		}
	})
	for i := range 200 {
		doc := long
		if i%2 == 1 {
			doc = short
		}
		e.Observe(doc)
		if err := e.WriteTextfile(path); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if torn > 0 {
		t.Errorf("%d of %d reads saw a torn or missing file, e.g.:\n%s", torn, reads+torn, bad)
	}
	if reads == 0 {
		t.Fatal("the reader never read the file")
	}
	t.Logf("%d whole reads during 200 writes", reads)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want only the textfile: %v", len(entries), entries)
	}
}

// BenchmarkScrape renders the exposition of a full check, as one scrape
// does; allocs/op is the cost per scrape.
func BenchmarkScrape(b *testing.B) {
	e := metrics.New("dev", true)
	e.Observe(sample())
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := e.Write(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/scrape")
}

var runtimeOS, runtimeArch = runtime.GOOS, runtime.GOARCH
