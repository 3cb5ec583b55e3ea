// Package metrics is `idpulse metrics`: one check, printed in the Prometheus
// text exposition format, for cron jobs that fill node_exporter's textfile
// folder and for a look at what the agent's endpoint would serve.
package metrics

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/metrics"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
)

// Options are the command's flags and injected dependencies.
type Options struct {
	cli.Deps

	ConfigPath string
	Timeout    time.Duration
}

const usage = `Usage: idpulse metrics [--config FILE] [--timeout DURATION]

Runs every check once and prints the result in the Prometheus text exposition
format (no timestamps), e.g. for node_exporter's textfile collector:

  idpulse metrics > /var/lib/node_exporter/idpulse.prom.$$ &&
    mv /var/lib/node_exporter/idpulse.prom.$$ /var/lib/node_exporter/idpulse.prom

The agent serves the same series (and idpulse_checks_total) itself with
agent.metrics_listen and agent.metrics_textfile.

Flags:
  --config FILE      read settings from FILE (default: the user's config.json)
  --timeout DURATION bound the whole check (default 5s, e.g. 3s, 10s)

Exit status: 0 the metrics were printed (whatever the verdict), 1 they could
not be written, 3 usage or configuration error.
`

// Parse reads args into opts.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	cli.TimeoutFlag(fs, &opts.Timeout, 0)
	return cli.ParseFlags(fs, args, opts.IO.Out, usage)
}

// Run performs the check and prints its metrics; it returns the exit code.
func Run(ctx context.Context, opts *Options) int {
	cfg, err := opts.LoadConfig(opts.ConfigPath)
	if err != nil {
		return cli.Exit(opts.IO, &cli.ConfigError{Err: err})
	}
	if opts.Timeout > 0 {
		cfg.Check.Deadline = probes.Duration(opts.Timeout)
		if time.Duration(cfg.Check.ProbeTimeout) > opts.Timeout {
			cfg.Check.ProbeTimeout = probes.Duration(opts.Timeout)
		}
	}
	doc := diagnose.Diagnoser{Config: cfg, Env: opts.NewEnv(cfg.Check), Now: opts.Now, Version: opts.Version}.Once(ctx)
	// The verdict is in the series, not the exit status: a cron job's
	// `&& mv` must publish a down check too.
	e := metrics.New(opts.Version, false)
	e.Observe(doc)
	if err := e.Write(opts.IO.Out); err != nil {
		return cli.Exit(opts.IO, fmt.Errorf("metrics: %w", err))
	}
	return cli.ExitOK
}
