// Package service installs, starts, stops and removes idpulse's menu bar
// agent as a per-user service, and implements the agent's Launch at Login.
//
//   - macOS: a LaunchAgent, ~/Library/LaunchAgents/io.idpulse.agent.plist,
//     rendered from launchd/agent.plist.tmpl. On a Mac the file is written by
//     github.com/kardianos/service (UserService, our LaunchdConfig template);
//     everything else uses launchctl's modern subcommands, not the legacy
//     load/unload/list that kardianos/service v1.3.0 drives: bootstrap,
//     bootout, kickstart [-k], enable and print on gui/<uid>/<label>.
//   - Linux: a systemd user unit, ~/.config/systemd/user/idpulse.service
//     (PartOf/WantedBy graphical-session.target, Restart=on-failure) when a
//     user manager answers; otherwise an XDG autostart entry,
//     ~/.config/autostart/idpulse.desktop.
//
// Every command goes through a command.Runner, and the OS is a field, so the
// darwin launchctl argv is tested on Linux with a fake Runner.
package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/idpulse/idpulse/launchd"
	"github.com/idpulse/idpulse/probes/command"
)

// Errors the commands tell apart.
var (
	// ErrNotInstalled: there is no service definition (and nothing loaded).
	ErrNotInstalled = errors.New("the idpulse agent is not installed (run 'idpulse install')")
	// ErrNoUserManager: Linux without a reachable systemd user manager,
	// where the agent starts at login from the XDG autostart entry and
	// cannot be started or stopped as a service.
	ErrNoUserManager = errors.New("no systemd user manager is reachable; idpulse starts at login from its XDG autostart entry (run 'idpulse run' to start it now)")
	// ErrUnsupported: an OS with neither launchd nor systemd support here.
	ErrUnsupported = errors.New("service control is supported on macOS and Linux only")
)

// DefaultArguments are what the service runs after the program path.
var DefaultArguments = []string{"run"}

// CommandTimeout bounds one launchctl or systemctl call. bootout waits for
// the agent to exit (launchd's ExitTimeOut is 20 s by default).
const CommandTimeout = 30 * time.Second

// Fixed paths of the commands (a LaunchAgent's PATH is minimal, and a
// relative name could be hijacked).
const (
	launchctlPath = "/bin/launchctl"
)

// systemctlPaths are tried in order (merged /usr first).
var systemctlPaths = []string{"/usr/bin/systemctl", "/bin/systemctl"}

// Manager controls the agent service of one user.
type Manager struct {
	// GOOS selects launchd ("darwin") or systemd/autostart ("linux").
	GOOS string
	// Runner runs launchctl and systemctl.
	Runner command.Runner
	// Home is the user's home directory.
	Home string
	// ConfigHome is $XDG_CONFIG_HOME on Linux; "" means Home/.config.
	ConfigHome string
	// UID is the user's id: launchd's gui/<uid> domain.
	UID int
	// Program is the absolute path of the idpulse binary the service runs;
	// Arguments follow it (nil means DefaultArguments).
	Program   string
	Arguments []string
	// Label is the LaunchAgent label; "" means launchd.Label.
	Label string
	// Systemctl is systemctl's path; "" means none found (no user manager).
	Systemctl string
	// ProcRoot is /proc: it finds an agent started by XDG autostart.
	ProcRoot string
	// Sleep waits between bootstrap attempts; nil means time.Sleep.
	Sleep func(time.Duration)

	// kardianos: write the plist with kardianos/service (a real Mac).
	kardianos bool
}

// NewSystem is the Manager for the current user and this binary.
func NewSystem() (*Manager, error) {
	m := &Manager{
		GOOS:     runtime.GOOS,
		Runner:   command.Exec{Timeout: CommandTimeout},
		UID:      os.Getuid(),
		ProcRoot: "/proc",
	}
	// kardianos/service finds the home directory with os/user first; use
	// the same so that the plist it writes is the one we bootstrap.
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		m.Home = u.HomeDir
	} else if h, err := os.UserHomeDir(); err == nil {
		m.Home = h
	} else {
		return nil, fmt.Errorf("home directory: %w", err)
	}
	if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		m.ConfigHome = d
	}
	for _, p := range systemctlPaths {
		if _, err := os.Stat(p); err == nil {
			m.Systemctl = p
			break
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("locate the idpulse binary: %w", err)
	}
	// A Homebrew symlink resolves to /Applications/idpulse.app/…, which
	// stays put across upgrades.
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	m.Program = exe
	m.kardianos = m.GOOS == "darwin" && kardianosWrite != nil
	return m, nil
}

// kardianosWrite writes the LaunchAgent through kardianos/service; nil
// where kardianos/service's darwin code is not compiled in.
var kardianosWrite func(a launchd.Agent, path string, old []byte) error

// Status is what `idpulse status` reports about the service.
type Status struct {
	// System is "launchd", "systemd" or "autostart".
	System string `json:"system"`
	// Label is the launchd label, the systemd unit or the autostart entry.
	Label string `json:"label"`
	// Domain is launchd's gui/<uid>.
	Domain string `json:"domain,omitempty"`
	// Definition is the plist, unit or .desktop file.
	Definition string `json:"definition"`
	Installed  bool   `json:"installed"`
	// Loaded: launchd has the job / systemd has the unit loaded.
	Loaded  bool `json:"loaded"`
	Running bool `json:"running"`
	PID     int  `json:"pid,omitempty"`
	// State is the service manager's word for it ("running",
	// "not running", "active (running)", "inactive (dead)", …).
	State string `json:"state,omitempty"`
	// LastExit is the last exit status when not running.
	LastExit string `json:"last_exit,omitempty"`
	// Program is the executable the loaded definition runs.
	Program string `json:"program,omitempty"`
	// LogDir holds the agent's stdout/stderr logs (macOS).
	LogDir string `json:"log_dir,omitempty"`
	// Note explains anything unusual.
	Note string `json:"note,omitempty"`
}

func (m *Manager) label() string {
	if m.Label == "" {
		return launchd.Label
	}
	return m.Label
}

func (m *Manager) args() []string {
	if m.Arguments == nil {
		return DefaultArguments
	}
	return m.Arguments
}

func (m *Manager) sleep(d time.Duration) {
	if m.Sleep != nil {
		m.Sleep(d)
		return
	}
	time.Sleep(d)
}

func (m *Manager) run(ctx context.Context, path string, args ...string) ([]byte, error) {
	if m.Runner == nil {
		return nil, fmt.Errorf("%s: no Runner configured", path)
	}
	return m.Runner.Run(ctx, path, args...)
}

// checkProgram refuses a binary that will not be there at next login.
func (m *Manager) checkProgram() error {
	if !filepath.IsAbs(m.Program) {
		return fmt.Errorf("the idpulse binary %q is not an absolute path", m.Program)
	}
	if strings.Contains(m.Program, string(filepath.Separator)+"go-build") {
		return fmt.Errorf("%s is a temporary 'go run' binary; build idpulse (make build) and run install from the built binary", m.Program)
	}
	return nil
}

// Install writes the service definition and, with start, (re)starts the
// agent from it. Installing over an existing install is an upgrade: the
// running agent is stopped and the new definition started.
func (m *Manager) Install(ctx context.Context, start bool) error {
	if err := m.checkProgram(); err != nil {
		return err
	}
	switch m.GOOS {
	case "darwin":
		return m.launchdInstall(ctx, start)
	case "linux":
		return m.linuxInstall(ctx, start)
	}
	return ErrUnsupported
}

// Uninstall removes the service definition first, then stops the agent:
// the agent may be the caller, and stopping it may end this process.
// ErrNotInstalled means there was nothing to remove.
func (m *Manager) Uninstall(ctx context.Context) error {
	switch m.GOOS {
	case "darwin":
		return m.launchdUninstall(ctx)
	case "linux":
		return m.linuxUninstall(ctx)
	}
	return ErrUnsupported
}

// Start starts the installed agent (nothing to do when it runs).
func (m *Manager) Start(ctx context.Context) error {
	switch m.GOOS {
	case "darwin":
		return m.launchdStart(ctx)
	case "linux":
		return m.linuxStart(ctx)
	}
	return ErrUnsupported
}

// Stop stops the agent until the next login or Start.
func (m *Manager) Stop(ctx context.Context) error {
	switch m.GOOS {
	case "darwin":
		return m.launchdStop(ctx)
	case "linux":
		return m.linuxStop(ctx)
	}
	return ErrUnsupported
}

// Restart restarts the agent, or starts it when it is not running.
func (m *Manager) Restart(ctx context.Context) error {
	switch m.GOOS {
	case "darwin":
		return m.launchdRestart(ctx)
	case "linux":
		return m.linuxRestart(ctx)
	}
	return ErrUnsupported
}

// Status reports whether the agent is installed and running.
func (m *Manager) Status(ctx context.Context) (Status, error) {
	switch m.GOOS {
	case "darwin":
		return m.launchdStatus(ctx)
	case "linux":
		return m.linuxStatus(ctx)
	}
	return Status{}, ErrUnsupported
}

func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return false, err
}

// removeIfExists removes path and reports whether it was there.
func removeIfExists(path string) (bool, error) {
	err := os.Remove(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return false, err
}
