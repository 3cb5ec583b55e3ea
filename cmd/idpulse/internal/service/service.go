// Package service is `idpulse install | uninstall | start | stop | restart |
// status`: the menu bar agent as a per-user service (a LaunchAgent on macOS,
// a systemd user unit or XDG autostart entry on Linux).
package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	agentsvc "github.com/idpulse/idpulse/agent/service"
	"github.com/idpulse/idpulse/agent/statefile"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// Exit codes of `idpulse status`.
const (
	StatusRunning      = 0 // installed and running
	StatusNotRunning   = 1 // installed but not running, or the state is unknown
	StatusNotInstalled = 2
)

// ExitFailed is any other command's failure (usage errors are cli.ExitUsage).
const ExitFailed = cli.ExitFailure

// Controller is what the commands need from agent/service.Manager.
type Controller = agentsvc.Controller

// Options are the command's flags and injected dependencies.
type Options struct {
	IO  *cli.IO
	Now func() time.Time
	// Command is install, uninstall, start, stop, restart or status: the
	// root command sets it, Parse checks it.
	Command string
	// NewController builds the service controller; nil means the real
	// machine (agent/service.NewSystem).
	NewController func() (Controller, error)
	// StatePath is the state file `status` reads; "" means
	// statefile.DefaultPath().
	StatePath string

	JSON    bool // status --json
	EA      bool // status --ea
	NoStart bool // install --no-start
}

const usageText = `Usage:
  idpulse install [--no-start]  install the agent as a per-user service and start it
  idpulse uninstall             stop the agent and remove the service
  idpulse start | stop | restart
  idpulse status [--json] [--ea] installed / running / pid and the last verdict

macOS: a LaunchAgent, ~/Library/LaunchAgents/io.idpulse.agent.plist, in the
logged-in user's GUI session (launchctl bootstrap/bootout/kickstart/print
gui/$UID/io.idpulse.agent); its stdout and stderr go to ~/Library/Logs/idpulse/.
Linux: a systemd user unit, ~/.config/systemd/user/idpulse.service, or an XDG
autostart entry, ~/.config/autostart/idpulse.desktop, where no systemd user
manager runs.

install over an existing install upgrades it: the running agent is replaced.
With --no-start the agent starts at the next login (Launch at Login).
stop lasts until the next login or 'idpulse start'.

Flags:
  --no-start  install: write the service definition, start nothing
  --json      status: print the status as JSON
  --ea        status: one line for MDM inventory (a Jamf extension
              attribute), read from the state file without running a check:
              <result>LEVEL: code — headline (checked HH:MM)</result>, or
              <result>not running</result>, <result>not installed</result>,
              <result>no check yet</result>, <result>state file unreadable</result>

Exit status: 0 success, 1 failure, 3 usage error. status: 0 running,
1 installed but not running (or unknown), 2 not installed, 3 usage error.
`

// Parse reads the args of opts.Command into opts.
func Parse(opts *Options, args []string) error {
	command := opts.Command
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	switch command {
	case "install":
		fs.BoolVar(&opts.NoStart, "no-start", false, "")
	case "status":
		fs.BoolVar(&opts.JSON, "json", false, "")
		fs.BoolVar(&opts.EA, "ea", false, "")
	case "uninstall", "start", "stop", "restart":
	default:
		return &cli.UsageError{Err: fmt.Errorf("unknown service command %q", command), Command: command}
	}
	if err := cli.ParseFlags(fs, args, opts.IO.Out, usageText); err != nil {
		return err
	}
	if opts.JSON && opts.EA {
		return &cli.UsageError{Err: errors.New("--json and --ea are two different outputs: choose one"), Command: command}
	}
	return nil
}

// Run carries out the command; it returns the exit code.
func Run(ctx context.Context, opts *Options) int {
	newCtl := opts.NewController
	if newCtl == nil {
		newCtl = func() (Controller, error) { return agentsvc.NewSystem() }
	}
	ctl, err := newCtl()
	if err != nil {
		return opts.failed(ExitFailed, err)
	}
	if opts.Command == "status" {
		return status(ctx, opts, ctl)
	}
	var msg string
	switch opts.Command {
	case "install":
		err = ctl.Install(ctx, !opts.NoStart)
		msg = "Installed the idpulse agent; it starts at every login."
		if opts.NoStart {
			msg = "Installed the idpulse agent; it starts at the next login ('idpulse start' starts it now)."
		}
	case "uninstall":
		err = ctl.Uninstall(ctx)
		msg = "Uninstalled the idpulse agent."
		if errors.Is(err, agentsvc.ErrNotInstalled) {
			err, msg = nil, "The idpulse agent was not installed; nothing to do."
		}
	case "start":
		err, msg = ctl.Start(ctx), "Started the idpulse agent."
	case "stop":
		err, msg = ctl.Stop(ctx), "Stopped the idpulse agent (until the next login or 'idpulse start')."
	case "restart":
		err, msg = ctl.Restart(ctx), "Restarted the idpulse agent."
	default:
		return cli.Exit(opts.IO, &cli.ExitError{Code: cli.ExitUsage, Err: fmt.Errorf("unknown service command %q", opts.Command)})
	}
	if err != nil {
		code := opts.failed(ExitFailed, err)
		var h *agentsvc.HintError
		if errors.As(err, &h) {
			fmt.Fprintln(opts.IO.ErrOut, h.Hint)
		}
		return code
	}
	// What it looks like now (best effort: the action succeeded).
	st, stErr := ctl.Status(ctx)
	if opts.Command == "install" && stErr == nil && st.System == "autostart" {
		// No systemd user manager: the install wrote an XDG autostart
		// entry and started nothing, and 'idpulse start' cannot either.
		msg = "Installed the idpulse agent as an XDG autostart entry; it starts at the next login. " +
			"Nothing was started now (no systemd user manager): 'idpulse run' runs it in this session."
	}
	fmt.Fprintln(opts.IO.Out, msg)
	if stErr == nil {
		fmt.Fprintf(opts.IO.Out, "Status: %s\n", summary(st))
		if st.Note != "" {
			fmt.Fprintf(opts.IO.Out, "Note: %s\n", st.Note)
		}
	}
	return cli.ExitOK
}

// statusDoc is `idpulse status --json`. Fields may be added, never renamed.
type statusDoc struct {
	Service   agentsvc.Status `json:"service"`
	StateFile string          `json:"state_file"`
	// LastCheck is the state file's verdict and time; null when there is
	// none (StateError says why, unless the file simply does not exist yet).
	LastCheck  *lastCheck `json:"last_check"`
	StateError string     `json:"state_error,omitempty"`
	Error      string     `json:"error,omitempty"`
}

type lastCheck struct {
	Time    time.Time       `json:"time"`
	Verdict verdict.Verdict `json:"verdict"`
}

func status(ctx context.Context, opts *Options, ctl Controller) int {
	st, stErr := ctl.Status(ctx)
	doc := statusDoc{Service: st}
	if stErr != nil {
		doc.Error = stErr.Error()
	}
	var missing bool
	doc.StateFile, doc.LastCheck, missing, doc.StateError = readState(opts.StatePath)
	if missing {
		doc.StateError = ""
	}

	code := StatusNotRunning
	switch {
	case stErr != nil:
	case st.Running:
		code = StatusRunning
	case !st.Installed:
		code = StatusNotInstalled
	}

	if opts.EA {
		if _, err := fmt.Fprintf(opts.IO.Out, "<result>%s</result>\n", eaLine(st, stErr, doc, missing)); err != nil {
			return opts.failed(StatusNotRunning, err)
		}
		return code
	}
	if opts.JSON {
		if err := cli.WriteJSON(opts.IO.Out, doc); err != nil {
			// The caller cannot know the state: the table's "unknown".
			return opts.failed(StatusNotRunning, err)
		}
		return code
	}
	w := opts.IO.Out
	s := cli.StyleFor(opts.IO)
	if stErr != nil {
		fmt.Fprintf(opts.IO.ErrOut, "idpulse status: %v\n", stErr)
	}
	head := summary(st)
	switch {
	case stErr != nil:
		head = "unknown"
	case st.Running:
		head = s.Green(head)
	case st.Installed:
		head = s.Yellow(head)
	}
	fmt.Fprintf(w, "idpulse agent: %s\n", head)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-11s %s\n", k, v)
		}
	}
	svc := st.Label
	if st.Domain != "" {
		svc += " in " + st.Domain
	}
	if svc != "" {
		svc += " (" + st.System + ")"
	}
	row("service", svc)
	row("state", st.State)
	if st.Installed {
		row("definition", st.Definition)
	}
	row("program", st.Program)
	if st.LogDir != "" && st.Installed {
		row("logs", st.LogDir+string(filepath.Separator))
	}
	row("note", st.Note)
	row("last check", describeCheck(doc, missing, opts.now()))
	return code
}

// failed says err as "idpulse COMMAND: …" and returns code.
func (o *Options) failed(code int, err error) int {
	return cli.Exit(o.IO, &cli.ExitError{Code: code, Command: o.Command, Err: err})
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// readState reads the last check; missing means there is no state file yet.
func readState(path string) (string, *lastCheck, bool, string) {
	if path == "" {
		p, err := statefile.DefaultPath()
		if err != nil {
			return "", nil, false, err.Error()
		}
		path = p
	}
	doc, err := statefile.Read(path)
	if err != nil {
		return path, nil, errors.Is(err, fs.ErrNotExist), err.Error()
	}
	return path, &lastCheck{Time: doc.Time, Verdict: doc.Verdict}, false, ""
}

// eaLine is the value of `status --ea`, for Jamf's <result> (and, unwrapped,
// Kandji and Intune): a short, stable line that Smart Groups match on
// ("OK:", "DOWN: dns_filtered"). A stopped agent's last verdict is stale,
// so it is not shown; when the service state is unknown the state file is.
func eaLine(st agentsvc.Status, stErr error, doc statusDoc, missing bool) string {
	switch {
	case stErr == nil && !st.Running && !st.Installed:
		return "not installed"
	case stErr == nil && !st.Running:
		return "not running"
	case doc.LastCheck != nil:
		v := doc.LastCheck.Verdict
		return fmt.Sprintf("%s: %s — %s (checked %s)", strings.ToUpper(string(v.Level)), eaText(string(v.Code)),
			eaText(v.Headline), doc.LastCheck.Time.Local().Format("15:04"))
	case missing:
		return "no check yet"
	}
	return "state file unreadable"
}

// eaText keeps a state file's text on its line and out of Jamf's markup: a
// "</result>" inside would end the value early.
func eaText(s string) string {
	return strings.NewReplacer("<", "‹", ">", "›").Replace(textsafe.Terminal(s))
}

func describeCheck(doc statusDoc, missing bool, now time.Time) string {
	switch {
	case doc.LastCheck != nil:
		v := doc.LastCheck.Verdict
		at := doc.LastCheck.Time
		ago := now.Sub(at).Round(time.Second)
		when := at.Local().Format("2006-01-02 15:04:05")
		if ago >= 0 {
			when += ", " + agoText(ago)
		}
		return fmt.Sprintf("%s %s: %s (%s)", strings.ToUpper(string(v.Level)), v.Code, textsafe.Terminal(v.Headline), when)
	case missing:
		return "none yet (no state file at " + doc.StateFile + ")"
	case doc.StateError != "":
		return "unreadable: " + doc.StateError
	}
	return ""
}

func agoText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm ago", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// summary is the one-line state: "running (pid 42)", "installed, not
// running (last exit 1)", "not installed".
func summary(st agentsvc.Status) string {
	switch {
	case st.Running && st.PID > 0:
		s := fmt.Sprintf("running (pid %d)", st.PID)
		if !st.Installed {
			s += ", not installed"
		}
		return s
	case st.Running:
		return "running"
	case st.Installed:
		s := "installed, not running"
		if st.LastExit != "" {
			s += " (last exit " + st.LastExit + ")"
		}
		return s
	}
	return "not installed"
}
