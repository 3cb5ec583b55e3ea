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

// launchdBackend is a LaunchAgent in the user's GUI domain, gui/<uid>,
// driven through launchctl. It only runs launchctl through the Runner and
// writes files, so Linux tests drive it too.
type launchdBackend struct {
	Runner command.Runner
	// Home holds the plist (Library/LaunchAgents) and the logs.
	Home string
	// UID is the user's id: launchd's gui/<uid> domain.
	UID int
	// Label is the LaunchAgent's label.
	Label string
	Agent agentCmd
	// Sleep waits between bootstrap attempts; nil means time.Sleep.
	Sleep func(time.Duration)
	// Write writes a changed plist (kardianos/service on a Mac); nil
	// means an atomic write of the rendered plist.
	Write func(a launchd.Agent, path string, old []byte) error
}

// launchctlPath is fixed: a LaunchAgent's PATH is minimal, and a relative
// name could be hijacked.
const launchctlPath = "/bin/launchctl"

// bootstrapAttempts: launchd may still be tearing the old job down right
// after bootout ("Bootstrap failed: 5: Input/output error").
const bootstrapAttempts = 3

func newLaunchd(r command.Runner, home string, a agentCmd) *launchdBackend {
	return &launchdBackend{Runner: r, Home: home, UID: os.Getuid(), Label: launchd.Label, Agent: a, Write: kardianosWrite}
}

// kardianosWrite writes the LaunchAgent through kardianos/service; nil
// where kardianos/service's darwin code is not compiled in.
var kardianosWrite func(a launchd.Agent, path string, old []byte) error

func (l *launchdBackend) domain() string { return "gui/" + strconv.Itoa(l.UID) }
func (l *launchdBackend) target() string { return l.domain() + "/" + l.Label }
func (l *launchdBackend) plistPath() string {
	return filepath.Join(l.Home, "Library", "LaunchAgents", l.Label+".plist")
}

// logDir is where launchd writes the agent's stdout and stderr: the agent's
// own log directory (agent/paths) in Home.
func (l *launchdBackend) logDir() string {
	d, _ := paths.For("darwin", os.Getenv, l.Home)
	return d.Log
}

func (l *launchdBackend) agent() launchd.Agent {
	return launchd.Agent{Label: l.Label, Program: l.Agent.Program, Arguments: l.Agent.args(), LogDir: l.logDir()}
}

func (l *launchdBackend) launchctl(ctx context.Context, args ...string) ([]byte, error) {
	return l.Runner.Run(ctx, launchctlPath, args...)
}

func (l *launchdBackend) sleep(d time.Duration) {
	if l.Sleep != nil {
		l.Sleep(d)
		return
	}
	time.Sleep(d)
}

// writePlist writes the LaunchAgent when its content changes (an unchanged
// rewrite would show macOS's "Background Items Added" notice again).
func (l *launchdBackend) writePlist() error {
	a := l.agent()
	want, err := launchd.RenderAgent(a)
	if err != nil {
		return err
	}
	// launchd does not create the log directory, and a log path it cannot
	// open can keep the job from starting.
	if err := os.MkdirAll(a.LogDir, 0o755); err != nil {
		return fmt.Errorf("create the log directory: %w", err)
	}
	path := l.plistPath()
	old, err := os.ReadFile(path)
	switch {
	case err == nil && bytes.Equal(old, want):
		return nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read %s: %w", path, err)
	}
	if l.Write != nil {
		return l.Write(a, path, old)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, want, 0o644)
}

func (l *launchdBackend) Install(ctx context.Context, start bool) error {
	if err := l.Agent.check(); err != nil {
		return err
	}
	if err := l.writePlist(); err != nil {
		return err
	}
	if !start {
		// Launch at Login: the plist is loaded at the next login. Only a
		// `launchctl disable` left behind would stop that; enable starts
		// nothing.
		return l.enable(ctx)
	}
	// An upgrade: the loaded job still runs the old definition (and maybe
	// the old binary). Stop it, then bootstrap the new plist.
	if _, err := l.bootout(ctx); err != nil {
		return err
	}
	if err := l.enable(ctx); err != nil {
		return err
	}
	return l.bootstrap(ctx)
}

func (l *launchdBackend) Uninstall(ctx context.Context) error {
	// The plist goes first: bootout SIGTERMs the agent, which may be the
	// process that asked for the uninstall.
	removed, err := removeIfExists(l.plistPath())
	if err != nil {
		return fmt.Errorf("remove the launch agent: %w", err)
	}
	wasLoaded, err := l.bootout(ctx)
	if err != nil {
		return err
	}
	if !removed && !wasLoaded {
		return ErrNotInstalled
	}
	return nil
}

func (l *launchdBackend) Start(ctx context.Context) error {
	installed, err := exists(l.plistPath())
	if err != nil {
		return err
	}
	job, loaded, err := l.print(ctx)
	if err != nil {
		return err
	}
	switch {
	case loaded && job.running():
		return nil
	case loaded:
		// Loaded but not running: it exited 0 (Quit) or crashed and waits
		// out ThrottleInterval. kickstart runs it now.
		_, err := l.launchctl(ctx, "kickstart", l.target())
		return launchctlErr("kickstart", l.target(), err)
	case !installed:
		return ErrNotInstalled
	}
	if err := l.enable(ctx); err != nil {
		return err
	}
	return l.bootstrap(ctx)
}

func (l *launchdBackend) Stop(ctx context.Context) error {
	wasLoaded, err := l.bootout(ctx)
	if err != nil || wasLoaded {
		return err
	}
	installed, err := exists(l.plistPath())
	if err != nil {
		return err
	}
	if !installed {
		return ErrNotInstalled
	}
	return nil // already stopped
}

func (l *launchdBackend) Restart(ctx context.Context) error {
	_, loaded, err := l.print(ctx)
	if err != nil {
		return err
	}
	if loaded {
		_, err := l.launchctl(ctx, "kickstart", "-k", l.target())
		return launchctlErr("kickstart -k", l.target(), err)
	}
	return l.Start(ctx)
}

func (l *launchdBackend) Status(ctx context.Context) (Status, error) {
	st := Status{
		System: "launchd", Label: l.Label, Domain: l.domain(),
		Definition: l.plistPath(), LogDir: l.logDir(),
	}
	var err error
	if st.Installed, err = exists(st.Definition); err != nil {
		return st, err
	}
	job, loaded, err := l.print(ctx)
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

// loginEnabled: launchd loads every plist in LaunchAgents at login.
func (l *launchdBackend) loginEnabled(context.Context) (bool, error) {
	return exists(l.plistPath())
}

// disableLogin removes the plist; no bootout, which would end the agent.
func (l *launchdBackend) disableLogin(context.Context) error {
	if _, err := removeIfExists(l.plistPath()); err != nil {
		return fmt.Errorf("remove the launch agent: %w", err)
	}
	return nil
}

// bootout unloads the job (SIGTERM to the agent, then SIGKILL after
// ExitTimeOut) and reports whether it was loaded.
func (l *launchdBackend) bootout(ctx context.Context) (wasLoaded bool, err error) {
	_, err = l.launchctl(ctx, "bootout", l.target())
	if err == nil {
		return true, nil
	}
	if notLoaded(err) {
		return false, nil
	}
	return false, launchctlErr("bootout", l.target(), err)
}

// enable clears a `launchctl disable` override, which would make bootstrap
// (and the next login) refuse the job.
func (l *launchdBackend) enable(ctx context.Context) error {
	_, err := l.launchctl(ctx, "enable", l.target())
	return launchctlErr("enable", l.target(), err)
}

// bootstrap loads the plist into the GUI domain; RunAtLoad starts it.
func (l *launchdBackend) bootstrap(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		_, err := l.launchctl(ctx, "bootstrap", l.domain(), l.plistPath())
		if err == nil {
			return nil
		}
		// "already bootstrapped" has no reliable error text (5, 17 or 37
		// depending on the release): ask launchd.
		if _, loaded, perr := l.print(ctx); perr == nil && loaded {
			return nil
		}
		if attempt == bootstrapAttempts || ctx.Err() != nil {
			return &HintError{
				Err: launchctlErr("bootstrap", l.domain()+" "+l.plistPath(), err),
				Hint: "If idpulse is switched off under System Settings > General > Login Items, switch it on and run 'idpulse start'. " +
					"From an ssh session there is no GUI login (" + l.domain() + ") to start a menu bar agent in.",
			}
		}
		l.sleep(time.Duration(attempt) * 500 * time.Millisecond)
	}
}

// print asks launchd about the job; loaded is false when launchd does not
// know it.
func (l *launchdBackend) print(ctx context.Context) (job launchdJob, loaded bool, err error) {
	out, err := l.launchctl(ctx, "print", l.target())
	if err != nil {
		if notLoaded(err) {
			return launchdJob{}, false, nil
		}
		return launchdJob{}, false, launchctlErr("print", l.target(), err)
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
