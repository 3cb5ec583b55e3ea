package report

import (
	"bufio"
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// The HTML page is the report a person attaches to an Apple Support chat:
// the same blocks as the text and markdown forms (build), laid out so the
// verdict and the history come first, with the timeline's strip and plots
// (html_charts.go) after the verdict. It is one self-contained file: no
// script, no fetch of any kind (the Content-Security-Policy says so to the
// browser too), styles and SVG inline. Every text passes html/template's
// escaping, after the report's redaction (it comes from the redacted tree)
// and textsafe.Terminal (no control or bidi override from the network).

//go:embed templates/report.html
var templateFS embed.FS

// pageTemplate is parsed on first use rather than at package init: most
// idpulse processes never write a page.
func pageTemplate() (*template.Template, error) {
	return template.New("report.html").Funcs(template.FuncMap{
		"mark": func(s string) string { return cmp.Or(s, "•") },
	}).ParseFS(templateFS, "templates/report.html")
}

// htmlCSP allows nothing to load or run: no script, no connection, no
// frame, no form; only the page's own inline styles (the chart library
// writes SVG style attributes) and data: images.
const htmlCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

// page is what the template renders.
type page struct {
	CSP     string
	Title   string
	Level   string // ok, degraded or down: the verdict banner's colour
	Intro   []htmlBlock
	Before  []htmlSection // the verdict
	History *htmlHistory
	After   []htmlSection // incidents, findings, steps, system, then the rest in build's order
}

type htmlSection struct {
	ID, Title string
	Class     string // CSS classes: the verdict's banner colour
	Blocks    []htmlBlock
}

// htmlBlock is one block, exported for the template: Kind says which
// fields are set.
type htmlBlock struct {
	Kind   string // h3, para, fields, list, table, verbatim
	Text   []htmlSpan
	Fields []htmlField
	Items  []htmlItem
	Head   []string
	Right  []bool
	Rows   [][][]htmlSpan
	Label  string
	Lines  string
}

type htmlSpan struct {
	Text         string
	Code, Strong bool
}

type htmlField struct {
	Key   string
	Value []htmlSpan
}

type htmlItem struct {
	Mark string
	Text []htmlSpan
	Sub  []htmlBlock
}

// pageOrder is where the page puts the sections it knows; the others
// follow in build's order.
var pageOrder = []string{sectionIncidents, sectionFindings, sectionSteps, sectionSystem}

func writeHTML(w io.Writer, m model, h History) error {
	tmpl, err := pageTemplate()
	if err != nil {
		return fmt.Errorf("report: html template: %w", err)
	}
	hist, err := historyView(m, h)
	if err != nil {
		return fmt.Errorf("report: charts: %w", err)
	}
	p := page{CSP: htmlCSP, Title: "idpulse diagnostic report", Level: levelClass(string(m.Doc.Verdict.Level)), History: hist}
	var all []htmlSection
	for i, b := range build(m) {
		h, isHeading := b.(heading)
		switch {
		case i == 0 && isHeading: // the title: the page has its own
		case isHeading && h.level == 2:
			all = append(all, htmlSection{ID: h.id, Title: textsafe.Terminal(h.text.String())})
		case len(all) == 0:
			p.Intro = append(p.Intro, htmlOf(b))
		default:
			all[len(all)-1].Blocks = append(all[len(all)-1].Blocks, htmlOf(b))
		}
	}
	var rest []htmlSection
	for _, s := range all {
		if s.ID == sectionVerdict {
			s.Class = "banner " + p.Level
			p.Before = append(p.Before, s)
		} else {
			rest = append(rest, s)
		}
	}
	for _, id := range pageOrder {
		if i := slices.IndexFunc(rest, func(s htmlSection) bool { return s.ID == id }); i >= 0 {
			p.After = append(p.After, rest[i])
			rest = slices.Delete(rest, i, i+1)
		}
	}
	p.After = append(p.After, rest...)
	bw := bufio.NewWriter(w)
	if err := tmpl.Execute(bw, p); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return bw.Flush()
}

// levelClass is a CSS class from a closed set, whatever the level says.
func levelClass(level string) string {
	switch level {
	case "ok", "degraded", "down":
		return level
	}
	return "unknown"
}

func spansOf(in inline) []htmlSpan {
	out := make([]htmlSpan, 0, len(in))
	for _, s := range in {
		out = append(out, htmlSpan{Text: textsafe.Terminal(s.text), Code: s.code, Strong: s.strong})
	}
	return out
}

func htmlOf(b block) htmlBlock {
	switch b := b.(type) {
	case heading:
		return htmlBlock{Kind: "h3", Text: spansOf(b.text)}
	case para:
		return htmlBlock{Kind: "para", Text: spansOf(b.text)}
	case fields:
		out := htmlBlock{Kind: "fields"}
		for _, r := range b.rows {
			out.Fields = append(out.Fields, htmlField{Key: textsafe.Terminal(r.key), Value: spansOf(r.value)})
		}
		return out
	case list:
		out := htmlBlock{Kind: "list"}
		for _, it := range b.items {
			hi := htmlItem{Mark: textsafe.Terminal(it.mark), Text: spansOf(it.text)}
			for _, s := range it.sub {
				hi.Sub = append(hi.Sub, htmlOf(s))
			}
			out.Items = append(out.Items, hi)
		}
		return out
	case table:
		out := htmlBlock{Kind: "table", Right: b.right}
		for _, h := range b.head {
			out.Head = append(out.Head, textsafe.Terminal(h))
		}
		for _, r := range b.rows {
			row := make([][]htmlSpan, len(r))
			for i, c := range r {
				row[i] = spansOf(c)
			}
			out.Rows = append(out.Rows, row)
		}
		return out
	case verbatim:
		// Line by line, so an error keeps its line breaks in <pre>.
		ls := strings.Split(strings.TrimRight(b.text, "\n"), "\n")
		for i, l := range ls {
			ls[i] = textsafe.Terminal(l)
		}
		return htmlBlock{Kind: "verbatim", Label: textsafe.Terminal(b.label), Lines: strings.Join(ls, "\n")}
	}
	return htmlBlock{}
}
