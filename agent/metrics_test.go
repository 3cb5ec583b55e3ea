package agent_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/metrics/metricstest"
	"github.com/idpulse/idpulse/agent/verdict"
)

// TestAgentMetricsInPrometheus: a real Prometheus scrapes the agent's
// /metrics and a real node_exporter reading the agent's textfile, and its
// HTTP API answers idpulse_verdict_level from both, before and after the
// verdict changes.
func TestAgentMetricsInPrometheus(t *testing.T) {
	textDir := t.TempDir()
	textfile := filepath.Join(textDir, "idpulse.prom")
	addr := metricstest.FreeAddr(t)
	h := startConfigured(t, func(c *config.Config) {
		c.Agent.MetricsListen = addr
		c.Agent.MetricsTextfile = textfile
	}, nil)
	h.ui.waitFor(t, "the first verdict", func(_ menu.Model, d *verdict.Document) bool { return d != nil })

	ne := metricstest.StartNodeExporter(t, textDir)
	prom := metricstest.StartPrometheus(t, addr, ne.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	both := func(value string) func([]metricstest.Sample) bool {
		return func(ss []metricstest.Sample) bool {
			seen := map[string]bool{}
			for _, s := range ss {
				if s.Value == value {
					seen[s.Labels["instance"]] = true
				}
			}
			return seen[addr] && seen[ne.Addr]
		}
	}
	if got, err := prom.Query(ctx, "idpulse_verdict_level", both("0")); err != nil {
		t.Fatalf("ok: %v (%v)\n--- prometheus:\n%s", err, got, prom.Output())
	}

	h.w.WriteHosts("0.0.0.0 appleid.apple.com\n")
	if doc := h.checkNow(t); doc.Verdict.Level != verdict.LevelDown {
		t.Fatalf("verdict %s after the fault", doc.Verdict.Code)
	}
	if got, err := prom.Query(ctx, "idpulse_verdict_level", both("2")); err != nil {
		t.Fatalf("down: %v (%v)", err, got)
	}
	if got, err := prom.Query(ctx, `idpulse_verdict_info{code="hosts_override",level="down",cause="local"}`, both("1")); err != nil {
		t.Fatalf("verdict info: %v (%v)", err, got)
	}
	// The endpoint counts checks; the textfile has no timestamps.
	if got, err := prom.Query(ctx, `idpulse_checks_total{code="hosts_override"}`, func(ss []metricstest.Sample) bool {
		return len(ss) == 2 && ss[0].Value == "1" && ss[1].Value == "1"
	}); err != nil {
		t.Fatalf("checks_total: %v (%v)", err, got)
	}
	data, err := os.ReadFile(textfile)
	if err != nil {
		t.Fatal(err)
	}
	metricstest.Promtool(t, data)
}

// TestAgentMetricsEndpoint: only GET /metrics is served, and the endpoint
// goes away with the agent.
func TestAgentMetricsEndpoint(t *testing.T) {
	addr := metricstest.FreeAddr(t)
	h := startConfigured(t, func(c *config.Config) { c.Agent.MetricsListen = addr }, nil)
	h.ui.waitFor(t, "the first verdict", func(_ menu.Model, d *verdict.Document) bool { return d != nil })
	for path, want := range map[string]int{"/metrics": 200, "/": 404, "/debug/pprof/": 404} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
		if path == "/metrics" && !strings.Contains(string(body), "idpulse_verdict_level 0\n") {
			t.Errorf("GET /metrics:\n%s", body)
		}
	}
	h.stop()
	if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
		resp.Body.Close()
		t.Errorf("the endpoint still answers after Run returned")
	}
}

// TestAgentMetricsListenBusy: an address already in use is logged and the
// agent runs on.
func TestAgentMetricsListenBusy(t *testing.T) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h := startConfigured(t, func(c *config.Config) { c.Agent.MetricsListen = l.Addr().String() }, nil)
	h.log.waitFor(t, "metrics endpoint not started", 1)
	h.ui.waitFor(t, "the first verdict", func(_ menu.Model, d *verdict.Document) bool { return d != nil })
}
