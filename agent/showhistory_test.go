package agent_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/remedy"
	"github.com/idpulse/idpulse/agent/report"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/probetest"
)

// Show History… writes the HTML report, with the checks the agent has
// recorded, into the state folder and hands that file to the opener (open
// on macOS, xdg-open on Linux: a fake here, which records the path).
func TestShowHistoryOpensThePage(t *testing.T) {
	stateDir := t.TempDir()
	opened := make(chan string, 1)
	h := startWith(t, func(d *agent.Deps, w *probetest.World) {
		w.WriteHosts("0.0.0.0 appleid.apple.com\n")
		d.Timeline = timeline.Store{Dir: timeline.In(stateDir)}
		d.Reporter = remedy.Clipboard{GOOS: runtime.GOOS, Dir: stateDir, Version: "test"}
		d.Open = func(_ context.Context, path string) error {
			opened <- path
			return nil
		}
	})
	m, _ := h.ui.waitFor(t, "the first verdict", func(m menu.Model, d *verdict.Document) bool { return d != nil })
	if it, ok := m.Find("show-history"); !ok || !it.Enabled || it.Action.Kind != menu.ActionShowHistory {
		t.Fatalf("show-history row = %+v, %v; want it enabled once there is a check", it, ok)
	}
	h.checkNow(t)
	h.ui.clicks <- menu.Action{Kind: menu.ActionShowHistory}
	var path string
	select {
	case path = <-opened:
	case <-time.After(30 * time.Second):
		t.Fatal("Show History opened nothing")
	}
	if want := filepath.Join(stateDir, report.PageName); path != want {
		t.Errorf("opened %q, want %q", path, want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, `id="history"`) ||
		!strings.Contains(page, "2 checks recorded") || !strings.Contains(page, "hosts_override") {
		t.Errorf("the page lacks the recorded checks or the incident:\n%.3000s", page)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("page mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}
