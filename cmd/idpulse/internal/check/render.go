package check

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/textsafe"
)

const width = 78

// Render prints the human form of a check: the verdict first (what a person
// came for), then every probe in aligned columns, then the findings.
func Render(io *cli.IO, doc verdict.Document) {
	st := cli.StyleFor(io)
	w := io.Out
	v := doc.Verdict

	badge := colour(st, v.Level.Symbol())(v.Level.Symbol() + " " + v.Level.Word())
	// Verdict words quote the network and Apple's feed: every line goes
	// through textsafe.Terminal before it reaches the terminal.
	fmt.Fprintf(w, "%s  %s\n", badge, st.Bold(textsafe.Terminal(v.Headline)))
	indent := "   "
	writeWrapped(w, indent, textsafe.Terminal(v.Detail))
	for _, e := range v.Evidence {
		writeWrapped(w, indent+"· ", textsafe.Terminal(e))
	}
	if len(v.Fixes) > 0 {
		fmt.Fprintf(w, "%sFixes: %s\n", indent, strings.Join(v.Fixes, ", "))
		fmt.Fprintf(w, "%s%s\n", indent, st.Dim("(idpulse fix <id> applies one)"))
	}

	fmt.Fprintf(w, "\n%s\n", st.Bold("Checks"))
	idw := 0
	for _, r := range doc.Probes {
		idw = max(idw, len(r.ID))
	}
	for _, r := range doc.Probes {
		sym := StatusSymbol(st, r.Status)
		took := fmt.Sprintf("%6.0f ms", probes.Millis(r.Duration))
		fmt.Fprintf(w, "  %s %-*s  %s  %s\n", sym, idw, r.ID, st.Dim(took), textsafe.Terminal(r.Summary))
	}

	renderServices(w, st, doc.Services)
	renderApple(w, st, doc.AppleStatus)

	if len(doc.Findings) > 0 {
		fmt.Fprintf(w, "\n%s\n", st.Bold("Also noticed"))
		for _, f := range doc.Findings {
			writeWrapped(w, "  • ", textsafe.Terminal(f.Headline+" — "+f.Detail))
		}
	}
	fmt.Fprintf(w, "\n%s\n", st.Dim(fmt.Sprintf("Checked %s in %s.", doc.Time.Local().Format("2006-01-02 15:04:05"),
		(time.Duration(doc.DurationMS*1e6)).Round(10*time.Millisecond))))
}

// StatusSymbol is the one-character face of a probe status
// (verdict.StatusSymbol) in its colour.
func StatusSymbol(st cli.Style, s probes.Status) string {
	sym := verdict.StatusSymbol(s)
	return colour(st, sym)(sym)
}

// colour is what a face (verdict.StatusSymbol, Level.Symbol,
// AppleService.Symbol) is printed in: green good, yellow a warning or
// maintenance, red a failure or a check that could not run, dim not run.
func colour(st cli.Style, sym string) func(string) string {
	switch sym {
	case "✓":
		return st.Green
	case "⚠", "⚒":
		return st.Yellow
	case "✗", "!":
		return st.Red
	}
	return st.Dim
}

// writeWrapped prints text word-wrapped at width, every line after the first
// indented to line up under the first.
func writeWrapped(w io.Writer, prefix, text string) {
	if text == "" {
		return
	}
	pad := strings.Repeat(" ", len([]rune(prefix)))
	line := prefix
	for _, word := range strings.Fields(text) {
		if len([]rune(line))+1+len([]rune(word)) > width && strings.TrimSpace(line) != strings.TrimSpace(prefix) {
			fmt.Fprintln(w, line)
			line = pad
		}
		if line != prefix && line != pad {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}

// renderServices shows one row per Apple service of the host catalogue.
func renderServices(w io.Writer, st cli.Style, svcs []verdict.Service) {
	if len(svcs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", st.Bold("Services"))
	idw := 0
	for _, s := range svcs {
		idw = max(idw, len(s.ID))
	}
	for _, s := range svcs {
		fmt.Fprintf(w, "  %s %-*s  %s\n", StatusSymbol(st, s.Status), idw, s.ID, textsafe.Terminal(s.Title+": "+s.Summary))
	}
}

// renderApple shows the watched services of Apple System Status, with their
// ongoing and upcoming events.
func renderApple(w io.Writer, st cli.Style, a *verdict.AppleStatus) {
	if a == nil {
		return
	}
	fmt.Fprintf(w, "\n%s\n", st.Bold("Apple System Status"))
	if a.Error != nil {
		fmt.Fprintf(w, "  %s %s\n", st.Yellow("⚠"), "could not be read: "+textsafe.Terminal(*a.Error))
	}
	nameW := 0
	for _, s := range a.Services {
		nameW = max(nameW, len([]rune(textsafe.Terminal(s.Name))))
	}
	for _, s := range a.Services {
		sym, word := colour(st, s.Symbol())(s.Symbol()), s.Word()
		name := textsafe.Terminal(s.Name)
		fmt.Fprintf(w, "  %s %s%s  %s\n", sym, name, strings.Repeat(" ", nameW-len([]rune(name))), word)
		for _, e := range s.Events {
			if e.Status != "ongoing" && e.Status != "upcoming" {
				continue
			}
			when := ""
			if e.Start != nil {
				when = " from " + e.Start.Local().Format("Jan 2 15:04")
			}
			writeWrapped(w, "      ", textsafe.Terminal(fmt.Sprintf("%s %s%s: %s", e.Status, e.Type, when, e.Message)))
		}
	}
}
