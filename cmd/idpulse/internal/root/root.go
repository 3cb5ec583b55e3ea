// Package root dispatches idpulse's commands. Every command has the same
// shape, Parse(opts, args) error then Run(ctx, opts) int, and gets the
// outside world (streams, clock, probes' environment, configuration loader)
// from here. Main returns the exit code rather than exiting, so tests run
// the whole CLI in-process.
package root

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/idpulse/idpulse/agent"
	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/fixes"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/instance"
	"github.com/idpulse/idpulse/agent/paths"
	"github.com/idpulse/idpulse/agent/remedy"
	agentsvc "github.com/idpulse/idpulse/agent/service"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/applestatus"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/check"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/fix"
	historycmd "github.com/idpulse/idpulse/cmd/idpulse/internal/history"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/metrics"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/report"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/run"
	svccmd "github.com/idpulse/idpulse/cmd/idpulse/internal/service"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/version"
	"github.com/idpulse/idpulse/probes"
)

// Deps are the outside world every command draws on.
type Deps struct {
	cli.Deps
	// NewRemedy builds the fix service (its exec boundary is what tests fake).
	NewRemedy func(config.Config) remedy.Service
	// HistoryDir keeps the attempts and transitions logs ("" = none).
	HistoryDir string
	// LoginItem backs the menu's Launch at Login (nil: not offered).
	LoginItem agent.LoginItem
	// AgentLock is the one-agent-per-user lock file ("" = none).
	AgentLock string
}

// SystemDeps is the real machine.
func SystemDeps() Deps {
	dir, _ := history.DefaultDir()
	lock, _ := paths.StateFile(instance.FileName)
	d := Deps{
		Deps:       cli.Deps{IO: cli.System(), Now: time.Now, NewEnv: probes.SystemEnv, LoadConfig: config.LoadNamed, Version: version.Version},
		HistoryDir: dir,
		AgentLock:  lock,
		NewRemedy:  func(cfg config.Config) remedy.Service { return systemRemedy(cfg, dir) },
	}
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
  idpulse metrics [--config FILE] [--timeout DURATION]
  idpulse apple-status [--all] [--json] [--developer]
  idpulse fix list | idpulse fix ID [--dry-run] [--yes]
  idpulse history [--since 24h|7d|30d] [--json]
  idpulse report [--format text|markdown|json|html] [--output FILE] [--no-redact]
  idpulse install [--no-start] | uninstall | start | stop | restart
  idpulse status [--json | --ea]
  idpulse version [--json]

Run "idpulse COMMAND --help" for a command's flags.
`

// Main runs the command named by args[0] and returns the exit code.
func Main(ctx context.Context, args []string, d Deps) int {
	if len(args) == 0 {
		fmt.Fprint(d.IO.ErrOut, usage)
		return cli.ExitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help":
		fmt.Fprint(d.IO.Out, usage)
		return cli.ExitOK
	}
	cmd, ok := lookup(name, d)
	if !ok {
		fmt.Fprintf(d.IO.ErrOut, "idpulse: unknown command %q\n\n%s", name, usage)
		return cli.ExitUsage
	}
	if err := cmd.parse(rest); err != nil {
		return cli.Exit(d.IO, err)
	}
	return cmd.run(ctx)
}

// command is one command bound to its options: every command parses its
// arguments into its options, then runs with them.
type command struct {
	parse func(args []string) error
	run   func(ctx context.Context) int
}

func bind[O any](opts *O, parse func(*O, []string) error, run func(context.Context, *O) int) command {
	return command{
		parse: func(args []string) error { return parse(opts, args) },
		run:   func(ctx context.Context) int { return run(ctx, opts) },
	}
}

// lookup builds the command called name with its share of d.
func lookup(name string, d Deps) (command, bool) {
	switch name {
	case "check":
		return bind(&check.Options{Deps: d.Deps}, check.Parse, check.Run), true
	case "metrics":
		return bind(&metrics.Options{Deps: d.Deps}, metrics.Parse, metrics.Run), true
	case "fix":
		return bind(&fix.Options{Deps: d.Deps, NewService: d.NewRemedy, HistoryDir: d.HistoryDir}, fix.Parse, fix.Run), true
	case "history":
		return bind(&historycmd.Options{Deps: d.Deps, HistoryDir: d.HistoryDir}, historycmd.Parse, historycmd.Run), true
	case "report":
		return bind(&report.Options{Deps: d.Deps, HistoryDir: d.HistoryDir}, report.Parse, report.Run), true
	case "run":
		return bind(&run.Options{Deps: d.Deps, NewRemedy: d.NewRemedy, HistoryDir: d.HistoryDir,
			LoginItem: d.LoginItem, LockPath: d.AgentLock}, run.Parse, run.Run), true
	case "apple-status":
		return bind(&applestatus.Options{Deps: d.Deps}, applestatus.Parse, applestatus.Run), true
	case "install", "uninstall", "start", "stop", "restart", "status":
		return bind(&svccmd.Options{IO: d.IO, Now: d.Now, Command: name}, svccmd.Parse, svccmd.Run), true
	case "version", "--version":
		return bind(&version.Options{IO: d.IO}, version.Parse, version.Run), true
	}
	return command{}, false
}
