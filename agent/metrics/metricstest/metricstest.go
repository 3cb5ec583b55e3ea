// Package metricstest runs the real Prometheus tools against idpulse's
// exposition: promtool's linter, a Prometheus server and node_exporter's
// textfile collector, all Debian packages (prometheus,
// prometheus-node-exporter), started on loopback by the test and killed at
// its cleanup. Without them a test skips, unless IDPULSE_REQUIRE_PROMETHEUS=1
// (CI sets it), in which case it fails.
package metricstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/probetest"
)

// RequireEnv makes a missing tool a failure instead of a skip.
const RequireEnv = "IDPULSE_REQUIRE_PROMETHEUS"

const hint = "apt-get install prometheus prometheus-node-exporter"

// execTimeout bounds every tool run and every wait for a server.
const execTimeout = 30 * time.Second

// Promtool runs `promtool check metrics` on exposition and fails tb with
// its complaints. promtool also lints (HELP text, units, _total suffixes),
// and any finding makes it exit non-zero.
func Promtool(tb testing.TB, exposition []byte) {
	tb.Helper()
	bin := probetest.RequireTool(tb, RequireEnv, "promtool", hint)
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "check", "metrics")
	cmd.Stdin = bytes.NewReader(exposition)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("promtool check metrics: %v\n%s\n--- exposition:\n%s", err, out, exposition)
	}
}

// FreeAddr is a loopback address with a port nobody listens on right now.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Server is a started Prometheus or node_exporter.
type Server struct {
	Addr string
	out  *probetest.SyncBuffer
}

// Output is what the server logged so far.
func (s *Server) Output() string { return s.out.String() }

// start runs bin with args until tb's cleanup, and waits until addr serves
// path with 200.
func start(tb testing.TB, bin, addr, path string, args ...string) *Server {
	tb.Helper()
	s := &Server{Addr: addr, out: &probetest.SyncBuffer{}}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	for {
		if code, _, err := get(ctx, "http://"+addr+path); err == nil && code == http.StatusOK {
			return s
		}
		select {
		case <-exited:
			tb.Fatalf("%s exited before serving %s:\n%s", bin, path, s.Output())
		case <-ctx.Done():
			tb.Fatalf("%s did not serve %s on %s within %s:\n%s", bin, path, addr, execTimeout, s.Output())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// StartPrometheus runs a Prometheus server on loopback that scrapes each of
// targets (host:port, /metrics) every second, storing in a temporary folder.
func StartPrometheus(tb testing.TB, targets ...string) *Server {
	tb.Helper()
	bin := probetest.RequireTool(tb, RequireEnv, "prometheus", hint)
	dir := tb.TempDir()
	quoted := make([]string, len(targets))
	for i, t := range targets {
		quoted[i] = strconv.Quote(t)
	}
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: idpulse\n    static_configs:\n      - targets: [%s]\n",
		strings.Join(quoted, ", "))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	addr := FreeAddr(tb)
	return start(tb, bin, addr, "/-/ready",
		"--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
}

// StartNodeExporter runs node_exporter on loopback with only its textfile
// collector, reading dir.
func StartNodeExporter(tb testing.TB, dir string) *Server {
	tb.Helper()
	bin := probetest.RequireTool(tb, RequireEnv, "prometheus-node-exporter", hint)
	addr := FreeAddr(tb)
	return start(tb, bin, addr, "/metrics",
		"--collector.disable-defaults", "--collector.textfile", "--collector.textfile.directory="+dir,
		"--web.listen-address="+addr, "--log.level=warn")
}

// Sample is one series of an instant query's answer.
type Sample struct {
	Labels map[string]string
	Value  string
}

// Query asks Prometheus's HTTP API for expr until want accepts the answer
// or ctx is done; it returns the last answer.
func (s *Server) Query(ctx context.Context, expr string, want func([]Sample) bool) ([]Sample, error) {
	var last []Sample
	var lastErr error
	for {
		samples, err := s.query(ctx, expr)
		if err == nil && want(samples) {
			return samples, nil
		}
		last, lastErr = samples, err
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return last, fmt.Errorf("query %s: %w (then %v)", expr, lastErr, ctx.Err())
			}
			return last, fmt.Errorf("query %s: %v; last answer %v", expr, ctx.Err(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *Server) query(ctx context.Context, expr string) ([]Sample, error) {
	code, body, err := get(ctx, "http://"+s.Addr+"/api/v1/query?query="+url.QueryEscape(expr))
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %s", code, body)
	}
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode %s: %w", body, err)
	}
	out := make([]Sample, 0, len(r.Data.Result))
	for _, x := range r.Data.Result {
		v, _ := x.Value[1].(string)
		out = append(out, Sample{Labels: x.Metric, Value: v})
	}
	return out, nil
}

func get(ctx context.Context, u string) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}
