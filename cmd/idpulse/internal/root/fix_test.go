package root_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/fixes"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/remedy"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/root"
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/probetest"
)

type fixEnv struct {
	w      *probetest.World
	rec    *commandtest.Runner // the fixes' exec boundary: records, runs nothing
	dir    string
	opened []string
	goos   string
	euid   int
	ttyIn  string
	hasTTY bool
	mu     sync.Mutex
}

func (f *fixEnv) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	d, out, errOut := deps(f.w)
	d.IO.InTTY = f.hasTTY
	d.IO.In = strings.NewReader(f.ttyIn)
	d.HistoryDir = f.dir
	d.NewRemedy = func(cfg config.Config) remedy.Service {
		return remedy.Service{
			Exec: fixes.Executor{GOOS: f.goos, Runner: f.rec, Euid: f.euid, Open: func(_ context.Context, u string) error {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.opened = append(f.opened, u)
				return nil
			}},
			HostsPath: cfg.Check.HostsFile, AppleDomains: cfg.Check.AppleDomains,
			Self: "/usr/local/bin/idpulse", LookPath: func(string) bool { return true },
			Attempts: history.Attempts(f.dir),
		}
	}
	code := root.Main(context.Background(), args, d)
	return code, out.String(), errOut.String()
}

func newFixEnv(t *testing.T) *fixEnv {
	rec := commandtest.New()
	rec.Reply = func([]string) ([]byte, error) { return nil, nil }
	return &fixEnv{w: probetest.NewWorld(t), rec: rec, dir: t.TempDir(), goos: "linux"}
}

func TestFixRemovesHostsEntriesAndRechecks(t *testing.T) {
	f := newFixEnv(t)
	f.w.WriteHosts("127.0.0.1 localhost\r\n# keep me\r\n0.0.0.0 appleid.apple.com gs.apple.com\r\n")

	code, out, errOut := f.run(t, "fix", "list")
	if code != 0 || !strings.Contains(out, "→ remove-hosts-entries") {
		t.Errorf("fix list: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = f.run(t, "fix", "remove-hosts-entries", "--dry-run")
	if code != 0 || !strings.Contains(out, "0.0.0.0 appleid.apple.com") {
		t.Errorf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(f.w.HostsFile); !strings.Contains(string(got), "appleid") {
		t.Fatal("the dry run changed the hosts file")
	}
	code, out, errOut = f.run(t, "fix", "remove-hosts-entries", "--yes")
	if code != 0 || !strings.Contains(out, "Apple ID is reachable again") {
		t.Fatalf("fix: exit %d\n%s%s", code, out, errOut)
	}
	got, _ := os.ReadFile(f.w.HostsFile)
	if string(got) != "127.0.0.1 localhost\r\n# keep me\r\n" {
		t.Errorf("hosts file after the fix = %q", got)
	}
	backups, _ := filepath.Glob(filepath.Join(filepath.Dir(f.w.HostsFile), "hosts.idpulse-*.bak"))
	if len(backups) != 1 {
		t.Errorf("backups = %v, want one", backups)
	}
	attempts, err := history.Attempts(f.dir).Recent(10)
	if err != nil || len(attempts) != 1 || attempts[0].Fix != "remove-hosts-entries" || attempts[0].VerdictAfter != "ok" {
		t.Errorf("recorded attempts = %+v, %v", attempts, err)
	}
}

func TestFixPlansAndRefusals(t *testing.T) {
	f := newFixEnv(t)
	f.goos, f.euid = "darwin", 501
	code, out, _ := f.run(t, "fix", "flush-dns", "--dry-run")
	if code != 0 || !strings.Contains(out, "run  /usr/bin/dscacheutil -flushcache  (as administrator)") ||
		!strings.Contains(out, "/usr/bin/killall -HUP mDNSResponder") {
		t.Errorf("darwin dry run: exit %d\n%s", code, out)
	}
	if len(f.rec.Cmdlines()) != 0 {
		t.Errorf("a dry run ran %v", f.rec.Cmdlines())
	}

	code, _, errOut := f.run(t, "fix", "flush-dns")
	if code != cli.ExitUsage || !strings.Contains(errOut, "refusing without --yes") {
		t.Errorf("no terminal, no --yes: exit %d, %q", code, errOut)
	}
	f.hasTTY, f.ttyIn = true, "n\n"
	code, out, _ = f.run(t, "fix", "flush-dns")
	if code != 4 || !strings.Contains(out, "Nothing changed.") || len(f.rec.Cmdlines()) != 0 {
		t.Errorf("answered no: exit %d, calls %v\n%s", code, f.rec.Cmdlines(), out)
	}
	f.ttyIn = "y\n"
	code, out, _ = f.run(t, "fix", "flush-dns")
	if code != 0 || len(f.rec.Cmdlines()) != 1 || !strings.HasPrefix(f.rec.Cmdlines()[0], "/usr/bin/osascript -e do shell script") {
		t.Errorf("answered yes: exit %d, calls %v\n%s", code, f.rec.Cmdlines(), out)
	}

	code, _, errOut = f.run(t, "fix", "frobnicate")
	if code != cli.ExitUsage || !strings.Contains(errOut, "valid fixes: flush-dns, remove-hosts-entries") {
		t.Errorf("unknown fix: exit %d, %q", code, errOut)
	}
	code, _, _ = f.run(t, "fix", "open-system-status")
	if code != 0 || len(f.opened) != 1 || f.opened[0] != "https://www.apple.com/support/systemstatus/" {
		t.Errorf("open-system-status: exit %d, opened %v", code, f.opened)
	}
}

func TestReportCommand(t *testing.T) {
	f := newFixEnv(t)
	f.w.WriteHosts("0.0.0.0 appleid.apple.com\n")
	out := filepath.Join(t.TempDir(), "report.md")
	code, _, errOut := f.run(t, "report", "--format", "markdown", "--output", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(out)
	for _, want := range []string{"# idpulse diagnostic report", "hosts_override", "appleid.apple.com"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if code, _, errOut := f.run(t, "report", "--format", "pdf"); code != cli.ExitUsage || !strings.Contains(errOut, "unknown report format") {
		t.Errorf("bad format: exit %d %q", code, errOut)
	}
	// Into a missing folder: an error, and no folder appears.
	missing := filepath.Join(t.TempDir(), "nonexistent-dir")
	if code, _, errOut := f.run(t, "report", "--output", filepath.Join(missing, "r.txt")); code == 0 || errOut == "" {
		t.Errorf("missing folder: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("report --output created the missing folder")
	}
	// Through a planted link: refused, its target untouched.
	link := filepath.Join(t.TempDir(), "report.txt")
	target := filetest.Plant(t, link)
	if code, _, errOut := f.run(t, "report", "--output", link); code == 0 || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("symlink: exit %d %q", code, errOut)
	}
	filetest.Untouched(t, target)
}

func TestFixSaysWhatHappened(t *testing.T) {
	f := newFixEnv(t)
	// Nothing is wrong: a fix must not claim it brought Apple ID back.
	code, out, errOut := f.run(t, "fix", "flush-dns", "--yes")
	if code != 0 || strings.Contains(out, "reachable again") || !strings.Contains(out, "Apple ID is reachable.") {
		t.Errorf("flush-dns with nothing wrong: exit %d\n%s%s", code, out, errOut)
	}
	// copy-report delivers the report (no terminal: on standard output).
	code, out, errOut = f.run(t, "fix", "copy-report")
	if code != 0 || !strings.Contains(out, "idpulse diagnostic report") || strings.Contains(out, "reachable again") {
		t.Errorf("copy-report: exit %d\n%s%s", code, out, errOut)
	}
}

// TestFixDisconnectVPNLinux: on Linux the check reads NetworkManager's
// active connections, and disconnect-vpn takes each VPN and WireGuard one
// down by UUID, the plan shown first; without one it is listed as
// unavailable with the reason.
func TestFixDisconnectVPNLinux(t *testing.T) {
	const office, wg = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	f := newFixEnv(t)
	code, out, errOut := f.run(t, "fix", "list")
	if code != 0 || !strings.Contains(out, "disconnect-vpn") || !strings.Contains(out, "no connected VPN was found in the last check") {
		t.Errorf("fix list without NetworkManager: exit %d\n%s%s", code, out, errOut)
	}

	nm, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "probes", "netenv", "testdata", "nmcli-active_vpn-wireguard.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f.w.SetNetworkManager(nm)
	f.hasTTY, f.ttyIn = true, "n\n"
	code, out, _ = f.run(t, "fix", "disconnect-vpn")
	for _, w := range []string{"run  /usr/bin/nmcli connection down uuid " + office, "run  /usr/bin/nmcli connection down uuid " + wg} {
		if !strings.Contains(out, w) {
			t.Errorf("the plan does not show %q:\n%s", w, out)
		}
	}
	if code != 4 || len(f.rec.Cmdlines()) != 0 {
		t.Errorf("answered no: exit %d, ran %v", code, f.rec.Cmdlines())
	}
	code, out, errOut = f.run(t, "fix", "disconnect-vpn", "--yes")
	if code != 0 || !strings.Contains(out, `Disconnected VPN "Office: Berlin", "wg0"`) {
		t.Errorf("fix: exit %d\n%s%s", code, out, errOut)
	}
	f.rec.AssertCalls(t, "/usr/bin/nmcli connection down uuid "+office, "/usr/bin/nmcli connection down uuid "+wg)
}
