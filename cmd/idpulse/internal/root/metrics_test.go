package root_test

import (
	"context"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/metrics/metricstest"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/root"
	"github.com/idpulse/idpulse/probes/probetest"
)

// TestMetricsCommand: `idpulse metrics` prints one check's exposition and
// exits 0 whatever the verdict, so `idpulse metrics > f.$$ && mv` publishes
// a down check too.
func TestMetricsCommand(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(*probetest.World)
		want  []string
	}{
		{"ok", func(*probetest.World) {}, []string{"idpulse_verdict_level 0\n", `idpulse_verdict_info{cause="none",code="ok",level="ok"} 1`}},
		{"down", func(w *probetest.World) { w.WriteHosts("0.0.0.0 appleid.apple.com\n") },
			[]string{"idpulse_verdict_level 2\n", `idpulse_verdict_info{cause="local",code="hosts_override",level="down"} 1`, `idpulse_probe_success{probe="hosts"} 0`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := probetest.NewWorld(t)
			tt.setup(w)
			code, out, errOut := run(t, w, "metrics", "--timeout", "3s")
			if code != cli.ExitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			for _, s := range tt.want {
				if !strings.Contains(out, s) {
					t.Errorf("no %q in:\n%s", s, out)
				}
			}
			for _, s := range []string{"idpulse_checks_total", "idpulse_build_info{", `idpulse_probe_phase_duration_seconds{phase="connect",probe="https"}`} {
				if strings.Contains(out, s) != (s != "idpulse_checks_total") {
					t.Errorf("%q present = %v:\n%s", s, strings.Contains(out, s), out)
				}
			}
			metricstest.Promtool(t, []byte(out))
		})
	}
	for _, args := range [][]string{{"metrics", "--json"}, {"metrics", "--timeout", "0s"}, {"metrics", "extra"}} {
		if code, _, errOut := run(t, probetest.NewWorld(t), args...); code != cli.ExitUsage || !strings.HasPrefix(errOut, "idpulse metrics: ") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// TestMetricsWriteError: an exposition that cannot be written is exit 1.
func TestMetricsWriteError(t *testing.T) {
	d, _, errOut := deps(probetest.NewWorld(t))
	d.IO.Out = clitest.BrokenWriter{}
	if code := root.Main(context.Background(), []string{"metrics"}, d); code != cli.ExitFailure || !strings.Contains(errOut.String(), "broken pipe") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
