package report

import (
	"bufio"
	"io"
	"strings"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// writeMarkdown writes GitHub-flavoured markdown: headings, bullet lists,
// a table, fenced blocks for exact errors. Text from the check is escaped so
// that a "<user>" placeholder or an underscore in an id shows as written,
// and so that text from the network (the feed, server errors) can neither
// start a line of its own nor make a link; terminal controls are dropped
// everywhere, fenced blocks included.
func writeMarkdown(w io.Writer, bs []block) error {
	bw := bufio.NewWriter(w)
	for i, b := range bs {
		if i > 0 {
			bw.WriteString("\n")
		}
		mdBlock(bw, "", b)
	}
	return bw.Flush()
}

func mdBlock(w *bufio.Writer, indent string, b block) {
	emit := func(s string) {
		w.WriteString(strings.TrimRight(indent+s, " "))
		w.WriteString("\n")
	}
	switch b := b.(type) {
	case heading:
		emit(strings.Repeat("#", b.level) + " " + mdInline(b.text))
	case para:
		emit(mdInline(b.text))
	case fields:
		// One paragraph with hard line breaks, not a bullet list: a list
		// right after another list would merge into it.
		for i, r := range b.rows {
			s := "**" + mdEscape(r.key) + ":** " + mdInline(r.value)
			if r.key == "" { // a row without a key continues the one before (a legend)
				s = mdInline(r.value)
			}
			if i+1 < len(b.rows) {
				s += `\`
			}
			emit(s)
		}
	case list:
		for _, it := range b.items {
			text := mdInline(it.text)
			if it.mark != "" && it.mark != "•" {
				text = it.mark + " " + text
			}
			emit("- " + text)
			// Blank lines keep a sub-block from being read as a lazy
			// continuation of the item's own paragraph.
			for _, s := range it.sub {
				w.WriteString("\n")
				mdBlock(w, indent+"  ", s)
			}
		}
	case table:
		row := func(cells []string) string { return "| " + strings.Join(cells, " | ") + " |" }
		head := make([]string, len(b.head))
		sep := make([]string, len(b.head))
		for i, h := range b.head {
			head[i] = mdEscape(h)
			sep[i] = "---"
			if i < len(b.right) && b.right[i] {
				sep[i] = "---:"
			}
		}
		emit(row(head))
		emit(row(sep))
		for _, r := range b.rows {
			cells := make([]string, len(b.head))
			for i := range cells {
				if i < len(r) {
					// A pipe ends a cell even inside a code span.
					cells[i] = strings.ReplaceAll(mdInline(r[i]), "|", `\|`)
				}
			}
			emit(row(cells))
		}
	case verbatim:
		emit(mdEscape(b.label) + ":")
		fence := strings.Repeat("`", max(3, longestRun(textsafe.Terminal(b.text), '`')+1))
		emit(fence + "text")
		for _, l := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
			// Not trimmed: trailing spaces in an error are part of it.
			w.WriteString(indent + textsafe.Terminal(l) + "\n")
		}
		emit(fence)
	}
}

func mdInline(in inline) string {
	var b strings.Builder
	for _, s := range in {
		switch {
		case s.code && s.text != "":
			b.WriteString(mdCode(s.text))
		case s.strong && strings.TrimSpace(s.text) != "":
			b.WriteString("**" + mdEscape(s.text) + "**")
		default:
			b.WriteString(mdEscape(s.text))
		}
	}
	return b.String()
}

// mdEscape is textsafe.Markdown: one inline run, shown as written.
func mdEscape(s string) string { return textsafe.Markdown(s) }

// mdCode is a code span that survives backticks inside the text.
func mdCode(s string) string {
	// A line break inside a code span still ends the line for the block
	// structure: "`a\n# b`" would be a heading.
	s = textsafe.Terminal(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

func longestRun(s string, c rune) int {
	best, n := 0, 0
	for _, r := range s {
		if r == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
