package service

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/launchd"
)

// The Linux side: a systemd user unit when a user manager answers, else an
// XDG autostart entry (no user manager: a container, a non-systemd distro,
// or an ssh shell without the session's XDG_RUNTIME_DIR).

func (m *Manager) configHome() string {
	if m.ConfigHome != "" {
		return m.ConfigHome
	}
	return filepath.Join(m.Home, ".config")
}

func (m *Manager) unitPath() string {
	return filepath.Join(m.configHome(), "systemd", "user", launchd.UnitName)
}

func (m *Manager) autostartPath() string {
	return filepath.Join(m.configHome(), "autostart", launchd.AutostartName)
}

func (m *Manager) systemctl(ctx context.Context, args ...string) ([]byte, error) {
	out, err := m.run(ctx, m.Systemctl, append([]string{"--user"}, args...)...)
	if err != nil {
		return out, fmt.Errorf("systemctl --user %s: %w", strings.Join(args, " "), err)
	}
	return out, nil
}

// userManager reports whether a systemd user manager answers.
func (m *Manager) userManager(ctx context.Context) bool {
	if m.Systemctl == "" {
		return false
	}
	_, err := m.systemctl(ctx, "show-environment")
	return err == nil
}

// writeIfChanged writes path atomically unless it already holds data.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return atomicfile.Write(path, data, 0o644)
}

func (m *Manager) writeUnit() error {
	unit, err := launchd.RenderUnit(launchd.Unit{Program: m.Program, Arguments: m.args()})
	if err != nil {
		return err
	}
	return writeIfChanged(m.unitPath(), unit)
}

func (m *Manager) writeAutostart() error {
	entry, err := launchd.RenderAutostart(launchd.Autostart{Program: m.Program, Arguments: m.args()})
	if err != nil {
		return err
	}
	return writeIfChanged(m.autostartPath(), entry)
}

// enableUnit writes the unit and enables it for graphical-session.target.
// The autostart entry goes: with both, the desktop would start two agents.
func (m *Manager) enableUnit(ctx context.Context) error {
	if err := m.writeUnit(); err != nil {
		return err
	}
	if _, err := m.systemctl(ctx, "daemon-reload"); err != nil {
		return err
	}
	if _, err := m.systemctl(ctx, "enable", launchd.UnitName); err != nil {
		return err
	}
	_, err := removeIfExists(m.autostartPath())
	return err
}

func (m *Manager) linuxInstall(ctx context.Context, start bool) error {
	if !m.userManager(ctx) {
		// A unit from an earlier install plus an autostart entry would
		// start two agents at login.
		if ok, err := exists(m.unitPath()); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%s is installed, but the systemd user manager is not reachable from here (XDG_RUNTIME_DIR unset?): run 'idpulse install' in the desktop session", m.unitPath())
		}
		// Started at the next login; Status says so.
		return m.writeAutostart()
	}
	if err := m.enableUnit(ctx); err != nil {
		return err
	}
	if !start {
		return nil
	}
	// restart = start when stopped; when running (an upgrade) the new
	// binary and unit take over.
	_, err := m.systemctl(ctx, "restart", launchd.UnitName)
	return err
}

func (m *Manager) linuxUninstall(ctx context.Context) error {
	unitThere, err := exists(m.unitPath())
	if err != nil {
		return err
	}
	manager := m.userManager(ctx)
	if manager && unitThere {
		// disable needs the unit file; it removes the .wants link.
		if _, err := m.systemctl(ctx, "disable", launchd.UnitName); err != nil {
			return err
		}
	}
	if _, err := removeIfExists(m.unitPath()); err != nil {
		return err
	}
	desktopThere, err := removeIfExists(m.autostartPath())
	if err != nil {
		return err
	}
	if !manager {
		if !unitThere && !desktopThere {
			return ErrNotInstalled
		}
		return nil
	}
	if _, err := m.systemctl(ctx, "daemon-reload"); err != nil {
		return err
	}
	// The definition is gone; stopping comes last because it may end this
	// process (the agent's own cgroup).
	u, err := m.unitState(ctx)
	if err != nil {
		return err
	}
	if !unitThere && !desktopThere && !u.active() {
		return ErrNotInstalled
	}
	m.systemctl(ctx, "reset-failed", launchd.UnitName) // only clears a "failed" record
	if u.active() {
		_, err = m.systemctl(ctx, "stop", launchd.UnitName)
	}
	return err
}

func (m *Manager) linuxStart(ctx context.Context) error {
	return m.linuxVerb(ctx, "start")
}

func (m *Manager) linuxStop(ctx context.Context) error {
	return m.linuxVerb(ctx, "stop")
}

func (m *Manager) linuxRestart(ctx context.Context) error {
	return m.linuxVerb(ctx, "restart")
}

func (m *Manager) linuxVerb(ctx context.Context, verb string) error {
	if !m.userManager(ctx) {
		if ok, _ := exists(m.autostartPath()); ok {
			return ErrNoUserManager
		}
		return ErrNotInstalled
	}
	if ok, err := exists(m.unitPath()); err != nil {
		return err
	} else if !ok {
		return ErrNotInstalled
	}
	_, err := m.systemctl(ctx, verb, launchd.UnitName)
	return err
}

func (m *Manager) linuxStatus(ctx context.Context) (Status, error) {
	unitThere, err := exists(m.unitPath())
	if err != nil {
		return Status{}, err
	}
	desktopThere, err := exists(m.autostartPath())
	if err != nil {
		return Status{}, err
	}
	if !m.userManager(ctx) {
		st := Status{System: "autostart", Label: launchd.AutostartName, Definition: m.autostartPath(), Installed: desktopThere}
		switch {
		case desktopThere:
			st.Note = "no systemd user manager: idpulse starts at login from its XDG autostart entry"
		case unitThere:
			st.System, st.Label, st.Definition, st.Installed = "systemd", launchd.UnitName, m.unitPath(), true
			st.Note = "the systemd user manager is not reachable from this shell (XDG_RUNTIME_DIR unset?), so the unit's state is unknown"
		}
		if pid := findAgent(m.ProcRoot, m.Program); pid > 0 {
			st.Running, st.PID, st.State = true, pid, "running"
		} else {
			st.State = "not running"
		}
		return st, nil
	}
	st := Status{System: "systemd", Label: launchd.UnitName, Definition: m.unitPath(), Installed: unitThere}
	u, err := m.unitState(ctx)
	if err != nil {
		return st, err
	}
	st.Loaded = u["LoadState"] == "loaded"
	st.Running = u["ActiveState"] == "active" && u["SubState"] == "running"
	if pid, _ := strconv.Atoi(u["MainPID"]); pid > 0 {
		st.PID = pid
	}
	st.State = u["ActiveState"]
	if sub := u["SubState"]; sub != "" {
		st.State += " (" + sub + ")"
	}
	if code := u["ExecMainStatus"]; !st.Running && code != "" && (code != "0" || u["ActiveState"] == "failed") {
		st.LastExit = code
	}
	st.Program = execPath(u["ExecStart"])
	switch {
	case unitThere && u["UnitFileState"] != "" && u["UnitFileState"] != "enabled":
		st.Note = "the unit is " + u["UnitFileState"] + ": it will not start at login (run 'idpulse install')"
	case desktopThere:
		st.Note = "an XDG autostart entry exists as well (" + m.autostartPath() + "); 'idpulse install' removes it"
	}
	return st, nil
}

// unitProps is `systemctl --user show` output.
type unitProps map[string]string

func (u unitProps) active() bool {
	switch u["ActiveState"] {
	case "active", "activating", "reloading", "deactivating":
		return true
	}
	return false
}

func (m *Manager) unitState(ctx context.Context) (unitProps, error) {
	out, err := m.systemctl(ctx, "show", launchd.UnitName,
		"--property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus,UnitFileState,ExecStart")
	if err != nil {
		return nil, err
	}
	return parseShow(out), nil
}

// execPath is the program of an ExecStart property,
// "{ path=/usr/bin/idpulse ; argv[]=/usr/bin/idpulse run ; … }".
func execPath(prop string) string {
	_, rest, ok := strings.Cut(prop, "path=")
	if !ok {
		return ""
	}
	path, _, _ := strings.Cut(rest, " ;")
	return path
}

func parseShow(out []byte) unitProps {
	u := unitProps{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			u[k] = v
		}
	}
	return u
}

// findAgent finds a running `<program> run` of this user in procRoot, for
// the autostart case where no service manager knows the pid. 0: none.
func findAgent(procRoot, program string) int {
	if procRoot == "" || program == "" {
		return 0
	}
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return 0
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		exe, err := os.Readlink(filepath.Join(procRoot, e.Name(), "exe"))
		if err != nil {
			continue // another user's process, or gone
		}
		// After an upgrade the kernel reports the replaced binary as
		// "<path> (deleted)".
		if strings.TrimSuffix(exe, " (deleted)") != program {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		argv := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if len(argv) > 1 && argv[1] == "run" {
			return pid
		}
	}
	return 0
}
