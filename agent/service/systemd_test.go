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
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

const (
	sc       = "/usr/bin/systemctl --user"
	linuxBin = "/home/Jane Doe/.local/bin/idpulse"
)

// linuxManager is the Linux side with a fake systemctl, whose user manager
// answers or not.
func linuxManager(t *testing.T, userManager bool) (*Manager, *systemdBackend, *commandtest.Runner) {
	t.Helper()
	f := commandtest.Strict(t)
	s := &systemdBackend{Runner: f, ConfigHome: filepath.Join(t.TempDir(), "home", ".config"), Agent: agentCmd{Program: linuxBin},
		Systemctl: "/usr/bin/systemctl", ProcRoot: filepath.Join(t.TempDir(), "proc")}
	if userManager {
		f.On(sc+" show-environment", commandtest.OK("HOME=/home/jane\n"))
	} else {
		f.On(sc+" show-environment", commandtest.Fail("/usr/bin/systemctl", 1, "Failed to connect to bus: No medium found"))
	}
	return &Manager{b: s}, s, f
}

// TestLinuxPaths: the unit and the entry live below $XDG_CONFIG_HOME when
// it is absolute, else below ~/.config.
func TestLinuxPaths(t *testing.T) {
	for _, tt := range []struct{ xdg, unit, autostart string }{
		{"", "/home/j/.config/systemd/user/idpulse.service", "/home/j/.config/autostart/idpulse.desktop"},
		{"/xdg", "/xdg/systemd/user/idpulse.service", "/xdg/autostart/idpulse.desktop"},
		{"relative", "/home/j/.config/systemd/user/idpulse.service", "/home/j/.config/autostart/idpulse.desktop"},
	} {
		t.Setenv("XDG_CONFIG_HOME", tt.xdg)
		s := newSystemd(nil, "/home/j", agentCmd{})
		if got := s.unitPath(); got != tt.unit {
			t.Errorf("XDG_CONFIG_HOME=%q: unit %s, want %s", tt.xdg, got, tt.unit)
		}
		if got := s.autostartPath(); got != tt.autostart {
			t.Errorf("XDG_CONFIG_HOME=%q: autostart %s, want %s", tt.xdg, got, tt.autostart)
		}
	}
}

func TestLinuxInstallSystemd(t *testing.T) {
	m, s, f := linuxManager(t, true)
	// A leftover autostart entry would start a second agent at login.
	filetest.Write(t, s.autostartPath(), "[Desktop Entry]\n", 0o644)
	f.On(sc+" daemon-reload", commandtest.OK("")).On(sc+" enable idpulse.service", commandtest.OK("")).On(sc+" restart idpulse.service", commandtest.OK(""))
	f.Before(sc+" daemon-reload", func() {
		if !fileExists(s.unitPath()) {
			t.Error("daemon-reload before the unit is written")
		}
	})
	if err := m.Install(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, sc+" show-environment", sc+" daemon-reload", sc+" enable idpulse.service", sc+" restart idpulse.service")
	want, _ := launchd.RenderUnit(launchd.Unit{Program: linuxBin, Arguments: []string{"run"}})
	if filetest.Read(t, s.unitPath()) != string(want) {
		t.Errorf("unit:\n%s", filetest.Read(t, s.unitPath()))
	}
	if fileExists(s.autostartPath()) {
		t.Error("autostart entry left beside the unit")
	}

	// --no-start (and Launch at Login): enabled, not started.
	m, s, f = linuxManager(t, true)
	f.On(sc+" daemon-reload", commandtest.OK("")).On(sc+" enable idpulse.service", commandtest.OK(""))
	if err := m.Install(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, sc+" show-environment", sc+" daemon-reload", sc+" enable idpulse.service")
}

func TestLinuxInstallAutostart(t *testing.T) {
	_, noManager, _ := linuxManager(t, false)
	for _, s := range []*systemdBackend{
		noManager,
		// No systemctl at all: nothing is run.
		{Runner: commandtest.Strict(t), ConfigHome: t.TempDir(), Agent: agentCmd{Program: linuxBin}},
	} {
		m := &Manager{b: s}
		if err := m.Install(context.Background(), true); err != nil {
			t.Fatal(err)
		}
		want, _ := launchd.RenderAutostart(launchd.Autostart{Program: linuxBin, Arguments: []string{"run"}})
		if filetest.Read(t, s.autostartPath()) != string(want) {
			t.Errorf("autostart entry:\n%s", filetest.Read(t, s.autostartPath()))
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
		if fileExists(s.autostartPath()) {
			t.Error("autostart entry left")
		}
		if err := m.Uninstall(context.Background()); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("second uninstall: %v", err)
		}
	}
}

func TestLinuxInstallWithUnreachableUnit(t *testing.T) {
	m, s, _ := linuxManager(t, false)
	filetest.Write(t, s.unitPath(), "[Unit]\n", 0o644)
	if err := m.Install(context.Background(), true); err == nil || !strings.Contains(err.Error(), "desktop session") {
		t.Errorf("error %v", err)
	}
	if fileExists(s.autostartPath()) {
		t.Error("autostart entry written beside a unit: two agents at login")
	}
	st, err := m.Status(context.Background())
	if err != nil || st.System != "systemd" || !st.Installed || !strings.Contains(st.Note, "not reachable") {
		t.Errorf("status %+v %v", st, err)
	}
}

func TestLinuxUninstallOrder(t *testing.T) {
	m, s, f := linuxManager(t, true)
	filetest.Write(t, s.unitPath(), "[Unit]\n", 0o644)
	f.On(sc+" disable idpulse.service", commandtest.OK("")).
		On(sc+" daemon-reload", commandtest.OK("")).
		On(sc+" show idpulse.service --property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart",
			commandtest.OK("LoadState=not-found\nActiveState=active\nSubState=running\nMainPID=77\n")).
		On(sc+" reset-failed idpulse.service", commandtest.OK("")).
		On(sc+" stop idpulse.service", commandtest.OK(""))
	f.Before(sc+" disable idpulse.service", func() {
		if !fileExists(s.unitPath()) {
			t.Error("disable after the unit file is gone: it cannot find the .wants link")
		}
	})
	f.Before(sc+" stop idpulse.service", func() {
		if fileExists(s.unitPath()) {
			t.Error("stop while the unit file exists: the agent asking would die before the uninstall is done")
		}
	})
	if err := m.Uninstall(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.AssertCalls(t, sc+" show-environment", sc+" disable idpulse.service", sc+" daemon-reload",
		sc+" show idpulse.service --property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart",
		sc+" reset-failed idpulse.service", sc+" stop idpulse.service")

	m, s, f = linuxManager(t, true)
	f.On(sc+" daemon-reload", commandtest.OK("")).
		On(sc+" show idpulse.service --property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart",
			commandtest.OK("LoadState=not-found\nActiveState=inactive\nSubState=dead\nMainPID=0\n"))
	if err := m.Uninstall(context.Background()); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("nothing installed: %v", err)
	}
}

func TestLinuxVerbs(t *testing.T) {
	for _, verb := range []string{"start", "stop", "restart"} {
		m, s, f := linuxManager(t, true)
		call := map[string]func(context.Context) error{"start": m.Start, "stop": m.Stop, "restart": m.Restart}[verb]
		if err := call(context.Background()); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("%s, not installed: %v", verb, err)
		}
		filetest.Write(t, s.unitPath(), "[Unit]\n", 0o644)
		f.On(sc+" "+verb+" idpulse.service", commandtest.Fail("/usr/bin/systemctl", 1, "Job failed"))
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
			m, s, f := linuxManager(t, true)
			if tt.unit {
				filetest.Write(t, s.unitPath(), "[Unit]\n", 0o644)
			}
			f.On(show, commandtest.OK(tt.out))
			got, err := m.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.System, want.Label, want.Definition = "systemd", "idpulse.service", s.unitPath()
			if got != want {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestAutostartStatusFindsProcess: with no service manager the agent's pid
// comes from /proc: <program> run, its binary possibly replaced on disk.
func TestAutostartStatusFindsProcess(t *testing.T) {
	m, s, _ := linuxManager(t, false)
	filetest.Write(t, s.autostartPath(), "[Desktop Entry]\n", 0o644)
	proc := func(pid int, exe string, argv ...string) {
		dir := filepath.Join(s.ProcRoot, strconv.Itoa(pid))
		filetest.Write(t, filepath.Join(dir, "cmdline"), strings.Join(argv, "\x00")+"\x00", 0o644)
		filetest.Symlink(t, exe, filepath.Join(dir, "exe"))
	}
	proc(10, "/usr/bin/bash", "bash")
	proc(11, linuxBin, linuxBin, "check")             // not the agent
	proc(12, linuxBin+" (deleted)", "idpulse", "run") // upgraded under it
	os.MkdirAll(filepath.Join(s.ProcRoot, "self"), 0o755)
	st, err := m.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Running || st.PID != 12 || !st.Installed || st.System != "autostart" {
		t.Errorf("%+v", st)
	}
	if pid := findAgent(s.ProcRoot, "/other/idpulse"); pid != 0 {
		t.Errorf("other program: pid %d", pid)
	}
	if pid := findAgent(filepath.Join(s.ProcRoot, "missing"), linuxBin); pid != 0 {
		t.Errorf("no proc: pid %d", pid)
	}
}
