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
// A Manager drives one backend — launchd, systemd-or-autostart, or
// unsupported — chosen once when it is built. Every command goes through a
// command.Runner and the backends carry no build tags, so the darwin
// launchctl argv is tested on Linux with a fake Runner.
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

// HintError is a failure together with advice for the user. Error is the
// failure alone (error strings compose into one line); the command prints
// Hint on the lines after it.
type HintError struct {
	Err  error
	Hint string
}

func (e *HintError) Error() string { return e.Err.Error() }
func (e *HintError) Unwrap() error { return e.Err }

// DefaultArguments are what the service runs after the program path.
var DefaultArguments = []string{"run"}

// CommandTimeout bounds one launchctl or systemctl call. bootout waits for
// the agent to exit (launchd's ExitTimeOut is 20 s by default).
const CommandTimeout = 30 * time.Second

// Controller controls the agent service: what Manager offers the commands,
// and what each backend implements.
type Controller interface {
	Install(ctx context.Context, start bool) error
	Uninstall(ctx context.Context) error
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Restart(ctx context.Context) error
	Status(ctx context.Context) (Status, error)
}

// backend is one service manager's way of doing what Manager and LoginItem
// offer. Each implementation holds only what its service manager needs.
type backend interface {
	Controller
	// loginEnabled reports whether the agent starts at login.
	loginEnabled(ctx context.Context) (bool, error)
	// disableLogin removes the definition and stops nothing.
	disableLogin(ctx context.Context) error
}

// Manager controls the agent service of one user.
type Manager struct {
	b backend
}

// NewSystem is the Manager for the current user and this binary, on the
// service manager of this OS.
func NewSystem() (*Manager, error) {
	// kardianos/service finds the home directory with os/user first; use
	// the same so that the plist it writes is the one we bootstrap.
	var home string
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		home = u.HomeDir
	} else if h, err := os.UserHomeDir(); err == nil {
		home = h
	} else {
		return nil, fmt.Errorf("home directory: %w", err)
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
	r := command.Exec{Timeout: CommandTimeout}
	return &Manager{b: newBackend(runtime.GOOS, r, home, agentCmd{Program: exe})}, nil
}

// newBackend picks the backend of goos, once: each OS's constructor
// gathers what its service manager needs from this machine.
func newBackend(goos string, r command.Runner, home string, a agentCmd) backend {
	switch goos {
	case "darwin":
		return newLaunchd(r, home, a)
	case "linux":
		return newSystemd(r, home, a)
	}
	return unsupported{}
}

// Install writes the service definition and, with start, (re)starts the
// agent from it. Installing over an existing install is an upgrade: the
// running agent is stopped and the new definition started.
func (m *Manager) Install(ctx context.Context, start bool) error { return m.b.Install(ctx, start) }

// Uninstall removes the service definition first, then stops the agent:
// the agent may be the caller, and stopping it may end this process.
// ErrNotInstalled means there was nothing to remove.
func (m *Manager) Uninstall(ctx context.Context) error { return m.b.Uninstall(ctx) }

// Start starts the installed agent (nothing to do when it runs).
func (m *Manager) Start(ctx context.Context) error { return m.b.Start(ctx) }

// Stop stops the agent until the next login or Start.
func (m *Manager) Stop(ctx context.Context) error { return m.b.Stop(ctx) }

// Restart restarts the agent, or starts it when it is not running.
func (m *Manager) Restart(ctx context.Context) error { return m.b.Restart(ctx) }

// Status reports whether the agent is installed and running.
func (m *Manager) Status(ctx context.Context) (Status, error) { return m.b.Status(ctx) }

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

// agentCmd is the command line the service runs.
type agentCmd struct {
	// Program is the absolute path of the idpulse binary.
	Program string
	// Args follow it; nil means DefaultArguments.
	Args []string
}

func (a agentCmd) args() []string {
	if a.Args == nil {
		return DefaultArguments
	}
	return a.Args
}

// check refuses a binary that will not be there at next login.
func (a agentCmd) check() error {
	if !filepath.IsAbs(a.Program) {
		return fmt.Errorf("the idpulse binary %q is not an absolute path", a.Program)
	}
	if strings.Contains(a.Program, string(filepath.Separator)+"go-build") {
		return fmt.Errorf("%s is a temporary 'go run' binary; build idpulse (make build) and run install from the built binary", a.Program)
	}
	return nil
}

// unsupported is an OS with no service manager support here.
type unsupported struct{}

func (unsupported) Install(context.Context, bool) error        { return ErrUnsupported }
func (unsupported) Uninstall(context.Context) error            { return ErrUnsupported }
func (unsupported) Start(context.Context) error                { return ErrUnsupported }
func (unsupported) Stop(context.Context) error                 { return ErrUnsupported }
func (unsupported) Restart(context.Context) error              { return ErrUnsupported }
func (unsupported) Status(context.Context) (Status, error)     { return Status{}, ErrUnsupported }
func (unsupported) loginEnabled(context.Context) (bool, error) { return false, ErrUnsupported }
func (unsupported) disableLogin(context.Context) error         { return ErrUnsupported }

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
