// Package history is `idpulse history`: the agent's record of every check
// (agent/timeline) grouped into incidents (agent/incidents), newest first,
// and each day's share of checks that were ok.
package history

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	agenthistory "github.com/idpulse/idpulse/agent/history"
	"github.com/idpulse/idpulse/agent/incidents"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// Schema names the --json document's shape. Fields may be added, never
// renamed.
const Schema = "idpulse.history/v1"

// Document is `idpulse history --json`.
type Document struct {
	Schema string    `json:"schema"`
	Since  time.Time `json:"since"`
	Until  time.Time `json:"until"`
	// Checks is how many checks the agent recorded in the window;
	// SkippedLines how many damaged lines were passed over.
	Checks       int                  `json:"checks"`
	SkippedLines int                  `json:"skipped_lines"`
	Incidents    []incidents.Incident `json:"incidents"` // newest first
	Days         []incidents.Day      `json:"days"`      // oldest first
}

// Options are the command's flags and injected dependencies.
type Options struct {
	cli.Deps
	// HistoryDir is the agent's state folder ("" = none).
	HistoryDir string

	ConfigPath string
	Since      time.Duration
	JSON       bool
}

const usage = `Usage: idpulse history [--since 24h|7d|30d] [--json] [--config FILE]

Shows what the menu bar agent saw: every stretch of checks that were not ok
(an incident), newest first, with how long it lasted, what it was and the
fixes tried meanwhile, then each day's share of checks that were ok. It reads
the record the agent keeps (agent.history); it runs no check itself.

Flags:
  --since D      how far back: a duration such as 24h, or days such as 7d (default 24h)
  --json         print the idpulse.history/v1 document
  --config FILE  read settings from FILE

Exit status: 0, also when there is no history yet; 3 usage or configuration error.
`

// Parse reads args into opts.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	opts.Since = 24 * time.Hour
	fs.Var((*sinceValue)(&opts.Since), "since", "")
	fs.BoolVar(&opts.JSON, "json", false, "")
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	return cli.ParseFlags(fs, args, opts.IO.Out, usage)
}

// sinceValue is a duration that also takes whole days ("7d").
type sinceValue time.Duration

func (v *sinceValue) String() string { return time.Duration(*v).String() }

func (v *sinceValue) Set(s string) error {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 1 {
			return fmt.Errorf("want a duration such as 24h or a number of days such as 7d, got %q", s)
		}
		d = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil || d <= 0 {
			return fmt.Errorf("want a duration such as 24h or a number of days such as 7d, got %q", s)
		}
	}
	if d > 400*24*time.Hour {
		return fmt.Errorf("%q is longer than any history idpulse keeps", s)
	}
	*v = sinceValue(d)
	return nil
}

// Run reads the history and prints it; it returns the exit code.
func Run(_ context.Context, opts *Options) int {
	cfg, err := opts.LoadConfig(opts.ConfigPath)
	if err != nil {
		return cli.Exit(opts.IO, &cli.ConfigError{Err: err})
	}
	if opts.HistoryDir == "" {
		return cli.Exit(opts.IO, errors.New("history: no state folder on this system"))
	}
	doc, err := Build(opts.HistoryDir, cfg.Agent.HistoryDays, opts.Now(), opts.Since)
	if err != nil {
		return cli.Exit(opts.IO, err)
	}
	if !cfg.Agent.History {
		fmt.Fprintln(opts.IO.ErrOut, "idpulse: agent.history is off in the configuration: the agent records no new checks.")
	}
	if opts.JSON {
		return cli.Exit(opts.IO, cli.WriteJSON(opts.IO.Out, doc))
	}
	return cli.Exit(opts.IO, Print(opts.IO.Out, doc, opts.Now().Location()))
}

// Build reads the window [now-since, now] of the history kept in dir, a day
// at a time (incidents.Summary: the reports summarise it the same way).
func Build(dir string, days int, now time.Time, since time.Duration) (Document, error) {
	from := now.Add(-since)
	sum := incidents.Summary{Loc: now.Location()}
	skipped, err := timeline.Store{Dir: timeline.In(dir), Days: days}.EachDay(from, func(day []timeline.Record) error {
		sum.Add(day)
		return nil
	})
	if err != nil {
		return Document{}, err
	}
	attempts, err := agenthistory.Attempts(dir).Recent(agenthistory.Keep)
	if err != nil {
		return Document{}, err
	}
	is := sum.Incidents(attempts, now)
	slices.Reverse(is)
	return Document{Schema: Schema, Since: from.UTC(), Until: now.UTC(), Checks: sum.Checks, SkippedLines: skipped,
		Incidents: is, Days: sum.Days}, nil
}

// Print writes doc for a person, times in loc.
func Print(w io.Writer, doc Document, loc *time.Location) error {
	var b strings.Builder
	fmt.Fprintf(&b, "idpulse history: %s to %s, %d checks recorded\n", doc.Since.In(loc).Format("2 Jan 15:04"), doc.Until.In(loc).Format("2 Jan 15:04"), doc.Checks)
	if doc.Checks == 0 {
		b.WriteString("\nNo checks recorded in this window. The menu bar agent (idpulse run) records one each time it checks.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	if len(doc.Incidents) == 0 {
		b.WriteString("\nNo incidents: every check was ok.\n")
	} else {
		fmt.Fprintf(&b, "\nIncidents, newest first (%d)\n", len(doc.Incidents))
		for _, i := range doc.Incidents {
			end := "ongoing"
			if i.End != nil {
				end = i.End.In(loc).Format("15:04")
			}
			line := fmt.Sprintf("  %s %s–%s  %-8s %s (%s)", verdict.StatusSymbol(levelStatus(i.Level)), i.Start.In(loc).Format("2 Jan 15:04"), end,
				verdict.Span(time.Duration(i.DurationS*float64(time.Second))), textsafe.Terminal(i.Headline), i.Code)
			if also := i.Also(); len(also) > 0 {
				line += ", also " + strings.Join(also, ", ")
			}
			if len(i.FixesTried) > 0 {
				line += "; tried " + strings.Join(i.FixesTried, ", ")
			}
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("\nChecks ok, per day\n")
	for _, d := range doc.Days {
		fmt.Fprintf(&b, "  %s  %s %5.1f %%  (%d of %d)\n", d.Date, bar(d.Ratio, 20), d.Ratio*100, d.OK, d.Checks)
	}
	if doc.SkippedLines > 0 {
		fmt.Fprintf(&b, "\n%d damaged line(s) of the record were passed over.\n", doc.SkippedLines)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// levelStatus is the check face for an incident's level.
func levelStatus(level string) probes.Status {
	if level == string(verdict.LevelDown) {
		return probes.StatusFail
	}
	return probes.StatusWarn
}

// bar is ratio as a bar of width cells; any failure shows as at least one
// empty cell, so 99.9 % does not look like 100 %.
func bar(ratio float64, width int) string {
	full := int(math.Floor(ratio * float64(width)))
	if ratio < 1 && full == width {
		full--
	}
	return strings.Repeat("█", full) + strings.Repeat("░", width-full)
}
