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
	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

const (
	lc       = "/bin/launchctl"
	target   = "gui/501/io.idpulse.agent"
	appBin   = "/Applications/id pulse & co.app/Contents/MacOS/idpulse"
	notFound = "Could not find service \"io.idpulse.agent\" in domain for port"
)

// darwinManager is the macOS side driven on any OS: a temporary home, uid
// 501, a fake launchctl, pauses that take no time.
func darwinManager(t *testing.T) (*Manager, *launchdBackend, *commandtest.Runner) {
	t.Helper()
	f := commandtest.Strict(t)
	l := &launchdBackend{
		Runner: f, Home: filepath.Join(t.TempDir(), "Jane Doe"), UID: 501, Label: launchd.Label,
		Agent: agentCmd{Program: appBin}, Sleep: func(time.Duration) {},
	}
	return &Manager{b: l}, l, f
}

func printOut(t *testing.T, name string) commandtest.Reply {
	t.Helper()
	return commandtest.OK(filetest.Read(t, filepath.Join("testdata", name)))
}

var (
	notLoadedPrint   = commandtest.Fail(lc, 113, notFound)
	notLoadedBootout = commandtest.Fail(lc, 3, "Boot-out failed: 3: No such process")
)

func TestLaunchdInstallFresh(t *testing.T) {
	m, l, f := darwinManager(t)
	f.On(lc+" bootout "+target, notLoadedBootout).
		On(lc+" enable "+target, commandtest.OK("")).
		On(lc+" bootstrap gui/501 "+l.plistPath(), commandtest.OK(""))
	// The plist and the log directory exist before launchd is asked.
	f.Before(lc+" bootstrap gui/501 "+l.plistPath(), func() {
		if !fileExists(l.plistPath()) || !fileExists(l.logDir()) {
			t.Error("bootstrap before the plist and the log directory exist")
		}
	})
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, lc+" bootout "+target, lc+" enable "+target, lc+" bootstrap gui/501 "+l.plistPath())

	wantPath := filepath.Join(l.Home, "Library", "LaunchAgents", "io.idpulse.agent.plist")
	if l.plistPath() != wantPath {
		t.Errorf("plist at %s, want %s", l.plistPath(), wantPath)
	}
	var p map[string]any
	if _, err := plist.Unmarshal([]byte(filetest.Read(t, wantPath)), &p); err != nil {
		t.Fatal(err)
	}
	if got := p["ProgramArguments"]; !reflect.DeepEqual(got, []any{appBin, "run"}) {
		t.Errorf("ProgramArguments %v", got)
	}
	if got := p["StandardOutPath"]; got != filepath.Join(l.Home, "Library", "Logs", "idpulse", "io.idpulse.agent.out.log") {
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
	m, l, f := darwinManager(t)
	filetest.Write(t, l.plistPath(), "<plist>old</plist>", 0o644)
	f.On(lc+" bootout "+target, commandtest.OK("")).
		On(lc+" enable "+target, commandtest.OK("")).
		On(lc+" bootstrap gui/501 "+l.plistPath(), commandtest.OK(""))
	// The old agent is stopped after the new definition is in place.
	f.Before(lc+" bootout "+target, func() {
		if strings.Contains(filetest.Read(t, l.plistPath()), "old") {
			t.Error("bootout before the new plist is written")
		}
	})
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, lc+" bootout "+target, lc+" enable "+target, lc+" bootstrap gui/501 "+l.plistPath())
	want, _ := launchd.RenderAgent(l.agent())
	if filetest.Read(t, l.plistPath()) != string(want) {
		t.Error("plist not replaced")
	}
}

func TestLaunchdInstallUnchangedKeepsFile(t *testing.T) {
	m, l, f := darwinManager(t)
	want, _ := launchd.RenderAgent(l.agent())
	filetest.Write(t, l.plistPath(), string(want), 0o644)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	os.Chtimes(l.plistPath(), old, old)
	f.On(lc+" enable "+target, commandtest.OK(""))
	if err := m.Install(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(l.plistPath()); !st.ModTime().Equal(old) {
		t.Error("an unchanged plist was rewritten (macOS would notify 'Background Items Added' again)")
	}
}

func TestLaunchdBootstrapRetries(t *testing.T) {
	m, l, f := darwinManager(t)
	var slept []time.Duration
	l.Sleep = func(d time.Duration) { slept = append(slept, d) }
	boot := lc + " bootstrap gui/501 " + l.plistPath()
	f.On(lc+" bootout "+target, commandtest.OK("")).
		On(lc+" enable "+target, commandtest.OK("")).
		On(boot, commandtest.Fail(lc, 5, "Bootstrap failed: 5: Input/output error"), commandtest.Fail(lc, 5, "Bootstrap failed: 5: Input/output error"), commandtest.OK("")).
		On(lc+" print "+target, notLoadedPrint)
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, lc+" bootout "+target, lc+" enable "+target,
		boot, lc+" print "+target, boot, lc+" print "+target, boot)
	if len(slept) != 2 {
		t.Errorf("slept %v, want two pauses", slept)
	}
}

func TestLaunchdBootstrapAlreadyLoaded(t *testing.T) {
	m, l, f := darwinManager(t)
	filetest.Write(t, l.plistPath(), "x", 0o644)
	boot := lc + " bootstrap gui/501 " + l.plistPath()
	f.On(lc+" print "+target, notLoadedPrint, printOut(t, "print-running.txt")).
		On(lc+" enable "+target, commandtest.OK("")).
		On(boot, commandtest.Fail(lc, 37, "Bootstrap failed: 37: Operation already in progress"))
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, lc+" print "+target, lc+" enable "+target, boot, lc+" print "+target)
}

func TestLaunchdBootstrapFailureExplains(t *testing.T) {
	m, l, f := darwinManager(t)
	boot := lc + " bootstrap gui/501 " + l.plistPath()
	f.On(lc+" bootout "+target, notLoadedBootout).
		On(lc+" enable "+target, commandtest.OK("")).
		On(boot, commandtest.Fail(lc, 5, "Bootstrap failed: 5: Input/output error")).
		On(lc+" print "+target, notLoadedPrint)
	err := m.Install(context.Background(), true)
	if err == nil {
		t.Fatal("want an error")
	}
	want := "launchctl bootstrap gui/501 " + l.plistPath() + ": run /bin/launchctl: exit status 5: Bootstrap failed: 5: Input/output error"
	if err.Error() != want || command.ExitCode(err) != 5 {
		t.Errorf("error %q (exit %d), want %q", err, command.ExitCode(err), want)
	}
	// The advice the command prints after the error.
	var h *HintError
	if !errors.As(err, &h) || h.Hint != "If idpulse is switched off under System Settings > General > Login Items, switch it on and run 'idpulse start'. "+
		"From an ssh session there is no GUI login (gui/501) to start a menu bar agent in." {
		t.Errorf("hint %+v", h)
	}
	if n := strings.Count(strings.Join(f.Cmdlines(), "\n"), "bootstrap"); n != bootstrapAttempts {
		t.Errorf("%d bootstrap attempts, want %d", n, bootstrapAttempts)
	}
}

func TestLaunchdUninstallRemovesPlistBeforeBootout(t *testing.T) {
	m, l, f := darwinManager(t)
	filetest.Write(t, l.plistPath(), "x", 0o644)
	f.On(lc+" bootout "+target, commandtest.OK(""))
	f.Before(lc+" bootout "+target, func() {
		if fileExists(l.plistPath()) {
			t.Error("bootout while the plist still exists: the agent asking to be uninstalled would die first")
		}
	})
	if err := m.Uninstall(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, lc+" bootout "+target)
}

// TestLaunchdUninstallFailure: a launchctl failure that is not "not
// loaded" is reported.
func TestLaunchdUninstallFailure(t *testing.T) {
	m, _, f := darwinManager(t)
	f.On(lc+" bootout "+target, commandtest.Fail(lc, 1, "Boot-out failed: 1: Operation not permitted"))
	if err := m.Uninstall(context.Background()); err == nil || !strings.Contains(err.Error(), "Operation not permitted") {
		t.Errorf("error %v", err)
	}
}

// TestLaunchdActions: start, stop, restart and uninstall ask launchd what
// it has loaded and do only what that needs; only uninstall removes the
// plist.
func TestLaunchdActions(t *testing.T) {
	verbs := map[string]func(*Manager, context.Context) error{
		"start": (*Manager).Start, "stop": (*Manager).Stop, "restart": (*Manager).Restart, "uninstall": (*Manager).Uninstall,
	}
	for _, tt := range []struct {
		name      string
		verb      string
		installed bool
		// replies are by launchctl arguments, calls the launchctl
		// arguments run; PLIST stands for the plist's path.
		replies map[string]commandtest.Reply
		calls   []string
		want    error
	}{
		{"start running", "start", true, map[string]commandtest.Reply{"print " + target: printOut(t, "print-running.txt")},
			[]string{"print " + target}, nil},
		{"start exited", "start", true, map[string]commandtest.Reply{"print " + target: printOut(t, "print-exited.txt"), "kickstart " + target: commandtest.OK("")},
			[]string{"print " + target, "kickstart " + target}, nil},
		{"start not loaded", "start", true, map[string]commandtest.Reply{"print " + target: notLoadedPrint, "enable " + target: commandtest.OK(""), "bootstrap gui/501 PLIST": commandtest.OK("")},
			[]string{"print " + target, "enable " + target, "bootstrap gui/501 PLIST"}, nil},
		{"start not installed", "start", false, map[string]commandtest.Reply{"print " + target: notLoadedPrint},
			[]string{"print " + target}, ErrNotInstalled},
		{"stop", "stop", false, map[string]commandtest.Reply{"bootout " + target: commandtest.OK("")},
			[]string{"bootout " + target}, nil},
		{"stop stopped", "stop", true, map[string]commandtest.Reply{"bootout " + target: commandtest.Fail(lc, 113, notFound)},
			[]string{"bootout " + target}, nil},
		{"stop not installed", "stop", false, map[string]commandtest.Reply{"bootout " + target: notLoadedBootout},
			[]string{"bootout " + target}, ErrNotInstalled},
		{"restart loaded", "restart", true, map[string]commandtest.Reply{"print " + target: printOut(t, "print-running.txt"), "kickstart -k " + target: commandtest.OK("")},
			[]string{"print " + target, "kickstart -k " + target}, nil},
		{"restart not loaded", "restart", true, map[string]commandtest.Reply{"print " + target: notLoadedPrint, "enable " + target: commandtest.OK(""), "bootstrap gui/501 PLIST": commandtest.OK("")},
			[]string{"print " + target, "print " + target, "enable " + target, "bootstrap gui/501 PLIST"}, nil},
		{"uninstall not loaded", "uninstall", true, map[string]commandtest.Reply{"bootout " + target: notLoadedBootout},
			[]string{"bootout " + target}, nil},
		{"uninstall loaded, plist gone", "uninstall", false, map[string]commandtest.Reply{"bootout " + target: commandtest.OK("")},
			[]string{"bootout " + target}, nil},
		{"uninstall nothing", "uninstall", false, map[string]commandtest.Reply{"bootout " + target: commandtest.Fail(lc, 113, notFound)},
			[]string{"bootout " + target}, ErrNotInstalled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, l, f := darwinManager(t)
			if tt.installed {
				filetest.Write(t, l.plistPath(), "x", 0o644)
			}
			launchctl := func(args string) string { return lc + " " + strings.ReplaceAll(args, "PLIST", l.plistPath()) }
			for args, r := range tt.replies {
				f.On(launchctl(args), r)
			}
			if err := verbs[tt.verb](m, context.Background()); !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			var want []string
			for _, c := range tt.calls {
				want = append(want, launchctl(c))
			}
			f.AssertCalls(t, want...)
			if kept := tt.installed && tt.verb != "uninstall"; fileExists(l.plistPath()) != kept {
				t.Errorf("the plist exists: %v, want %v", !kept, kept)
			}
		})
	}
}

func TestLaunchdStatus(t *testing.T) {
	for _, tt := range []struct {
		name      string
		installed bool
		print     commandtest.Reply
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
			m, l, f := darwinManager(t)
			if tt.installed {
				filetest.Write(t, l.plistPath(), "x", 0o644)
			}
			f.On(lc+" print "+target, tt.print)
			got, err := m.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.System, want.Label, want.Domain = "launchd", "io.idpulse.agent", "gui/501"
			want.Definition, want.LogDir, want.Installed = l.plistPath(), l.logDir(), tt.installed
			if got != want {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
	m, _, f := darwinManager(t)
	f.On(lc+" print "+target, commandtest.Fail(lc, 1, "boom"))
	if _, err := m.Status(context.Background()); err == nil || !strings.Contains(err.Error(), "launchctl print") {
		t.Errorf("error %v", err)
	}
}

func TestParsePrintIgnoresNestedBlocks(t *testing.T) {
	j := parsePrint([]byte(filetest.Read(t, "testdata/print-running.txt")))
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
