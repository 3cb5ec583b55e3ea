// Package check is `idpulse check`: the whole diagnosis once, for people,
// scripts and MDM tools.
package check

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
)

// Options are the command's flags and injected dependencies.
type Options struct {
	cli.Deps

	ConfigPath string
	JSON       bool
	Timeout    time.Duration
	// All checks the whole Apple host catalogue, not its sample.
	All bool
}

const usage = `Usage: idpulse check [--json] [--all] [--config FILE] [--timeout DURATION]

Runs every Apple ID connectivity check once and names the root cause.

Flags:
  --json             print the idpulse.check/v1 JSON document
  --all              check every host of every Apple service (the whole
                     catalogue), not one or two per service
  --config FILE      read settings from FILE (default: the user's config.json)
  --timeout DURATION bound the whole check (default 5s, e.g. 3s, 10s)

Exit status: 0 ok, 1 degraded, 2 down, 3 usage or configuration error.
`

// Parse reads args into opts. A usage error is returned as a *cli.UsageError.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.BoolVar(&opts.JSON, "json", false, "")
	fs.BoolVar(&opts.All, "all", false, "")
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	cli.TimeoutFlag(fs, &opts.Timeout, 0)
	return cli.ParseFlags(fs, args, opts.IO.Out, usage)
}

// config reads the configuration the options name, applying --timeout.
func (o *Options) config() (config.Config, error) {
	cfg, err := o.LoadConfig(o.ConfigPath)
	if err != nil {
		return cfg, &cli.ConfigError{Err: err}
	}
	cfg.Check.AllServices = o.All
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
	cfg, err := opts.config()
	if err != nil {
		return cli.Exit(opts.IO, err)
	}
	doc := diagnose.Diagnoser{Config: cfg, Env: opts.NewEnv(cfg.Check), Now: opts.Now, Version: opts.Version}.Once(ctx)
	if !opts.JSON {
		Render(opts.IO, doc)
	} else if err := cli.WriteJSON(opts.IO.Out, doc); err != nil {
		// Said, but the exit stays the verdict's: the contract promises
		// scripts the same codes with --json, and 1-3 all mean something.
		fmt.Fprintf(opts.IO.ErrOut, "idpulse: %v\n", err)
	}
	return cli.ExitFor(doc.Verdict.Level)
}
