// Package applestatus is `idpulse apple-status`: Apple's System Status page in
// a terminal, watched services first.
package applestatus

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
	feed "github.com/idpulse/idpulse/probes/applestatus"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// Options are the command's flags and injected dependencies.
type Options struct {
	cli.Deps

	ConfigPath string
	All        bool
	JSON       bool
	Developer  bool
	Timeout    time.Duration
}

// Exit codes of this command.
const (
	ExitOK          = 0 // no ongoing problem on a watched service
	ExitProblem     = 1 // an ongoing issue or outage on a watched service
	ExitUnavailable = 2 // the feed could not be read
)

const usage = `Usage: idpulse apple-status [--all] [--json] [--developer] [--config FILE]

Shows Apple's System Status: the services idpulse watches (sign-in first), then
any other service with an ongoing or upcoming event, with recent history.

Flags:
  --all          list every service, not only watched and affected ones
  --json         print the apple_status object of the idpulse.check/v1 schema
  --developer    read Apple's developer System Status instead (implies --all)
  --config FILE  read settings (feed URL, watch list) from FILE
  --timeout D    give up after D (default 10s)

Exit status: 0 no ongoing problem on a watched service, 1 an ongoing issue or
outage on one, 2 the feed could not be read, 3 usage or configuration error.
`

// Parse reads args into opts.
func Parse(opts *Options, args []string) error {
	fs := flag.NewFlagSet("apple-status", flag.ContinueOnError)
	fs.BoolVar(&opts.All, "all", false, "")
	fs.BoolVar(&opts.JSON, "json", false, "")
	fs.BoolVar(&opts.Developer, "developer", false, "")
	fs.StringVar(&opts.ConfigPath, "config", "", "")
	cli.TimeoutFlag(fs, &opts.Timeout, 10*time.Second)
	if err := cli.ParseFlags(fs, args, opts.IO.Out, usage); err != nil {
		return err
	}
	if opts.Developer {
		opts.All = true
	}
	return nil
}

// Run fetches the feed and prints it; it returns the exit code.
func Run(ctx context.Context, opts *Options) int {
	cfg, err := opts.LoadConfig(opts.ConfigPath)
	if err != nil {
		return cli.Exit(opts.IO, &cli.ConfigError{Err: err})
	}
	url := cfg.AppleStatus.URL
	if opts.Developer {
		url = feed.DeveloperURL
	}
	env := opts.NewEnv(cfg.Check)
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	client := &feed.Client{URL: url, HTTP: &http.Client{Transport: probes.Transport(ctx, env)}, UserAgent: feed.UserAgent(opts.Version)}
	res, err := client.Fetch(ctx)
	watch := cfg.AppleStatus.WatchList()
	if opts.All {
		watch = allServices(res.Snapshot, watch)
	} else {
		watch = withAffected(res.Snapshot, watch)
	}
	st := verdict.FromFeed(url, res, err, nil, watch)
	if opts.JSON {
		if werr := cli.WriteJSON(opts.IO.Out, st); werr != nil {
			// Whoever asked for the status did not get it.
			return cli.Exit(opts.IO, &cli.ExitError{Code: ExitUnavailable, Err: werr})
		}
	} else {
		render(opts.IO, st, opts.Now())
	}
	switch {
	case err != nil && opts.JSON:
		return ExitUnavailable // the document says why
	case err != nil:
		// The error can carry the server's reason phrase: a terminal shows it.
		return cli.Exit(opts.IO, &cli.ExitError{Code: ExitUnavailable, Err: terminalError{err}})
	case problem(st):
		return ExitProblem
	}
	return ExitOK
}

// withAffected extends the watch list with every other service that has an
// ongoing or upcoming event, so nothing current is hidden.
func withAffected(s *feed.Snapshot, w feed.WatchList) feed.WatchList {
	if s == nil {
		return w
	}
	others := append([]string{}, w.Others...)
	for _, svc := range s.Services {
		for _, e := range svc.Events {
			if e.Active() || e.Upcoming() {
				others = append(others, svc.Name)
				break
			}
		}
	}
	return feed.WatchList{SignIn: w.SignIn, Others: others}
}

// allServices lists every service, the watched sign-in ones first.
func allServices(s *feed.Snapshot, w feed.WatchList) feed.WatchList {
	if s == nil {
		return w
	}
	others := append([]string{}, w.Others...)
	for _, svc := range s.Services {
		others = append(others, svc.Name)
	}
	return feed.WatchList{SignIn: w.SignIn, Others: others}
}

func problem(st *verdict.AppleStatus) bool {
	for _, s := range st.Services {
		if s.Status == "issue" || s.Status == "outage" {
			return true
		}
	}
	return false
}

// recent is how far back resolved events are shown.
const recent = 7 * 24 * time.Hour

// render prints st for a terminal. Every string from the feed (and the
// error, which can quote the server) goes through textsafe.Terminal: a
// terminal would obey the escape sequences in it.
func render(io *cli.IO, st *verdict.AppleStatus, now time.Time) {
	style := cli.StyleFor(io)
	w := io.Out
	fmt.Fprintf(w, "%s\n", style.Bold("Apple System Status"))
	if st.Fetched != nil {
		fmt.Fprintf(w, "%s\n\n", style.Dim(fmt.Sprintf("%s, read %s", textsafe.Terminal(st.Source), st.Fetched.Local().Format("2006-01-02 15:04"))))
	}
	if st.Error != nil {
		fmt.Fprintf(w, "%s could not be read: %s\n", style.Yellow("⚠"), textsafe.Terminal(*st.Error))
		return
	}
	nameW := 0
	for _, s := range st.Services {
		nameW = max(nameW, utf8.RuneCountInString(textsafe.Terminal(s.Name)))
	}
	for _, s := range st.Services {
		s.Name = textsafe.Terminal(s.Name)
		sym, word := style.Green("●"), style.Green("Available")
		switch s.Status {
		case "outage":
			sym, word = style.Red("●"), style.Red("Outage")
		case "issue":
			sym, word = style.Yellow("●"), style.Yellow("Issue")
		case "maintenance":
			sym, word = style.Yellow("●"), style.Yellow("Maintenance")
		}
		tag := ""
		if s.SignIn {
			tag = style.Dim("  sign-in")
		}
		fmt.Fprintf(w, "%s %s%s  %s%s\n", sym, s.Name, strings.Repeat(" ", nameW-utf8.RuneCountInString(s.Name)), word, tag)
		for _, e := range s.Events {
			if (e.Status == "resolved" || e.Status == "completed") && e.End != nil && now.Sub(*e.End) > recent {
				continue
			}
			fmt.Fprintf(w, "    %s %s — %s%s\n", capitalize(cmp.Or(textsafe.Terminal(e.Status), "unknown status")),
				textsafe.Terminal(e.Type), when(e), usersAffected(e))
			if msg := textsafe.Terminal(e.Message); msg != "" {
				fmt.Fprintf(w, "      %s\n", msg)
			}
		}
	}
}

func when(e verdict.AppleEvent) string {
	const layout = "Jan 2 15:04"
	switch {
	case e.Start != nil && e.End != nil:
		return e.Start.Local().Format(layout) + " – " + e.End.Local().Format(layout)
	case e.Start != nil && e.Status == "upcoming":
		return "from " + e.Start.Local().Format(layout)
	case e.Start != nil:
		return "since " + e.Start.Local().Format(layout)
	}
	return "time not given"
}

func usersAffected(e verdict.AppleEvent) string {
	if e.UsersAffected == "" {
		return ""
	}
	return " · " + textsafe.Terminal(e.UsersAffected)
}

// terminalError shows err without the controls its text may carry from the
// network; errors.Is and As still see err.
type terminalError struct{ err error }

func (e terminalError) Error() string { return textsafe.Terminal(e.err.Error()) }
func (e terminalError) Unwrap() error { return e.err }

// capitalize upper-cases s's first letter, whatever its length: the feed's
// eventStatus may be empty or missing.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}
