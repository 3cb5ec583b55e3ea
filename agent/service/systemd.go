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
	"github.com/idpulse/idpulse/probes/command"
)

// systemdBackend is the Linux side: a systemd user unit when a user
// manager answers, else an XDG autostart entry (no user manager: a
// container, a non-systemd distro, or an ssh shell without the session's
// XDG_RUNTIME_DIR). Which one is asked on every call, since the user
// manager may answer from the desktop session and not from this shell.
type systemdBackend struct {
	Runner command.Runner
	// ConfigHome is $XDG_CONFIG_HOME, or ~/.config: the unit and the
	// autostart entry live below it.
	ConfigHome string
	// Systemctl is systemctl's path; "" means none found (no user manager).
	Systemctl string
	// ProcRoot is /proc: it finds an agent started by XDG autostart.
	ProcRoot string
	Agent    agentCmd
}

// systemctlPaths are tried in order (merged /usr first).
var systemctlPaths = []string{"/usr/bin/systemctl", "/bin/systemctl"}

func newSystemd(r command.Runner, home string, a agentCmd) *systemdBackend {
	s := &systemdBackend{Runner: r, ConfigHome: filepath.Join(home, ".config"), ProcRoot: "/proc", Agent: a}
	if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		s.ConfigHome = d
	}
	for _, p := range systemctlPaths {
		if _, err := os.Stat(p); err == nil {
			s.Systemctl = p
			break
		}
	}
	return s
}

func (s *systemdBackend) unitPath() string {
	return filepath.Join(s.ConfigHome, "systemd", "user", launchd.UnitName)
}

func (s *systemdBackend) autostartPath() string {
	return filepath.Join(s.ConfigHome, "autostart", launchd.AutostartName)
}

func (s *systemdBackend) systemctl(ctx context.Context, args ...string) ([]byte, error) {
	out, err := s.Runner.Run(ctx, s.Systemctl, append([]string{"--user"}, args...)...)
	if err != nil {
		return out, fmt.Errorf("systemctl --user %s: %w", strings.Join(args, " "), err)
	}
	return out, nil
}

// userManager reports whether a systemd user manager answers.
func (s *systemdBackend) userManager(ctx context.Context) bool {
	if s.Systemctl == "" {
		return false
	}
	_, err := s.systemctl(ctx, "show-environment")
	return err == nil
}

// writeIfChanged writes path atomically unless it already holds data.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return atomicfile.Write(path, data, 0o644)
}

func (s *systemdBackend) writeUnit() error {
	unit, err := launchd.RenderUnit(launchd.Unit{Program: s.Agent.Program, Arguments: s.Agent.args()})
	if err != nil {
		return err
	}
	return writeIfChanged(s.unitPath(), unit)
}

func (s *systemdBackend) writeAutostart() error {
	entry, err := launchd.RenderAutostart(launchd.Autostart{Program: s.Agent.Program, Arguments: s.Agent.args()})
	if err != nil {
		return err
	}
	return writeIfChanged(s.autostartPath(), entry)
}

// enableUnit writes the unit and enables it for graphical-session.target.
// The autostart entry goes: with both, the desktop would start two agents.
func (s *systemdBackend) enableUnit(ctx context.Context) error {
	if err := s.writeUnit(); err != nil {
		return err
	}
	if _, err := s.systemctl(ctx, "daemon-reload"); err != nil {
		return err
	}
	if _, err := s.systemctl(ctx, "enable", launchd.UnitName); err != nil {
		return err
	}
	_, err := removeIfExists(s.autostartPath())
	return err
}

func (s *systemdBackend) Install(ctx context.Context, start bool) error {
	if err := s.Agent.check(); err != nil {
		return err
	}
	if !s.userManager(ctx) {
		// A unit from an earlier install plus an autostart entry would
		// start two agents at login.
		if ok, err := exists(s.unitPath()); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%s is installed, but the systemd user manager is not reachable from here (XDG_RUNTIME_DIR unset?): run 'idpulse install' in the desktop session", s.unitPath())
		}
		// Started at the next login; Status says so.
		return s.writeAutostart()
	}
	if err := s.enableUnit(ctx); err != nil {
		return err
	}
	if !start {
		return nil
	}
	// restart = start when stopped; when running (an upgrade) the new
	// binary and unit take over.
	_, err := s.systemctl(ctx, "restart", launchd.UnitName)
	return err
}

// removeDefinitions disables and removes the unit and removes the
// autostart entry, stopping nothing. manager: a user manager answered;
// found: there was a definition to remove.
func (s *systemdBackend) removeDefinitions(ctx context.Context) (manager, found bool, err error) {
	unitThere, err := exists(s.unitPath())
	if err != nil {
		return false, false, err
	}
	manager = s.userManager(ctx)
	if manager && unitThere {
		// disable needs the unit file; it removes the .wants link.
		if _, err := s.systemctl(ctx, "disable", launchd.UnitName); err != nil {
			return manager, false, err
		}
	}
	if _, err := removeIfExists(s.unitPath()); err != nil {
		return manager, false, err
	}
	desktopThere, err := removeIfExists(s.autostartPath())
	if err != nil {
		return manager, false, err
	}
	found = unitThere || desktopThere
	if manager {
		_, err = s.systemctl(ctx, "daemon-reload")
	}
	return manager, found, err
}

func (s *systemdBackend) Uninstall(ctx context.Context) error {
	manager, found, err := s.removeDefinitions(ctx)
	switch {
	case err != nil:
		return err
	case !manager && !found:
		return ErrNotInstalled
	case !manager:
		return nil
	}
	// The definition is gone; stopping comes last because it may end this
	// process (the agent's own cgroup).
	u, err := s.unitState(ctx)
	if err != nil {
		return err
	}
	if !found && !u.active() {
		return ErrNotInstalled
	}
	s.systemctl(ctx, "reset-failed", launchd.UnitName) // only clears a "failed" record
	if u.active() {
		_, err = s.systemctl(ctx, "stop", launchd.UnitName)
	}
	return err
}

func (s *systemdBackend) Start(ctx context.Context) error   { return s.verb(ctx, "start") }
func (s *systemdBackend) Stop(ctx context.Context) error    { return s.verb(ctx, "stop") }
func (s *systemdBackend) Restart(ctx context.Context) error { return s.verb(ctx, "restart") }

func (s *systemdBackend) verb(ctx context.Context, verb string) error {
	if !s.userManager(ctx) {
		if ok, _ := exists(s.autostartPath()); ok {
			return ErrNoUserManager
		}
		return ErrNotInstalled
	}
	if ok, err := exists(s.unitPath()); err != nil {
		return err
	} else if !ok {
		return ErrNotInstalled
	}
	_, err := s.systemctl(ctx, verb, launchd.UnitName)
	return err
}

func (s *systemdBackend) Status(ctx context.Context) (Status, error) {
	unitThere, err := exists(s.unitPath())
	if err != nil {
		return Status{}, err
	}
	desktopThere, err := exists(s.autostartPath())
	if err != nil {
		return Status{}, err
	}
	if !s.userManager(ctx) {
		st := Status{System: "autostart", Label: launchd.AutostartName, Definition: s.autostartPath(), Installed: desktopThere}
		switch {
		case desktopThere:
			st.Note = "no systemd user manager: idpulse starts at login from its XDG autostart entry"
		case unitThere:
			st.System, st.Label, st.Definition, st.Installed = "systemd", launchd.UnitName, s.unitPath(), true
			st.Note = "the systemd user manager is not reachable from this shell (XDG_RUNTIME_DIR unset?), so the unit's state is unknown"
		}
		if pid := findAgent(s.ProcRoot, s.Agent.Program); pid > 0 {
			st.Running, st.PID, st.State = true, pid, "running"
		} else {
			st.State = "not running"
		}
		return st, nil
	}
	st := Status{System: "systemd", Label: launchd.UnitName, Definition: s.unitPath(), Installed: unitThere}
	u, err := s.unitState(ctx)
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
		st.Note = "an XDG autostart entry exists as well (" + s.autostartPath() + "); 'idpulse install' removes it"
	}
	return st, nil
}

// loginEnabled: the unit enabled, or (without a user manager) the
// autostart entry.
func (s *systemdBackend) loginEnabled(ctx context.Context) (bool, error) {
	if !s.userManager(ctx) {
		return exists(s.autostartPath())
	}
	if ok, err := exists(s.unitPath()); err != nil || !ok {
		return false, err
	}
	// is-enabled exits non-zero for disabled; its output says which.
	out, _ := s.systemctl(ctx, "is-enabled", launchd.UnitName)
	return strings.TrimSpace(string(out)) == "enabled", nil
}

// disableLogin removes the definitions; no stop, which would end the
// agent.
func (s *systemdBackend) disableLogin(ctx context.Context) error {
	_, _, err := s.removeDefinitions(ctx)
	return err
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

func (s *systemdBackend) unitState(ctx context.Context) (unitProps, error) {
	out, err := s.systemctl(ctx, "show", launchd.UnitName,
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
