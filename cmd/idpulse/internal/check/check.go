// Package check is `idpulse check`: the whole diagnosis once, for people,
// scripts and MDM tools.
package check

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
)

// Options are the command's flags and injected dependencies.
type Options struct {
	IO  *cli.IO
	Now func() time.Time
	// NewEnv builds the probes' view of the machine; tests point it at fakes.
	NewEnv func(probes.Config) probes.Env

	ConfigPath string
	JSON       bool
	Timeout    time.Duration
}

const usage = `Usage: idpulse check [--json] [--config FILE] [--timeout DURATION]

Runs every Apple ID connectivity check once and names the root cause.

Flags:
  --json             print the idpulse.check/v1 JSON document
  --config FILE      read settings from FILE (default: the user's config.json)
  --timeout DURATION bound the whole check (default 5s, e.g. 3s, 10s)

Exit status: 0 ok, 1 degraded, 2 down, 3 usage or configuration error.
`

// Parse reads args into opts. A usage error is returned as a *cli.UsageError.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.BoolVar(&opts.JSON, "json", false, "")
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	fs.DurationVar(&opts.Timeout, "timeout", 0, "")
	if err := cli.ParseFlags(fs, args, opts.IO.Out, usage); err != nil {
		return err
	}
	if opts.Timeout < 0 {
		return &cli.UsageError{Err: fmt.Errorf("--timeout must be positive"), Command: "check"}
	}
	return nil
}

// LoadConfig reads the configuration the options name, applying --timeout.
func (o *Options) LoadConfig() (config.Config, error) {
	cfg, err := config.LoadNamed(o.ConfigPath)
	if err != nil {
		return cfg, err
	}
	if o.Timeout > 0 {
		cfg.Check.Deadline = probes.Duration(o.Timeout)
		if time.Duration(cfg.Check.ProbeTimeout) > o.Timeout {
			cfg.Check.ProbeTimeout = probes.Duration(o.Timeout)
		}
	}
	return cfg, nil
}

// Run performs the check and returns the exit code.
func Run(ctx context.Context, opts *Options) int {
	cfg, err := opts.LoadConfig()
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "idpulse: config: %v\n", err)
		return cli.ExitUsage
	}
	doc := Check(ctx, cfg, opts.NewEnv(cfg.Check), opts.Now)
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "idpulse: %v\n", err)
		}
	} else {
		Render(opts.IO, doc)
	}
	return ExitCode(doc.Verdict.Level)
}

// Check runs one diagnosis (the feed too when enabled).
func Check(ctx context.Context, cfg config.Config, env probes.Env, now func() time.Time) verdict.Document {
	return diagnose.Diagnoser{Config: cfg, Env: env, Now: now}.Once(ctx)
}

// ExitCode maps a verdict level to the contract's exit status.
func ExitCode(l verdict.Level) int {
	switch l {
	case verdict.LevelDown:
		return cli.ExitDown
	case verdict.LevelDegraded:
		return cli.ExitDegraded
	}
	return cli.ExitOK
}
