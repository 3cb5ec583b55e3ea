package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/idpulse/idpulse/launchd"
)

const (
	lc       = "/bin/launchctl"
	target   = "gui/501/io.idpulse.agent"
	appBin   = "/Applications/id pulse & co.app/Contents/MacOS/idpulse"
	notFound = "Could not find service \"io.idpulse.agent\" in domain for port"
)

// darwinManager is the macOS side driven on any OS: a temporary home, uid
// 501, a fake launchctl.
func darwinManager(t *testing.T) (*Manager, *fakeRunner, *[]time.Duration) {
	t.Helper()
	f := newFake(t)
	var slept []time.Duration
	m := &Manager{
		GOOS: "darwin", Runner: f, Home: filepath.Join(t.TempDir(), "Jane Doe"), UID: 501,
		Program: appBin, Sleep: func(d time.Duration) { slept = append(slept, d) },
	}
	return m, f, &slept
}

func printOut(t *testing.T, name string) reply {
	t.Helper()
	return ok(readFile(t, filepath.Join("testdata", name)))
}

var (
	notLoadedPrint   = reply{err: failed(lc, 113, notFound)}
	notLoadedBootout = reply{err: failed(lc, 3, "Boot-out failed: 3: No such process")}
)

func TestLaunchdInstallFresh(t *testing.T) {
	m, f, _ := darwinManager(t)
	f.on(lc+" bootout "+target, notLoadedBootout).
		on(lc+" enable "+target, ok("")).
		on(lc+" bootstrap gui/501 "+m.plistPath(), ok(""))
	// The plist and the log directory exist before launchd is asked.
	f.before[lc+" bootstrap gui/501 "+m.plistPath()] = func() {
		if !fileExists(m.plistPath()) || !fileExists(m.LogDir()) {
			t.Error("bootstrap before the plist and the log directory exist")
		}
	}
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, lc+" bootout "+target, lc+" enable "+target, lc+" bootstrap gui/501 "+m.plistPath())

	wantPath := filepath.Join(m.Home, "Library", "LaunchAgents", "io.idpulse.agent.plist")
	if m.plistPath() != wantPath {
		t.Errorf("plist at %s, want %s", m.plistPath(), wantPath)
	}
	var p map[string]any
	if _, err := plist.Unmarshal([]byte(readFile(t, wantPath)), &p); err != nil {
		t.Fatal(err)
	}
	if got := p["ProgramArguments"]; !reflect.DeepEqual(got, []any{appBin, "run"}) {
		t.Errorf("ProgramArguments %v", got)
	}
	if got := p["StandardOutPath"]; got != filepath.Join(m.Home, "Library", "Logs", "idpulse", "io.idpulse.agent.out.log") {
		t.Errorf("StandardOutPath %v", got)
	}
	if got := p["KeepAlive"]; !reflect.DeepEqual(got, map[string]any{"SuccessfulExit": false}) {
		t.Errorf("KeepAlive %v", got)
	}
	if st, err := os.Stat(wantPath); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("plist mode: %v %v", st.Mode(), err)
	}
}

func TestLaunchdInstallUpgrade(t *testing.T) {
	m, f, _ := darwinManager(t)
	os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
	os.WriteFile(m.plistPath(), []byte("<plist>old</plist>"), 0o644)
	f.on(lc+" bootout "+target, ok("")).
		on(lc+" enable "+target, ok("")).
		on(lc+" bootstrap gui/501 "+m.plistPath(), ok(""))
	// The old agent is stopped after the new definition is in place.
	f.before[lc+" bootout "+target] = func() {
		if strings.Contains(readFile(t, m.plistPath()), "old") {
			t.Error("bootout before the new plist is written")
		}
	}
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, lc+" bootout "+target, lc+" enable "+target, lc+" bootstrap gui/501 "+m.plistPath())
	want, _ := launchd.RenderAgent(m.agent())
	if readFile(t, m.plistPath()) != string(want) {
		t.Error("plist not replaced")
	}
}

func TestLaunchdInstallUnchangedKeepsFile(t *testing.T) {
	m, f, _ := darwinManager(t)
	want, _ := launchd.RenderAgent(m.agent())
	os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
	os.WriteFile(m.plistPath(), want, 0o644)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(m.plistPath(), old, old)
	f.on(lc+" enable "+target, ok(""))
	if err := m.Install(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(m.plistPath()); !st.ModTime().Equal(old) {
		t.Error("an unchanged plist was rewritten (macOS would notify 'Background Items Added' again)")
	}
}

func TestLaunchdBootstrapRetries(t *testing.T) {
	m, f, slept := darwinManager(t)
	boot := lc + " bootstrap gui/501 " + m.plistPath()
	f.on(lc+" bootout "+target, ok("")).
		on(lc+" enable "+target, ok("")).
		on(boot, reply{err: failed(lc, 5, "Bootstrap failed: 5: Input/output error")}, reply{err: failed(lc, 5, "Bootstrap failed: 5: Input/output error")}, ok("")).
		on(lc+" print "+target, notLoadedPrint)
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, lc+" bootout "+target, lc+" enable "+target,
		boot, lc+" print "+target, boot, lc+" print "+target, boot)
	if len(*slept) != 2 {
		t.Errorf("slept %v, want two pauses", *slept)
	}
}

func TestLaunchdBootstrapAlreadyLoaded(t *testing.T) {
	m, f, _ := darwinManager(t)
	os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
	os.WriteFile(m.plistPath(), []byte("x"), 0o644)
	boot := lc + " bootstrap gui/501 " + m.plistPath()
	f.on(lc+" print "+target, notLoadedPrint, printOut(t, "print-running.txt")).
		on(lc+" enable "+target, ok("")).
		on(boot, reply{err: failed(lc, 37, "Bootstrap failed: 37: Operation already in progress")})
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, lc+" print "+target, lc+" enable "+target, boot, lc+" print "+target)
}

func TestLaunchdBootstrapFailureExplains(t *testing.T) {
	m, f, _ := darwinManager(t)
	boot := lc + " bootstrap gui/501 " + m.plistPath()
	f.on(lc+" bootout "+target, notLoadedBootout).
		on(lc+" enable "+target, ok("")).
		on(boot, reply{err: failed(lc, 5, "Bootstrap failed: 5: Input/output error")}).
		on(lc+" print "+target, notLoadedPrint)
	err := m.Install(context.Background(), true)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"launchctl bootstrap gui/501", "Input/output error", "Login Items", "ssh"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if n := strings.Count(strings.Join(f.calls, "\n"), "bootstrap"); n != bootstrapAttempts {
		t.Errorf("%d bootstrap attempts, want %d", n, bootstrapAttempts)
	}
}

func TestLaunchdUninstallRemovesPlistBeforeBootout(t *testing.T) {
	m, f, _ := darwinManager(t)
	os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
	os.WriteFile(m.plistPath(), []byte("x"), 0o644)
	f.on(lc+" bootout "+target, ok(""))
	f.before[lc+" bootout "+target] = func() {
		if fileExists(m.plistPath()) {
			t.Error("bootout while the plist still exists: the agent asking to be uninstalled would die first")
		}
	}
	if err := m.Uninstall(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, lc+" bootout "+target)
}

func TestLaunchdUninstall(t *testing.T) {
	for _, tt := range []struct {
		name    string
		plist   bool
		bootout reply
		want    error
	}{
		{"installed, not loaded", true, notLoadedBootout, nil},
		{"loaded, plist gone", false, ok(""), nil},
		{"nothing", false, reply{err: failed(lc, 113, notFound)}, ErrNotInstalled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, f, _ := darwinManager(t)
			if tt.plist {
				os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
				os.WriteFile(m.plistPath(), []byte("x"), 0o644)
			}
			f.on(lc+" bootout "+target, tt.bootout)
			if err := m.Uninstall(context.Background()); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if fileExists(m.plistPath()) {
				t.Error("plist left behind")
			}
		})
	}
	// A launchctl failure that is not "not loaded" is reported.
	m, f, _ := darwinManager(t)
	f.on(lc+" bootout "+target, reply{err: failed(lc, 1, "Boot-out failed: 1: Operation not permitted")})
	if err := m.Uninstall(context.Background()); err == nil || !strings.Contains(err.Error(), "Operation not permitted") {
		t.Errorf("error %v", err)
	}
}

func TestLaunchdStart(t *testing.T) {
	for _, tt := range []struct {
		name      string
		installed bool
		print     string // fixture, or "" for not loaded
		extra     map[string]reply
		calls     []string
		want      error
	}{
		{"running", true, "print-running.txt", nil, []string{"print " + target}, nil},
		{"loaded, exited", true, "print-exited.txt", map[string]reply{"kickstart " + target: ok("")},
			[]string{"print " + target, "kickstart " + target}, nil},
		{"installed, not loaded", true, "", map[string]reply{"enable " + target: ok(""), "bootstrap gui/501 PLIST": ok("")},
			[]string{"print " + target, "enable " + target, "bootstrap gui/501 PLIST"}, nil},
		{"not installed", false, "", nil, []string{"print " + target}, ErrNotInstalled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, f, _ := darwinManager(t)
			if tt.installed {
				os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
				os.WriteFile(m.plistPath(), []byte("x"), 0o644)
			}
			if tt.print == "" {
				f.on(lc+" print "+target, notLoadedPrint)
			} else {
				f.on(lc+" print "+target, printOut(t, tt.print))
			}
			for k, r := range tt.extra {
				f.on(lc+" "+strings.ReplaceAll(k, "PLIST", m.plistPath()), r)
			}
			if err := m.Start(context.Background()); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			var want []string
			for _, c := range tt.calls {
				want = append(want, lc+" "+strings.ReplaceAll(c, "PLIST", m.plistPath()))
			}
			f.assertCalls(t, want...)
		})
	}
}

func TestLaunchdStopRestart(t *testing.T) {
	ctx := context.Background()
	// stop: bootout; already stopped is fine; nothing installed is not.
	m, f, _ := darwinManager(t)
	f.on(lc+" bootout "+target, ok(""))
	if err := m.Stop(ctx); err != nil {
		t.Error(err)
	}
	f.assertCalls(t, lc+" bootout "+target)

	m, f, _ = darwinManager(t)
	os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
	os.WriteFile(m.plistPath(), []byte("x"), 0o644)
	f.on(lc+" bootout "+target, reply{err: failed(lc, 113, notFound)})
	if err := m.Stop(ctx); err != nil {
		t.Errorf("stop when stopped: %v", err)
	}

	m, f, _ = darwinManager(t)
	f.on(lc+" bootout "+target, notLoadedBootout)
	if err := m.Stop(ctx); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("stop when not installed: %v", err)
	}

	// restart: kickstart -k when loaded, else a start.
	m, f, _ = darwinManager(t)
	f.on(lc+" print "+target, printOut(t, "print-running.txt")).on(lc+" kickstart -k "+target, ok(""))
	if err := m.Restart(ctx); err != nil {
		t.Error(err)
	}
	f.assertCalls(t, lc+" print "+target, lc+" kickstart -k "+target)

	m, f, _ = darwinManager(t)
	os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
	os.WriteFile(m.plistPath(), []byte("x"), 0o644)
	f.on(lc+" print "+target, notLoadedPrint).on(lc+" enable "+target, ok("")).on(lc+" bootstrap gui/501 "+m.plistPath(), ok(""))
	if err := m.Restart(ctx); err != nil {
		t.Error(err)
	}
	f.assertCalls(t, lc+" print "+target, lc+" print "+target, lc+" enable "+target, lc+" bootstrap gui/501 "+m.plistPath())
}

func TestLaunchdStatus(t *testing.T) {
	for _, tt := range []struct {
		name      string
		installed bool
		print     reply
		want      Status
	}{
		{"running", true, printOut(t, "print-running.txt"), Status{Loaded: true, Running: true, PID: 4242, State: "running",
			Program: "/Applications/idpulse.app/Contents/MacOS/idpulse"}},
		{"quit", true, printOut(t, "print-exited.txt"), Status{Loaded: true, State: "not running", LastExit: "0",
			Program: "/Applications/idpulse.app/Contents/MacOS/idpulse"}},
		{"crashed", true, printOut(t, "print-crashed.txt"), Status{Loaded: true, State: "spawn scheduled", LastExit: "2 (Abort trap: 6)",
			Program: "/Applications/idpulse.app/Contents/MacOS/idpulse"}},
		{"installed, not loaded", true, notLoadedPrint, Status{State: "not loaded",
			Note: "installed but not loaded: it starts at the next login, or now with 'idpulse start'"}},
		{"loaded, plist gone", false, printOut(t, "print-running.txt"), Status{Loaded: true, Running: true, PID: 4242, State: "running",
			Program: "/Applications/idpulse.app/Contents/MacOS/idpulse", Note: "loaded, but its plist is gone: it will not start at the next login"}},
		{"nothing", false, notLoadedPrint, Status{State: "not loaded"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, f, _ := darwinManager(t)
			if tt.installed {
				os.MkdirAll(filepath.Dir(m.plistPath()), 0o700)
				os.WriteFile(m.plistPath(), []byte("x"), 0o644)
			}
			f.on(lc+" print "+target, tt.print)
			got, err := m.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.System, want.Label, want.Domain = "launchd", "io.idpulse.agent", "gui/501"
			want.Definition, want.LogDir, want.Installed = m.plistPath(), m.LogDir(), tt.installed
			if got != want {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
	m, f, _ := darwinManager(t)
	f.on(lc+" print "+target, reply{err: failed(lc, 1, "boom")})
	if _, err := m.Status(context.Background()); err == nil || !strings.Contains(err.Error(), "launchctl print") {
		t.Errorf("error %v", err)
	}
}

func TestParsePrintIgnoresNestedBlocks(t *testing.T) {
	j := parsePrint([]byte(readFile(t, "testdata/print-running.txt")))
	want := launchdJob{State: "running", PID: 4242, LastExit: "(never exited)",
		Program: "/Applications/idpulse.app/Contents/MacOS/idpulse",
		Path:    "/Users/me/Library/LaunchAgents/io.idpulse.agent.plist"}
	if j != want {
		t.Errorf("\n got %+v\nwant %+v", j, want)
	}
	if j := parsePrint(nil); j.running() {
		t.Error("empty output: running")
	}
}

func TestLaunchdLoginItem(t *testing.T) {
	m, f, _ := darwinManager(t)
	li := m.LoginItem()
	if on, err := li.Enabled(t.Context()); err != nil || on {
		t.Fatalf("fresh: %v %v", on, err)
	}
	// On: the plist is written and a `launchctl disable` override cleared;
	// nothing is bootstrapped (the agent asking is already running).
	f.on(lc+" enable "+target, ok(""))
	if err := li.SetEnabled(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, lc+" enable "+target)
	if on, err := li.Enabled(t.Context()); err != nil || !on {
		t.Errorf("after on: %v %v", on, err)
	}
	// Off: the plist goes; no bootout (it would end the agent asking).
	f.calls = nil
	if err := li.SetEnabled(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t)
	if on, _ := li.Enabled(t.Context()); on || fileExists(m.plistPath()) {
		t.Error("still enabled after off")
	}
	if err := li.SetEnabled(t.Context(), false); err != nil {
		t.Errorf("off twice: %v", err)
	}
}

func TestInstallRefusesTemporaryBinary(t *testing.T) {
	m, _, _ := darwinManager(t)
	m.Program = "/tmp/go-build123/b001/exe/idpulse"
	if err := m.Install(context.Background(), true); err == nil || !strings.Contains(err.Error(), "go run") {
		t.Errorf("error %v", err)
	}
	m.Program = "bin/idpulse"
	if err := m.Install(context.Background(), true); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("error %v", err)
	}
}

func TestUnsupportedOS(t *testing.T) {
	m := &Manager{GOOS: "windows", Program: `C:\idpulse.exe`, Runner: newFake(t)}
	m.Program = "/x/idpulse"
	ctx := context.Background()
	for name, err := range map[string]error{
		"install": m.Install(ctx, true), "uninstall": m.Uninstall(ctx), "start": m.Start(ctx),
		"stop": m.Stop(ctx), "restart": m.Restart(ctx), "login item": m.LoginItem().SetEnabled(t.Context(), true),
	} {
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := m.Status(ctx); !errors.Is(err, ErrUnsupported) {
		t.Errorf("status: %v", err)
	}
}

// TestLoginItemInterface: the agent's LoginItem interface (agent.LoginItem).
func TestLoginItemInterface(t *testing.T) {
	var _ interface {
		Enabled(ctx context.Context) (bool, error)
		SetEnabled(ctx context.Context, on bool) error
	} = (&Manager{}).LoginItem()
}
