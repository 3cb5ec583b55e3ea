// Package report is `idpulse report`: the diagnostic report for Apple
// Support, from a fresh check plus the recorded fixes and verdict changes.
package report

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/report"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
)

// Options are the command's flags and injected dependencies.
type Options struct {
	cli.Deps
	// HistoryDir is the agent's state folder: the attempts and transitions
	// logs and the timeline ("" = none).
	HistoryDir string
	// Redactor is what --no-redact turns off; nil means the system's.
	Redactor *report.Redactor

	ConfigPath string
	Format     string
	Output     string
	NoRedact   bool
}

const usage = `Usage: idpulse report [--format text|markdown|json|html] [--output FILE] [--no-redact]

Checks again and writes a diagnostic report for Apple Support: Mac model, OS
version and build, the verdict chain, every check's exact errors and timings,
Apple System Status, the fixes tried with their times, recent verdict
changes and the incidents the menu bar agent recorded in the last 7 days.
--format html writes one self-contained page (no script, nothing fetched)
with 30 days of history: a timeline strip, latency plots and each day's
share of checks ok, to open in a browser or attach to a support chat.
Your user name and full name, home folder, computer name, serial
numbers, MAC addresses (and IPv6 addresses made from them), Wi-Fi network
names, e-mail addresses, tokens and the values in web addresses' queries are
redacted unless --no-redact is given.

Flags:
  --format F     text (default), markdown, json or html
  --output FILE  write to FILE instead of standard output (html: report.html, say)
  --no-redact    keep personal details
  --config FILE  read settings from FILE
`

// Parse reads args into opts.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.StringVar(&opts.Format, "format", "text", "")
	fs.StringVar(&opts.Output, "output", "", "")
	fs.BoolVar(&opts.NoRedact, "no-redact", false, "")
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	if err := cli.ParseFlags(fs, args, opts.IO.Out, usage); err != nil {
		return err
	}
	if _, err := report.ParseFormat(opts.Format); err != nil {
		return &cli.UsageError{Err: err, Command: "report"}
	}
	return nil
}

// Run writes the report; it returns the exit code.
func Run(ctx context.Context, opts *Options) int {
	cfg, err := opts.LoadConfig(opts.ConfigPath)
	if err != nil {
		return cli.Exit(opts.IO, &cli.ConfigError{Err: err})
	}
	if err := outputFolder(opts.Output); err != nil {
		return cli.Exit(opts.IO, &cli.UsageError{Err: err, Command: "report"})
	}
	format, _ := report.ParseFormat(opts.Format)
	env := opts.NewEnv(cfg.Check)
	doc := diagnose.Diagnoser{Config: cfg, Env: env, Now: opts.Now, Version: opts.Version}.Once(ctx)
	in := report.Input{Doc: doc, Version: opts.Version, Generated: opts.Now()}
	if opts.HistoryDir != "" {
		// A damaged history line is skipped; the report is still worth having.
		if err := in.ReadState(opts.HistoryDir, format); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "idpulse: part of the history is missing from the report: %v\n", err)
		}
	}
	var red *report.Redactor
	if !opts.NoRedact {
		red = opts.Redactor
		if red == nil {
			// The check just read the serial; macOS's user record has the
			// full name.
			r := report.SystemRedactor().WithSystem(ctx, env.Runner, env.GOOS, doc.Probes)
			red = &r
		}
	}
	if err := write(opts, in, format, red); err != nil {
		return cli.Exit(opts.IO, fmt.Errorf("report: %w", err))
	}
	return cli.ExitOK
}

// outputFolder refuses an --output whose folder is not there, before the
// check spends its seconds: the report goes into an existing folder only,
// since the caller may be root and idpulse creates no folder where it was
// pointed.
func outputFolder(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--output %s: there is no folder %s", path, dir)
	case err != nil:
		return fmt.Errorf("--output %s: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("--output %s: %s is not a folder", path, dir)
	}
	return nil
}

// write puts the report on standard output or, with --output, in the file:
// whole or not at all.
func write(opts *Options, in report.Input, format report.Format, red *report.Redactor) error {
	if opts.Output == "" {
		return report.Write(opts.IO.Out, in, format, red)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, in, format, red); err != nil {
		return err
	}
	// The path is the caller's choice, and the caller may be root (an MDM
	// script): never through a link, never into a folder we would create.
	if err := (atomicfile.Writer{NoFollow: true}).Write(opts.Output, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Report written to %s\n", opts.Output)
	return nil
}
