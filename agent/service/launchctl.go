package service

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/paths"
	"github.com/idpulse/idpulse/launchd"
	"github.com/idpulse/idpulse/probes/command"
)

// The macOS side: portable code (it only execs launchctl through the Runner
// and writes files), so Linux tests drive it with GOOS "darwin".

// bootstrapAttempts: launchd may still be tearing the old job down right
// after bootout ("Bootstrap failed: 5: Input/output error").
const bootstrapAttempts = 3

func (m *Manager) domain() string { return "gui/" + strconv.Itoa(m.UID) }
func (m *Manager) target() string { return m.domain() + "/" + m.label() }
func (m *Manager) plistPath() string {
	return filepath.Join(m.Home, "Library", "LaunchAgents", m.label()+".plist")
}

// LogDir is where launchd writes the agent's stdout and stderr: the agent's
// own log directory (agent/paths) in Home.
func (m *Manager) LogDir() string {
	d, _ := paths.For("darwin", os.Getenv, m.Home)
	return d.Log
}

func (m *Manager) agent() launchd.Agent {
	return launchd.Agent{Label: m.label(), Program: m.Program, Arguments: m.args(), LogDir: m.LogDir()}
}

// writePlist writes the LaunchAgent when its content changes (an unchanged
// rewrite would show macOS's "Background Items Added" notice again).
func (m *Manager) writePlist() error {
	a := m.agent()
	want, err := launchd.RenderAgent(a)
	if err != nil {
		return err
	}
	// launchd does not create the log directory, and a log path it cannot
	// open can keep the job from starting.
	if err := os.MkdirAll(a.LogDir, 0o755); err != nil {
		return fmt.Errorf("create the log directory: %w", err)
	}
	path := m.plistPath()
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, want):
		return nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read %s: %w", path, err)
	}
	if m.kardianos {
		return kardianosWrite(a, path, old)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, want, 0o644)
}

func (m *Manager) launchdInstall(ctx context.Context, start bool) error {
	if err := m.writePlist(); err != nil {
		return err
	}
	if !start {
		// Launch at Login: the plist is loaded at the next login. Only a
		// `launchctl disable` left behind would stop that; enable starts
		// nothing.
		return m.enable(ctx)
	}
	// An upgrade: the loaded job still runs the old definition (and maybe
	// the old binary). Stop it, then bootstrap the new plist.
	if _, err := m.bootout(ctx); err != nil {
		return err
	}
	if err := m.enable(ctx); err != nil {
		return err
	}
	return m.bootstrap(ctx)
}

func (m *Manager) launchdUninstall(ctx context.Context) error {
	// The plist goes first: bootout SIGTERMs the agent, which may be the
	// process that asked for the uninstall.
	removed, err := removeIfExists(m.plistPath())
	if err != nil {
		return fmt.Errorf("remove the launch agent: %w", err)
	}
	wasLoaded, err := m.bootout(ctx)
	if err != nil {
		return err
	}
	if !removed && !wasLoaded {
		return ErrNotInstalled
	}
	return nil
}

func (m *Manager) launchdStart(ctx context.Context) error {
	installed, err := exists(m.plistPath())
	if err != nil {
		return err
	}
	job, loaded, err := m.print(ctx)
	if err != nil {
		return err
	}
	switch {
	case loaded && job.running():
		return nil
	case loaded:
		// Loaded but not running: it exited 0 (Quit) or crashed and waits
		// out ThrottleInterval. kickstart runs it now.
		_, err := m.run(ctx, launchctlPath, "kickstart", m.target())
		return launchctlErr("kickstart", m.target(), err)
	case !installed:
		return ErrNotInstalled
	}
	if err := m.enable(ctx); err != nil {
		return err
	}
	return m.bootstrap(ctx)
}

func (m *Manager) launchdStop(ctx context.Context) error {
	wasLoaded, err := m.bootout(ctx)
	if err != nil || wasLoaded {
		return err
	}
	installed, err := exists(m.plistPath())
	if err != nil {
		return err
	}
	if !installed {
		return ErrNotInstalled
	}
	return nil // already stopped
}

func (m *Manager) launchdRestart(ctx context.Context) error {
	_, loaded, err := m.print(ctx)
	if err != nil {
		return err
	}
	if loaded {
		_, err := m.run(ctx, launchctlPath, "kickstart", "-k", m.target())
		return launchctlErr("kickstart -k", m.target(), err)
	}
	return m.launchdStart(ctx)
}

func (m *Manager) launchdStatus(ctx context.Context) (Status, error) {
	st := Status{
		System: "launchd", Label: m.label(), Domain: m.domain(),
		Definition: m.plistPath(), LogDir: m.LogDir(),
	}
	var err error
	if st.Installed, err = exists(st.Definition); err != nil {
		return st, err
	}
	job, loaded, err := m.print(ctx)
	if err != nil {
		return st, err
	}
	if !loaded {
		st.State = "not loaded"
		if st.Installed {
			st.Note = "installed but not loaded: it starts at the next login, or now with 'idpulse start'"
		}
		return st, nil
	}
	st.Loaded = true
	st.Running = job.running()
	st.PID = job.PID
	st.State = job.State
	st.Program = job.Program
	if !st.Running {
		st.LastExit = job.LastExit
	}
	if !st.Installed {
		st.Note = "loaded, but its plist is gone: it will not start at the next login"
	}
	return st, nil
}

// bootout unloads the job (SIGTERM to the agent, then SIGKILL after
// ExitTimeOut) and reports whether it was loaded.
func (m *Manager) bootout(ctx context.Context) (wasLoaded bool, err error) {
	_, err = m.run(ctx, launchctlPath, "bootout", m.target())
	if err == nil {
		return true, nil
	}
	if notLoaded(err) {
		return false, nil
	}
	return false, launchctlErr("bootout", m.target(), err)
}

// enable clears a `launchctl disable` override, which would make bootstrap
// (and the next login) refuse the job.
func (m *Manager) enable(ctx context.Context) error {
	_, err := m.run(ctx, launchctlPath, "enable", m.target())
	return launchctlErr("enable", m.target(), err)
}

// bootstrap loads the plist into the GUI domain; RunAtLoad starts it.
func (m *Manager) bootstrap(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		_, err := m.run(ctx, launchctlPath, "bootstrap", m.domain(), m.plistPath())
		if err == nil {
			return nil
		}
		// "already bootstrapped" has no reliable error text (5, 17 or 37
		// depending on the release): ask launchd.
		if _, loaded, perr := m.print(ctx); perr == nil && loaded {
			return nil
		}
		if attempt == bootstrapAttempts || ctx.Err() != nil {
			return fmt.Errorf("%w\nIf idpulse is switched off under System Settings > General > Login Items, switch it on and run 'idpulse start'. "+
				"From an ssh session there is no GUI login (gui/%d) to start a menu bar agent in.",
				launchctlErr("bootstrap", m.domain()+" "+m.plistPath(), err), m.UID)
		}
		m.sleep(time.Duration(attempt) * 500 * time.Millisecond)
	}
}

// print asks launchd about the job; loaded is false when launchd does not
// know it.
func (m *Manager) print(ctx context.Context) (job launchdJob, loaded bool, err error) {
	out, err := m.run(ctx, launchctlPath, "print", m.target())
	if err != nil {
		if notLoaded(err) {
			return launchdJob{}, false, nil
		}
		return launchdJob{}, false, launchctlErr("print", m.target(), err)
	}
	return parsePrint(out), true, nil
}

// notLoaded recognises launchctl's "no such job": exit 113 ("Could not find
// service … in domain for port"), or 3 ("No such process") from bootout on
// older releases.
func notLoaded(err error) bool {
	switch command.ExitCode(err) {
	case 113, 3:
		return true
	}
	s := command.Stderr(err)
	return strings.Contains(s, "Could not find") || strings.Contains(s, "No such process")
}

func launchctlErr(verb, target string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("launchctl %s %s: %w", verb, target, err)
}

// launchdJob is what `launchctl print gui/<uid>/<label>` says about a job.
type launchdJob struct {
	State    string // "running", "not running", "spawn scheduled", …
	PID      int
	LastExit string // "0", "1", "(never exited)", or the terminating signal
	Program  string
	Path     string
}

func (j launchdJob) running() bool { return j.State == "running" || j.PID > 0 }

// parsePrint reads the job's top-level "key = value" lines; nested blocks
// ("arguments = {", "environment = {", endpoints…) are skipped. The format is
// launchctl's own and documented as unstable, so unknown lines are ignored.
func parsePrint(out []byte) launchdJob {
	var j launchdJob
	var signal string
	depth := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "}":
			depth--
			continue
		case strings.HasSuffix(line, "{"):
			depth++
			continue
		case depth != 1:
			continue
		}
		key, val, ok := strings.Cut(line, " = ")
		if !ok {
			continue
		}
		switch key {
		case "state":
			j.State = val
		case "pid":
			j.PID, _ = strconv.Atoi(val)
		case "last exit code":
			j.LastExit = val
		case "last terminating signal":
			signal = val
		case "program":
			j.Program = val
		case "path":
			j.Path = val
		}
	}
	if signal != "" && (j.LastExit == "" || j.LastExit == "(never exited)") {
		j.LastExit = signal
	} else if signal != "" {
		j.LastExit += " (" + signal + ")"
	}
	return j
}
