//go:build darwin

package service

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/idpulse/idpulse/launchd"
)

// These run on a real Mac and write into the real ~/Library/LaunchAgents,
// so they only run when asked (the macOS CI workflow asks). They use the
// label io.idpulse.agent.citest, never the product's.
const ciLabel = "io.idpulse.agent.citest"

// TestKardianosWritesRenderedPlist: the plist kardianos/service's Install
// writes on a Mac is byte for byte launchd.RenderAgent's (which the Linux
// tests parse and check key by key).
func TestKardianosWritesRenderedPlist(t *testing.T) {
	if os.Getenv("IDPULSE_DARWIN_KARDIANOS_TEST") != "1" {
		t.Skip("writes ~/Library/LaunchAgents/" + ciLabel + ".plist: set IDPULSE_DARWIN_KARDIANOS_TEST=1 (the macOS CI does)")
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	a := launchd.Agent{
		Label:     ciLabel,
		Program:   "/Applications/id pulse & co.app/Contents/MacOS/idpulse",
		Arguments: []string{"run", "a&b <c> 'd' \"e\""},
		LogDir:    filepath.Join(t.TempDir(), "Logs dir"),
	}
	path := filepath.Join(u.HomeDir, "Library", "LaunchAgents", ciLabel+".plist")
	os.Remove(path)
	t.Cleanup(func() { os.Remove(path) })
	if err := writeWithKardianos(a, path, nil); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := launchd.RenderAgent(a)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("kardianos/service wrote:\n%s\nlaunchd.RenderAgent renders:\n%s", got, want)
	}
	// An upgrade over the existing file: kardianos/service refuses to
	// overwrite, so the old plist is replaced.
	a.Arguments = []string{"run"}
	if err := writeWithKardianos(a, path, got); err != nil {
		t.Fatal(err)
	}
	want, _ = launchd.RenderAgent(a)
	if got, _ := os.ReadFile(path); string(got) != string(want) {
		t.Errorf("after upgrade:\n%s", got)
	}
}

// TestLaunchdCycle: install -> running -> stop -> start -> restart ->
// uninstall through the real launchctl in this user's GUI session.
func TestLaunchdCycle(t *testing.T) {
	if os.Getenv("IDPULSE_LAUNCHD_CYCLE") != "1" {
		t.Skip("bootstraps a LaunchAgent into gui/$UID: set IDPULSE_LAUNCHD_CYCLE=1 (the macOS CI does)")
	}
	m, err := NewSystem()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := m.b.(*launchdBackend)
	if !ok || l.Write == nil {
		t.Fatalf("NewSystem on darwin is %#v, not launchd writing through kardianos/service", m.b)
	}
	dir := t.TempDir()
	argvFile := filepath.Join(dir, "argv out")
	l.Label = ciLabel
	l.Agent = agentCmd{Program: copyTestBinary(t, dir), Args: []string{helperArg, argvFile, "two words", "a&b<c>'d'\"e\""}}
	ctx := context.Background()
	t.Cleanup(func() { m.Uninstall(ctx) })

	if err := m.Install(ctx, true); err != nil {
		t.Fatal(err)
	}
	st := waitStatus(t, m, "running", running)
	if !st.Installed || st.Domain == "" {
		t.Errorf("%+v", st)
	}
	argv := agentArgv(t, argvFile)
	if want := append([]string{l.Agent.Program}, l.Agent.Args...); !reflect.DeepEqual(argv, want) {
		t.Errorf("argv %q, want %q", argv, want)
	}
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, m, "stopped", func(st Status) bool { return !st.Loaded })
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pid := waitStatus(t, m, "running again", running).PID
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, m, "restarted", func(st Status) bool { return running(st) && st.PID != pid })
	if err := m.Install(ctx, true); err != nil { // upgrade in place
		t.Fatal(err)
	}
	waitStatus(t, m, "running after reinstall", running)
	if err := m.Uninstall(ctx); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, m, "uninstalled", func(st Status) bool { return !st.Installed && !st.Loaded })
}
