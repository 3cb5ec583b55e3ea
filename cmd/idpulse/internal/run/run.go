// Package run is `idpulse run`: the menu bar agent, or its headless twin
// where there is no menu bar.
package run

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/idpulse/idpulse/agent"
	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/icon"
	"github.com/idpulse/idpulse/agent/instance"
	"github.com/idpulse/idpulse/agent/logfile"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/netmon"
	"github.com/idpulse/idpulse/agent/notify"
	"github.com/idpulse/idpulse/agent/remedy"
	"github.com/idpulse/idpulse/agent/settings"
	"github.com/idpulse/idpulse/agent/statefile"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/agent/tray"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes/command"
)

// Options are the command's flags and injected dependencies.
type Options struct {
	cli.Deps
	// NewRemedy builds the fix service; HistoryDir keeps attempts and
	// verdict transitions for the report.
	NewRemedy  func(config.Config) remedy.Service
	HistoryDir string
	// LoginItem toggles Launch at Login (nil: not offered).
	LoginItem agent.LoginItem
	// LockPath is the one-agent-per-user lock ("" = none); see agent/instance.
	LockPath string

	ConfigPath string
	Headless   bool
	LogLevel   string
}

const usage = `Usage: idpulse run [--headless] [--config FILE] [--log-level info]

Runs the idpulse agent: a menu bar icon that watches Apple ID connectivity,
notifies when it degrades and offers one-click fixes. Without a menu bar (no
session bus or tray host, or --headless) it prints each verdict change.

Flags:
  --headless         no menu bar: print verdict transitions on stdout
  --config FILE      read settings from FILE
  --log-level LEVEL  debug, info, warn or error (default info)
`

// Parse reads args into opts.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.BoolVar(&opts.Headless, "headless", false, "")
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	fs.StringVar(&opts.LogLevel, "log-level", "info", "")
	if err := cli.ParseFlags(fs, args, opts.IO.Out, usage); err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(opts.LogLevel)); err != nil {
		return &cli.UsageError{Err: fmt.Errorf("--log-level: %q is not debug, info, warn or error", opts.LogLevel), Command: "run"}
	}
	return nil
}

// Run starts the agent and blocks until it quits; it returns the exit code.
// It must be called on the main goroutine: the macOS menu bar runs there.
func Run(ctx context.Context, opts *Options) int {
	cfg, err := opts.LoadConfig(opts.ConfigPath)
	if err != nil {
		return cli.Exit(opts.IO, &cli.ConfigError{Err: err})
	}
	if opts.LockPath != "" {
		release, err := instance.Acquire(opts.LockPath)
		if err != nil {
			// Another agent: say who, and leave its files alone.
			return cli.Exit(opts.IO, &cli.ExitError{Code: cli.ExitFailure, Err: err})
		}
		defer release() // Quit returns from Run: the next agent may start
	}
	logger, closeLog, logPath, logFailing := openLog(opts)
	defer closeLog()
	logger.Info("idpulse starting", "version", opts.Version, "os", runtime.GOOS, "log", logPath)

	deps := agent.Deps{
		Env:       opts.NewEnv(cfg.Check),
		Logger:    logger,
		Version:   opts.Version,
		LoginItem: opts.LoginItem,
		Open:      opener(runtime.GOOS),
		// The menu says when the log cannot be written.
		LogFailing: logFailing,
	}
	if opts.NewRemedy != nil {
		svc := opts.NewRemedy(cfg)
		svc.Logger = logger
		svc.Exec.Logger = logger
		deps.Fixer = svc
	}
	if opts.HistoryDir != "" {
		deps.Transitions = history.Transitions(opts.HistoryDir)
		if cfg.Agent.History {
			deps.Timeline = timeline.Store{Dir: timeline.In(opts.HistoryDir), Days: cfg.Agent.HistoryDays}
		}
		deps.Reporter = remedy.Clipboard{GOOS: runtime.GOOS, Dir: opts.HistoryDir, Version: opts.Version}
	}
	if p, err := settings.DefaultPath(); err == nil {
		deps.Settings = &settings.Store{Path: p, Logger: logger, Now: opts.Now}
	}
	if p, err := statefile.DefaultPath(); err == nil {
		deps.StatePath = p
		logger.Info("state file", "path", p)
	}
	if mon, err := netmon.New(logger); err != nil {
		logger.Warn("network change monitor unavailable; relying on the schedule", "err", err)
	} else {
		defer mon.Close()
		deps.NetChanges = mon.Changes()
	}

	why := ""
	if !opts.Headless {
		why = trayUnavailable()
	}
	if opts.Headless || why != "" {
		if why != "" {
			fmt.Fprintf(opts.IO.ErrOut, "idpulse: no menu bar (%s); running headless.\n", why)
			logger.Info("headless", "reason", why)
		}
		if sessionBus() {
			// Only where a bus is: beeep would start one of its own.
			deps.Notifier = notify.NewDesktop("idpulse", icon.PNG(menu.IconDown, false, 64))
		}
		deps.UI = &headless{out: opts.IO.Out}
		fmt.Fprintf(opts.IO.Out, "idpulse %s watching Apple ID connectivity (Ctrl-C to stop)\n", opts.Version)
		return exitFor(agent.New(cfg, deps).Run(ctx))
	}
	deps.Notifier = notify.NewDesktop("idpulse", icon.PNG(menu.IconDown, false, 64))
	return runTray(ctx, cfg, deps, logger)
}

// runTray runs the menu bar on this (the main) goroutine and the agent on
// another. Order on the way out matters: the agent (and with it the one UI
// goroutine) stops first, then the tray quits; no tray call may follow
// Quit, it would deadlock on macOS.
func runTray(ctx context.Context, cfg config.Config, deps agent.Deps, logger *slog.Logger) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	result := make(chan error, 1)
	err := tray.Run(func(t *tray.Tray) {
		deps.UI = trayUI{t}
		go func() {
			err := agent.New(cfg, deps).Run(ctx)
			result <- err
			t.Quit()
		}()
	}, func() {
		// AppKit may end the process (logout) without returning from
		// Run: stop the agent so that nothing touches the tray again.
		cancel()
	})
	if err != nil {
		logger.Error("menu bar", "err", err)
		return 1
	}
	select {
	case err := <-result:
		return exitFor(err)
	default:
		return 0
	}
}

// trayUI adapts the tray to the agent's UI.
type trayUI struct{ t *tray.Tray }

func (u trayUI) Show(m menu.Model, _ *verdict.Document) { u.t.Apply(m) }
func (u trayUI) Actions() <-chan menu.Action            { return u.t.Clicks() }

// exitFor maps the agent's end to an exit status: a user's Quit or a signal
// is a clean exit 0, which launchd's KeepAlive{SuccessfulExit=false} honours
// by not restarting.
func exitFor(err error) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return 0
	}
	return 1
}

// openLog opens the size-rotated log file; without one, logs go to stderr.
// failing says when the file cannot be written (nil for stderr); the file
// then says so once on stderr.
func openLog(opts *Options) (logger *slog.Logger, closeLog func(), path string, failing func() bool) {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(opts.LogLevel))
	hopts := &slog.HandlerOptions{Level: lvl}
	dir, err := logfile.DefaultDir()
	if err == nil {
		path := filepath.Join(dir, "idpulse.log")
		if w, err := logfile.Open(path, 5<<20, 3); err == nil {
			w.WarnTo(opts.IO.ErrOut)
			return slog.New(slog.NewJSONHandler(w, hopts)), func() { w.Close() }, path, w.Failing
		}
	}
	return slog.New(slog.NewTextHandler(opts.IO.ErrOut, hopts)), func() {}, "stderr", nil
}

// opener opens URLs with the desktop's handler, by absolute path and with
// the URL as one argument: no shell ever sees it.
func opener(goos string) func(ctx context.Context, url string) error {
	path := "/usr/bin/xdg-open"
	if goos == "darwin" {
		path = "/usr/bin/open"
	}
	return func(ctx context.Context, url string) error {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("open %s: %w", url, err)
		}
		_, err := command.Exec{Timeout: 10 * time.Second}.Run(ctx, path, url)
		return err
	}
}
