package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/launchd"
)

const (
	sc       = "/usr/bin/systemctl --user"
	linuxBin = "/home/Jane Doe/.local/bin/idpulse"
)

func linuxManager(t *testing.T, userManager bool) (*Manager, *fakeRunner) {
	t.Helper()
	f := newFake(t)
	m := &Manager{GOOS: "linux", Runner: f, Home: filepath.Join(t.TempDir(), "home"), Program: linuxBin,
		Systemctl: "/usr/bin/systemctl", ProcRoot: filepath.Join(t.TempDir(), "proc")}
	if userManager {
		f.on(sc+" show-environment", ok("HOME=/home/jane\n"))
	} else {
		f.on(sc+" show-environment", reply{err: failed("/usr/bin/systemctl", 1, "Failed to connect to bus: No medium found")})
	}
	return m, f
}

func TestLinuxPaths(t *testing.T) {
	m := &Manager{Home: "/home/j"}
	if got := m.unitPath(); got != "/home/j/.config/systemd/user/idpulse.service" {
		t.Errorf("unit %s", got)
	}
	if got := m.autostartPath(); got != "/home/j/.config/autostart/idpulse.desktop" {
		t.Errorf("autostart %s", got)
	}
	m.ConfigHome = "/xdg"
	if got := m.unitPath(); got != "/xdg/systemd/user/idpulse.service" {
		t.Errorf("unit with XDG_CONFIG_HOME %s", got)
	}
}

func TestLinuxInstallSystemd(t *testing.T) {
	m, f := linuxManager(t, true)
	// A leftover autostart entry would start a second agent at login.
	os.MkdirAll(filepath.Dir(m.autostartPath()), 0o755)
	os.WriteFile(m.autostartPath(), []byte("[Desktop Entry]\n"), 0o644)
	f.on(sc+" daemon-reload", ok("")).on(sc+" enable idpulse.service", ok("")).on(sc+" restart idpulse.service", ok(""))
	f.before[sc+" daemon-reload"] = func() {
		if !fileExists(m.unitPath()) {
			t.Error("daemon-reload before the unit is written")
		}
	}
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, sc+" show-environment", sc+" daemon-reload", sc+" enable idpulse.service", sc+" restart idpulse.service")
	want, _ := launchd.RenderUnit(launchd.Unit{Program: linuxBin, Arguments: []string{"run"}})
	if readFile(t, m.unitPath()) != string(want) {
		t.Errorf("unit:\n%s", readFile(t, m.unitPath()))
	}
	if fileExists(m.autostartPath()) {
		t.Error("autostart entry left beside the unit")
	}

	// --no-start (and Launch at Login): enabled, not started.
	m, f = linuxManager(t, true)
	f.on(sc+" daemon-reload", ok("")).on(sc+" enable idpulse.service", ok(""))
	if err := m.Install(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, sc+" show-environment", sc+" daemon-reload", sc+" enable idpulse.service")
}

func TestLinuxInstallAutostart(t *testing.T) {
	for _, m := range []*Manager{
		func() *Manager { m, _ := linuxManager(t, false); return m }(),
		// No systemctl at all: nothing is run.
		{GOOS: "linux", Runner: newFake(t), Home: t.TempDir(), Program: linuxBin},
	} {
		if err := m.Install(context.Background(), true); err != nil {
			t.Fatal(err)
		}
		want, _ := launchd.RenderAutostart(launchd.Autostart{Program: linuxBin, Arguments: []string{"run"}})
		if readFile(t, m.autostartPath()) != string(want) {
			t.Errorf("autostart entry:\n%s", readFile(t, m.autostartPath()))
		}
		st, err := m.Status(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.System != "autostart" || !st.Installed || st.Running || !strings.Contains(st.Note, "XDG autostart") {
			t.Errorf("status %+v", st)
		}
		for _, verb := range []func(context.Context) error{m.Start, m.Stop, m.Restart} {
			if err := verb(context.Background()); !errors.Is(err, ErrNoUserManager) {
				t.Errorf("verb without a user manager: %v", err)
			}
		}
		if err := m.Uninstall(context.Background()); err != nil {
			t.Fatal(err)
		}
		if fileExists(m.autostartPath()) {
			t.Error("autostart entry left")
		}
		if err := m.Uninstall(context.Background()); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("second uninstall: %v", err)
		}
	}
}

func TestLinuxInstallWithUnreachableUnit(t *testing.T) {
	m, _ := linuxManager(t, false)
	os.MkdirAll(filepath.Dir(m.unitPath()), 0o755)
	os.WriteFile(m.unitPath(), []byte("[Unit]\n"), 0o644)
	if err := m.Install(context.Background(), true); err == nil || !strings.Contains(err.Error(), "desktop session") {
		t.Errorf("error %v", err)
	}
	if fileExists(m.autostartPath()) {
		t.Error("autostart entry written beside a unit: two agents at login")
	}
	st, err := m.Status(context.Background())
	if err != nil || st.System != "systemd" || !st.Installed || !strings.Contains(st.Note, "not reachable") {
		t.Errorf("status %+v %v", st, err)
	}
}

func TestLinuxUninstallOrder(t *testing.T) {
	m, f := linuxManager(t, true)
	os.MkdirAll(filepath.Dir(m.unitPath()), 0o755)
	os.WriteFile(m.unitPath(), []byte("[Unit]\n"), 0o644)
	f.on(sc+" disable idpulse.service", ok("")).
		on(sc+" daemon-reload", ok("")).
		on(sc+" show idpulse.service --property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart",
			ok("LoadState=not-found\nActiveState=active\nSubState=running\nMainPID=77\n")).
		on(sc+" reset-failed idpulse.service", ok("")).
		on(sc+" stop idpulse.service", ok(""))
	f.before[sc+" disable idpulse.service"] = func() {
		if !fileExists(m.unitPath()) {
			t.Error("disable after the unit file is gone: it cannot find the .wants link")
		}
	}
	f.before[sc+" stop idpulse.service"] = func() {
		if fileExists(m.unitPath()) {
			t.Error("stop while the unit file exists: the agent asking would die before the uninstall is done")
		}
	}
	if err := m.Uninstall(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.assertCalls(t, sc+" show-environment", sc+" disable idpulse.service", sc+" daemon-reload",
		sc+" show idpulse.service --property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart",
		sc+" reset-failed idpulse.service", sc+" stop idpulse.service")

	m, f = linuxManager(t, true)
	f.on(sc+" daemon-reload", ok("")).
		on(sc+" show idpulse.service --property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart",
			ok("LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n"))
	if err := m.Uninstall(context.Background()); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("nothing installed: %v", err)
	}
}

func TestLinuxVerbs(t *testing.T) {
	for _, verb := range []string{"start", "stop", "restart"} {
		m, f := linuxManager(t, true)
		call := map[string]func(context.Context) error{"start": m.Start, "stop": m.Stop, "restart": m.Restart}[verb]
		if err := call(context.Background()); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("%s, not installed: %v", verb, err)
		}
		os.MkdirAll(filepath.Dir(m.unitPath()), 0o755)
		os.WriteFile(m.unitPath(), []byte("[Unit]\n"), 0o644)
		f.on(sc+" "+verb+" idpulse.service", reply{err: failed("/usr/bin/systemctl", 1, "Job failed")})
		if err := call(context.Background()); err == nil || !strings.Contains(err.Error(), "systemctl --user "+verb) {
			t.Errorf("%s failing: %v", verb, err)
		}
	}
}

func TestLinuxStatus(t *testing.T) {
	show := sc + " show idpulse.service --property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart"
	for _, tt := range []struct {
		name, out string
		unit      bool
		want      Status
	}{
		{"running", "LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\nExecMainStatus=0\nUnitFileState=enabled\nExecStart={ path=" + linuxBin + " ; argv[]=" + linuxBin + " run ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=4242 ; code=(null) ; status=0/0 }\n",
			true, Status{Installed: true, Loaded: true, Running: true, PID: 4242, State: "active (running)", Program: linuxBin}},
		{"quit", "LoadState=loaded\nActiveState=inactive\nSubState=dead\nMainPID=0\nExecMainStatus=0\nUnitFileState=enabled\n",
			true, Status{Installed: true, Loaded: true, State: "inactive (dead)"}},
		{"crashed", "LoadState=loaded\nActiveState=failed\nSubState=failed\nMainPID=0\nExecMainStatus=2\nUnitFileState=enabled\n",
			true, Status{Installed: true, Loaded: true, State: "failed (failed)", LastExit: "2"}},
		{"disabled", "LoadState=loaded\nActiveState=inactive\nSubState=dead\nMainPID=0\nUnitFileState=disabled\n",
			true, Status{Installed: true, Loaded: true, State: "inactive (dead)",
				Note: "the unit is disabled: it will not start at login (run 'idpulse install')"}},
		{"not installed", "LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n",
			false, Status{State: "inactive (dead)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, f := linuxManager(t, true)
			if tt.unit {
				os.MkdirAll(filepath.Dir(m.unitPath()), 0o755)
				os.WriteFile(m.unitPath(), []byte("[Unit]\n"), 0o644)
			}
			f.on(show, ok(tt.out))
			got, err := m.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.System, want.Label, want.Definition = "systemd", "idpulse.service", m.unitPath()
			if got != want {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestAutostartStatusFindsProcess: with no service manager the agent's pid
// comes from /proc: <program> run, its binary possibly replaced on disk.
func TestAutostartStatusFindsProcess(t *testing.T) {
	m, _ := linuxManager(t, false)
	os.MkdirAll(filepath.Dir(m.autostartPath()), 0o755)
	os.WriteFile(m.autostartPath(), []byte("[Desktop Entry]\n"), 0o644)
	proc := func(pid int, exe string, argv ...string) {
		dir := filepath.Join(m.ProcRoot, strconv.Itoa(pid))
		os.MkdirAll(dir, 0o755)
		os.Symlink(exe, filepath.Join(dir, "exe"))
		os.WriteFile(filepath.Join(dir, "cmdline"), []byte(strings.Join(argv, "\x00")+"\x00"), 0o644)
	}
	proc(10, "/usr/bin/bash", "bash")
	proc(11, linuxBin, linuxBin, "check")             // not the agent
	proc(12, linuxBin+" (deleted)", "idpulse", "run") // upgraded under it
	os.MkdirAll(filepath.Join(m.ProcRoot, "self"), 0o755)
	st, err := m.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Running || st.PID != 12 || !st.Installed || st.System != "autostart" {
		t.Errorf("%+v", st)
	}
	if pid := findAgent(m.ProcRoot, "/other/idpulse"); pid != 0 {
		t.Errorf("other program: pid %d", pid)
	}
	if pid := findAgent(filepath.Join(m.ProcRoot, "missing"), linuxBin); pid != 0 {
		t.Errorf("no proc: pid %d", pid)
	}
}

func TestLinuxLoginItem(t *testing.T) {
	// With a user manager: the unit, enabled; off disables and removes it
	// but stops nothing.
	m, f := linuxManager(t, true)
	li := m.LoginItem()
	f.on(sc+" daemon-reload", ok("")).on(sc+" enable idpulse.service", ok("")).
		on(sc+" is-enabled idpulse.service", ok("enabled\n")).on(sc+" disable idpulse.service", ok(""))
	if on, err := li.Enabled(t.Context()); err != nil || on {
		t.Fatalf("fresh: %v %v", on, err)
	}
	if err := li.SetEnabled(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	if on, err := li.Enabled(t.Context()); err != nil || !on {
		t.Errorf("after on: %v %v", on, err)
	}
	if err := li.SetEnabled(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	if fileExists(m.unitPath()) {
		t.Error("unit left after off")
	}
	for _, c := range f.calls {
		if strings.Contains(c, " stop ") || strings.Contains(c, " start ") || strings.Contains(c, " restart ") {
			t.Errorf("Launch at Login ran %q", c)
		}
	}

	// Without one: the autostart entry.
	m, _ = linuxManager(t, false)
	li = m.LoginItem()
	if err := li.SetEnabled(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	if on, err := li.Enabled(t.Context()); err != nil || !on || !fileExists(m.autostartPath()) {
		t.Errorf("autostart on: %v %v", on, err)
	}
	if err := li.SetEnabled(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	if on, _ := li.Enabled(t.Context()); on {
		t.Error("autostart still on")
	}
}
