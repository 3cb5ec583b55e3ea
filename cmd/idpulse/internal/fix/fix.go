// Package fix is `idpulse fix`: list the one-click fixes, or apply one,
// check again at once and say how it went.
package fix

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/diagnose"
	"github.com/idpulse/idpulse/agent/fixes"
	"github.com/idpulse/idpulse/agent/remedy"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// Exit codes beyond the check's (0 ok, 1 degraded, 2 down after the fix).
const (
	ExitFailed = 4 // the fix failed, was cancelled, or is not available here
)

// Options are the command's flags and injected dependencies.
type Options struct {
	cli.Deps
	// NewService builds the fix service for the configuration.
	NewService func(cfg config.Config) remedy.Service
	// HistoryDir goes into the copy-report report.
	HistoryDir string

	ConfigPath string
	DryRun     bool
	Yes        bool
	JSON       bool
	HostsFile  string
	List       bool
	ID         string
}

const usage = `Usage:
  idpulse fix list [--json]
  idpulse fix ID [--dry-run] [--yes] [--config FILE]

Lists the one-click fixes (marking those that apply now), or applies one,
checks again at once and says whether Apple ID is reachable.

Flags:
  --dry-run          print the exact commands and URLs, change nothing
  --yes              do not ask before changing system state (scripts, MDM)
  --json             with list: print the fixes as JSON
  --config FILE      read settings from FILE
  --hosts-file FILE  (remove-hosts-entries) edit FILE directly, without a
                     check before or after: how idpulse re-runs itself with
                     administrator rights

Exit status: 0, 1 or 2 as "idpulse check" after the fix; 3 usage error;
4 the fix failed, was cancelled or is not available on this system.
`

// Parse reads args into opts.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("fix", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&opts.DryRun, "dry-run", false, "")
	fs.BoolVar(&opts.Yes, "yes", false, "")
	fs.BoolVar(&opts.JSON, "json", false, "")
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	fs.StringVar(&opts.HostsFile, "hosts-file", "", "")
	// Flags may follow the id ("fix flush-dns --dry-run"): parse around it.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(opts.IO.Out, usage)
				return cli.ErrHelp
			}
			return &cli.UsageError{Err: err, Command: "fix"}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(pos) == 0:
		return &cli.UsageError{Err: errors.New("name a fix, or \"list\""), Command: "fix"}
	case len(pos) > 1:
		return &cli.UsageError{Err: fmt.Errorf("unexpected argument %q", pos[1]), Command: "fix"}
	case pos[0] == "list":
		opts.List = true
	default:
		opts.ID = pos[0]
		if _, ok := fixes.Lookup(opts.ID); !ok {
			return &cli.UsageError{Err: fmt.Errorf("unknown fix %q; valid fixes: %s", opts.ID, strings.Join(ids(), ", ")), Command: "fix"}
		}
	}
	if opts.HostsFile != "" && opts.ID != verdict.FixRemoveHostsEntries {
		return &cli.UsageError{Err: errors.New("--hosts-file goes with remove-hosts-entries"), Command: "fix"}
	}
	return nil
}

func ids() []string {
	var out []string
	for _, f := range fixes.Registry() {
		out = append(out, f.ID)
	}
	return out
}

// Run lists or applies; it returns the exit code.
func Run(ctx context.Context, opts *Options) int {
	cfg, err := opts.LoadConfig(opts.ConfigPath)
	if err != nil {
		return cli.Exit(opts.IO, &cli.ConfigError{Err: err})
	}
	if opts.HostsFile != "" {
		cfg.Check.HostsFile = opts.HostsFile
	}
	svc := opts.NewService(cfg)
	if opts.List {
		return list(ctx, opts, cfg, svc)
	}
	return apply(ctx, opts, cfg, svc)
}

func (o *Options) check(ctx context.Context, cfg config.Config) verdict.Document {
	return diagnose.Diagnoser{Config: cfg, Env: o.NewEnv(cfg.Check), Now: o.Now, Version: o.Version}.Once(ctx)
}

type listed struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Explain   string `json:"explain"`
	Applies   bool   `json:"applies"`
	Available bool   `json:"available"`
	Why       string `json:"why,omitempty"`
	Admin     bool   `json:"admin"`
	Changes   bool   `json:"changes_state"`
}

func list(ctx context.Context, opts *Options, cfg config.Config, svc remedy.Service) int {
	doc := opts.check(ctx, cfg)
	applies := fixes.Applicable(&doc)
	var rows []listed
	for _, f := range fixes.Registry() {
		p, err := f.Plan(svc.Context(&doc))
		r := listed{ID: f.ID, Title: f.Title, Explain: f.Explain, Available: err == nil && p.Available, Why: p.Why,
			Admin: f.NeedsAdmin, Changes: f.ChangesState}
		for _, id := range applies {
			r.Applies = r.Applies || id == f.ID
		}
		rows = append(rows, r)
	}
	if opts.JSON {
		return cli.Exit(opts.IO, cli.WriteJSON(opts.IO.Out, rows))
	}
	st := cli.StyleFor(opts.IO)
	w := opts.IO.Out
	fmt.Fprintf(w, "%s %s\n\n", st.Bold("Now:"), textsafe.Terminal(doc.Verdict.Headline))
	idw := 0
	for _, r := range rows {
		idw = max(idw, len(r.ID))
	}
	for _, r := range rows {
		mark := "  "
		if r.Applies {
			mark = st.Green("→ ")
		}
		note := r.Title
		if r.Admin {
			note += st.Dim(" (admin)")
		}
		if !r.Available {
			note = st.Dim(r.Title + " — not available: " + r.Why)
		}
		fmt.Fprintf(w, "%s%-*s  %s\n", mark, idw, r.ID, note)
	}
	fmt.Fprintf(w, "\n%s\n", st.Dim("→ applies to the current problem. Run: idpulse fix ID [--dry-run]"))
	return cli.ExitOK
}

func apply(ctx context.Context, opts *Options, cfg config.Config, svc remedy.Service) int {
	w := opts.IO.Out
	var doc *verdict.Document
	if opts.HostsFile == "" {
		d := opts.check(ctx, cfg)
		doc = &d
	}
	f, p, err := svc.Plan(opts.ID, doc)
	if err != nil {
		return failed(opts.IO, err)
	}
	if !p.Available {
		return failed(opts.IO, fmt.Errorf("%s is not available on this system: %s", f.Title, p.Why))
	}
	if opts.DryRun {
		printPlan(w, f, p)
		return cli.ExitOK
	}
	if f.ID == fixes.FixCopyReport {
		return copyReport(ctx, opts, svc, doc)
	}
	if f.ChangesState && !opts.Yes {
		if !opts.IO.InTTY {
			return cli.Exit(opts.IO, &cli.ExitError{Code: cli.ExitUsage,
				Err: fmt.Errorf("%s changes system settings; refusing without --yes when there is no terminal to ask", f.Title)})
		}
		printPlan(w, f, p)
		fmt.Fprintf(w, "Proceed? [y/N] ")
		line, _ := bufio.NewReader(opts.IO.In).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(w, "Nothing changed.")
			return ExitFailed
		}
	}
	for _, s := range p.Steps {
		if s.Text != "" {
			fmt.Fprintln(w, s.Text)
		}
	}
	outcome, err := svc.Exec.Apply(ctx, p)
	if err != nil {
		svc.Record(f.ID, "", err, "")
		if errors.Is(err, fixes.ErrCancelled) {
			fmt.Fprintln(opts.IO.ErrOut, "Cancelled at the password prompt; nothing changed.")
			return ExitFailed
		}
		return failed(opts.IO, fmt.Errorf("%s failed: %w", f.Title, err))
	}
	if opts.HostsFile != "" {
		svc.Record(f.ID, outcome, nil, "")
		fmt.Fprintln(w, outcome)
		return cli.ExitOK
	}
	after := opts.check(ctx, cfg)
	svc.Record(f.ID, outcome, nil, string(after.Verdict.Code))
	v := after.Verdict
	switch {
	case v.Level == verdict.LevelOK && doc.Verdict.Level != verdict.LevelOK:
		fmt.Fprintf(w, "%s — Apple ID is reachable again.\n", outcome)
	case v.Level == verdict.LevelOK:
		// It was reachable before the fix too: nothing came back.
		fmt.Fprintf(w, "%s. Apple ID is reachable.\n", outcome)
	default:
		next := ""
		for _, id := range v.Fixes {
			if id != f.ID {
				next = fmt.Sprintf(" Next try: idpulse fix %s", id)
				break
			}
		}
		fmt.Fprintf(w, "%s. Still failing: %s.%s\n", outcome, textsafe.Terminal(v.Headline), next)
	}
	return cli.ExitFor(v.Level)
}

// copyReport delivers the report of the check just made: onto the
// clipboard when idpulse runs in a terminal and a clipboard tool works, else
// on standard output (a pipe, a file, a machine without a clipboard), never
// nowhere. Nothing changed, so there is no check after.
func copyReport(ctx context.Context, opts *Options, svc remedy.Service, doc *verdict.Document) int {
	c := remedy.Clipboard{GOOS: svc.Context(doc).GOOS, Dir: opts.HistoryDir, Version: opts.Version}
	text, err := c.Text(doc)
	if err != nil {
		return failed(opts.IO, err)
	}
	if opts.IO.TTY && c.ToClipboard(ctx, text) {
		svc.Record(fixes.FixCopyReport, "Copied the diagnostic report to the clipboard", nil, "")
		fmt.Fprintln(opts.IO.Out, "Copied the diagnostic report to the clipboard.")
		return cli.ExitFor(doc.Verdict.Level)
	}
	if _, err := opts.IO.Out.Write(text); err != nil {
		return failed(opts.IO, fmt.Errorf("write the report: %w", err))
	}
	svc.Record(fixes.FixCopyReport, "Printed the diagnostic report", nil, "")
	return cli.ExitFor(doc.Verdict.Level)
}

// failed says err and returns ExitFailed.
func failed(io *cli.IO, err error) int {
	return cli.Exit(io, &cli.ExitError{Code: ExitFailed, Err: err})
}

// printPlan shows exactly what would run: commands shell-quoted for reading
// (they are never run through a shell), URLs, advice.
func printPlan(w io.Writer, f fixes.Fix, p fixes.Plan) {
	fmt.Fprintf(w, "%s: %s\n", f.Title, f.Explain)
	for _, s := range p.Steps {
		switch {
		case s.Hosts != nil:
			diff, n, err := s.Hosts.Preview()
			if err != nil {
				fmt.Fprintf(w, "  edit %s: %v\n", s.Hosts.Path, err)
				continue
			}
			fmt.Fprintf(w, "  edit %s: remove %d Apple line(s), keep a backup beside it\n%s", s.Hosts.Path, n, indent(diff))
		case s.URL != "":
			fmt.Fprintf(w, "  open %s\n", s.URL)
		case len(s.Argv) > 0:
			admin := ""
			if s.Admin {
				admin = "  (as administrator)"
			}
			fmt.Fprintf(w, "  run  %s%s\n", quoteArgv(s.Argv), admin)
		case s.Text != "":
			fmt.Fprintf(w, "  advice: %s\n", s.Text)
		}
	}
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("    " + line + "\n")
	}
	return b.String()
}

func quoteArgv(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r == '/' || r == '-' || r == '.' || r == '_' || r == ':' || r == '=' || r == ',' ||
				(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
