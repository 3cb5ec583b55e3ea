// Package report is `idpulse report`: the diagnostic report for Apple
// Support, from a fresh check plus the recorded fixes and verdict changes.
package report

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/idpulse/idpulse/agent/atomicfile"
	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/report"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/check"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
)

// Options are the command's flags and injected dependencies.
type Options struct {
	IO      *cli.IO
	Now     func() time.Time
	NewEnv  func(probes.Config) probes.Env
	Version string
	// HistoryDir holds the attempts and transitions logs ("" = none).
	HistoryDir string
	// Redactor is what --no-redact turns off; nil means the system's.
	Redactor *report.Redactor

	ConfigPath string
	Format     string
	Output     string
	NoRedact   bool
}

const usage = `Usage: idpulse report [--format text|markdown|json] [--output FILE] [--no-redact]

Checks again and writes a diagnostic report for Apple Support: Mac model, OS
version and build, the verdict chain, every check's exact errors and timings,
Apple System Status, the fixes tried with their times, and recent verdict
changes. Your user name, home folder, computer name, serial numbers and MAC
addresses are redacted unless --no-redact is given.

Flags:
  --format F     text (default), markdown or json
  --output FILE  write to FILE instead of standard output
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
	cfg, err := config.LoadNamed(opts.ConfigPath)
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "idpulse: config: %v\n", err)
		return cli.ExitUsage
	}
	format, _ := report.ParseFormat(opts.Format)
	doc := check.Check(ctx, cfg, opts.NewEnv(cfg.Check), opts.Now)
	in := report.Input{Doc: doc, Version: opts.Version, Generated: opts.Now()}
	if opts.HistoryDir != "" {
		// A damaged history line is skipped; the report is still worth having.
		in.Attempts, _ = history.Attempts(opts.HistoryDir).Recent(30)
		in.Transitions, _ = history.Transitions(opts.HistoryDir).Recent(30)
	}
	var red *report.Redactor
	if !opts.NoRedact {
		red = opts.Redactor
		if red == nil {
			r := report.SystemRedactor()
			red = &r
		}
	}
	if opts.Output == "" {
		if err := report.Write(opts.IO.Out, in, format, red); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "idpulse: report: %v\n", err)
			return 1
		}
		return cli.ExitOK
	}
	var buf writerBuffer
	if err := report.Write(&buf, in, format, red); err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "idpulse: report: %v\n", err)
		return 1
	}
	if err := atomicfile.Write(opts.Output, buf.b, 0o600); err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "idpulse: report: %v\n", err)
		return 1
	}
	fmt.Fprintf(opts.IO.ErrOut, "Report written to %s\n", opts.Output)
	return cli.ExitOK
}

type writerBuffer struct{ b []byte }

func (w *writerBuffer) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
