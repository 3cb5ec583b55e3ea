// Package root dispatches idpulse's commands. Main returns the exit code
// rather than exiting, so tests run the whole CLI in-process.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/idpulse/idpulse/agent"
	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/fixes"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/remedy"
	agentsvc "github.com/idpulse/idpulse/agent/service"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/applestatus"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/check"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/fix"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/report"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/run"
	svccmd "github.com/idpulse/idpulse/cmd/idpulse/internal/service"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/version"
	"github.com/idpulse/idpulse/probes"
)

// Deps are the outside world every command draws on.
type Deps struct {
	IO     *cli.IO
	Now    func() time.Time
	NewEnv func(probes.Config) probes.Env
	// NewRemedy builds the fix service (its exec boundary is what tests fake).
	NewRemedy func(config.Config) remedy.Service
	// HistoryDir keeps the attempts and transitions logs ("" = none).
	HistoryDir string
	// LoginItem backs the menu's Launch at Login (nil: not offered).
	LoginItem agent.LoginItem
}

// SystemDeps is the real machine.
func SystemDeps() Deps {
	dir, _ := history.DefaultDir()
	d := Deps{IO: cli.System(), Now: time.Now, NewEnv: probes.SystemEnv, HistoryDir: dir,
		NewRemedy: func(cfg config.Config) remedy.Service { return systemRemedy(cfg, dir) }}
	if m, err := agentsvc.NewSystem(); err == nil && (runtime.GOOS == "darwin" || runtime.GOOS == "linux") {
		d.LoginItem = m.LoginItem()
	}
	return d
}

// systemRemedy applies fixes on this machine for real.
func systemRemedy(cfg config.Config, dir string) remedy.Service {
	self, _ := os.Executable()
	s := remedy.Service{
		Exec:         fixes.Executor{Runner: fixes.NewRunner(), Euid: os.Geteuid()},
		HostsPath:    cfg.Check.HostsFile,
		AppleDomains: cfg.Check.AppleDomains,
		Self:         self,
	}
	if dir != "" {
		s.Attempts = history.Attempts(dir)
	}
	return s
}

const usage = `idpulse — why can't this Mac reach the Apple ID server?

Usage:
  idpulse run [--headless] [--config FILE]
  idpulse check [--json] [--config FILE] [--timeout DURATION]
  idpulse apple-status [--all] [--json] [--developer]
  idpulse fix list | idpulse fix ID [--dry-run] [--yes]
  idpulse report [--format text|markdown|json] [--output FILE] [--no-redact]
  idpulse install [--no-start] | uninstall | start | stop | restart
  idpulse status [--json]
  idpulse version [--json]

Run "idpulse COMMAND --help" for a command's flags.
`

// Main runs the command named by args[0] and returns the exit code.
func Main(ctx context.Context, args []string, d Deps) int {
	if len(args) == 0 {
		fmt.Fprint(d.IO.ErrOut, usage)
		return cli.ExitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "check":
		opts := &check.Options{IO: d.IO, Now: d.Now, NewEnv: d.NewEnv}
		if code, done := parsed(d.IO, check.Parse(opts, rest)); done {
			return code
		}
		return check.Run(ctx, opts)
	case "fix":
		opts := &fix.Options{IO: d.IO, Now: d.Now, NewEnv: d.NewEnv, NewService: d.NewRemedy}
		if code, done := parsed(d.IO, fix.Parse(opts, rest)); done {
			return code
		}
		return fix.Run(ctx, opts)
	case "report":
		opts := &report.Options{IO: d.IO, Now: d.Now, NewEnv: d.NewEnv, Version: version.Version, HistoryDir: d.HistoryDir}
		if code, done := parsed(d.IO, report.Parse(opts, rest)); done {
			return code
		}
		return report.Run(ctx, opts)
	case "run":
		opts := &run.Options{IO: d.IO, NewEnv: d.NewEnv, Version: version.Version, NewRemedy: d.NewRemedy, HistoryDir: d.HistoryDir,
			LoginItem: d.LoginItem}
		if code, done := parsed(d.IO, run.Parse(opts, rest)); done {
			return code
		}
		return run.Run(ctx, opts)
	case "apple-status":
		var path string
		opts := &applestatus.Options{IO: d.IO, Now: d.Now, NewEnv: d.NewEnv,
			LoadConfig: func() (config.Config, error) { return config.LoadNamed(path) }}
		if code, done := parsed(d.IO, applestatus.Parse(opts, rest, &path)); done {
			return code
		}
		return applestatus.Run(ctx, opts)
	case "install", "uninstall", "start", "stop", "restart", "status":
		opts := &svccmd.Options{IO: d.IO, Now: d.Now}
		if code, done := parsed(d.IO, svccmd.Parse(opts, cmd, rest)); done {
			return code
		}
		return svccmd.Run(ctx, opts)
	case "version", "--version":
		var asJSON bool
		if code, done := parsed(d.IO, version.Parse(d.IO, rest, &asJSON)); done {
			return code
		}
		if err := version.Print(d.IO.Out, version.Current(), asJSON); err != nil {
			fmt.Fprintf(d.IO.ErrOut, "idpulse: %v\n", err)
			return 1
		}
		return cli.ExitOK
	case "help", "-h", "--help":
		fmt.Fprint(d.IO.Out, usage)
		return cli.ExitOK
	}
	fmt.Fprintf(d.IO.ErrOut, "idpulse: unknown command %q\n\n%s", cmd, usage)
	return cli.ExitUsage
}

// parsed turns a flag-parsing outcome into an exit, when it ends the command.
func parsed(io *cli.IO, err error) (code int, done bool) {
	var ue *cli.UsageError
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, cli.ErrHelp):
		return cli.ExitOK, true
	case errors.As(err, &ue):
		fmt.Fprintf(io.ErrOut, "idpulse %s: %v\nRun 'idpulse %s --help' for usage.\n", ue.Command, err, ue.Command)
		return cli.ExitUsage, true
	}
	fmt.Fprintf(io.ErrOut, "idpulse: %v\n", err)
	return cli.ExitUsage, true
}
