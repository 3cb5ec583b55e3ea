package report

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// textWidth keeps every line of the text report pasteable into a support
// chat or an email without rewrapping.
const textWidth = 100

// writeText writes plain text: sections underlined, their content indented,
// keys and table columns aligned, long values wrapped under themselves.
func writeText(w io.Writer, bs []block) error {
	bw := bufio.NewWriter(w)
	t := textWriter{w: bw}
	indent := ""
	for i, b := range bs {
		if h, ok := b.(heading); ok {
			indent = strings.Repeat("  ", h.level-1)
			if _, under := bs[max(i-1, 0)].(heading); i > 0 && !under {
				bw.WriteString("\n")
			}
			t.heading(h)
			continue
		}
		if _, prevHeading := bs[max(i-1, 0)].(heading); i > 0 && !prevHeading {
			bw.WriteString("\n")
		}
		t.block(indent, b)
	}
	return bw.Flush()
}

type textWriter struct{ w *bufio.Writer }

func (t textWriter) emit(s string) {
	t.w.WriteString(strings.TrimRight(s, " "))
	t.w.WriteString("\n")
}

func (t textWriter) heading(h heading) {
	text := terminal(h.text).String()
	switch h.level {
	case 1:
		t.emit(text)
		t.emit(strings.Repeat("=", utf8.RuneCountInString(text)))
	case 2:
		t.emit(text)
		t.emit(strings.Repeat("-", utf8.RuneCountInString(text)))
	default:
		for _, l := range wrap(h.text, "  ", "    ") {
			t.emit(l)
		}
	}
}

func (t textWriter) block(indent string, b block) {
	switch b := b.(type) {
	case para:
		t.lines(wrap(b.text, indent, indent))
	case fields:
		kw := 0
		for _, r := range b.rows {
			kw = max(kw, utf8.RuneCountInString(textsafe.Terminal(r.key)))
		}
		for _, r := range b.rows {
			key := textsafe.Terminal(r.key)
			key += strings.Repeat(" ", kw-utf8.RuneCountInString(key))
			t.lines(wrap(r.value, indent+key+"  ", indent+strings.Repeat(" ", kw+2)))
		}
	case list:
		for _, it := range b.items {
			mark := it.mark
			if mark == "" {
				mark = "•"
			}
			hang := indent + strings.Repeat(" ", utf8.RuneCountInString(mark)+1)
			t.lines(wrap(it.text, indent+mark+" ", hang))
			for _, s := range it.sub {
				t.block(hang, s)
			}
		}
	case table:
		t.table(indent, b)
	case verbatim:
		label := b.label + ": "
		hang := indent + strings.Repeat(" ", utf8.RuneCountInString(label))
		prefix := indent + label
		for _, l := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
			t.lines(wrap(line(plain(l)), prefix, hang))
			prefix = hang
		}
	}
}

func (t textWriter) lines(ls []string) {
	for _, l := range ls {
		t.emit(l)
	}
}

// table aligns every column but the last, which wraps under itself.
func (t textWriter) table(indent string, tb table) {
	n := len(tb.head)
	widths := make([]int, n)
	for i, h := range tb.head {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, row := range tb.rows {
		for i := 0; i < n-1 && i < len(row); i++ {
			widths[i] = max(widths[i], utf8.RuneCountInString(terminal(row[i]).String()))
		}
	}
	cell := func(i int, s string) string {
		pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s))
		if i < len(tb.right) && tb.right[i] {
			return pad + s
		}
		return s + pad
	}
	lead := func(cells []string) string {
		var b strings.Builder
		b.WriteString(indent)
		for i := 0; i < n-1; i++ {
			b.WriteString(cell(i, cells[i]))
			b.WriteString("  ")
		}
		return b.String()
	}
	head := lead(tb.head)
	t.emit(head + tb.head[n-1])
	hang := strings.Repeat(" ", utf8.RuneCountInString(head))
	for _, row := range tb.rows {
		cells := make([]string, n)
		for i := 0; i < n && i < len(row); i++ {
			cells[i] = terminal(row[i]).String()
		}
		var last inline
		if n-1 < len(row) {
			last = row[n-1]
		}
		t.lines(wrap(last, lead(cells), hang))
	}
}

// terminal is in with every span's text passed through textsafe.Terminal:
// the report is read in terminals and pasted into chats, and its text
// carries the feed's and servers' strings (a verbatim block is split into
// lines first, so its line breaks stay).
func terminal(in inline) inline {
	out := make(inline, len(in))
	for i, s := range in {
		s.text = textsafe.Terminal(s.text)
		out[i] = s
	}
	return out
}

// nbsp stands in for the spaces inside a keep span while wrapping.
const nbsp = '\u00a0'

// wrap breaks text into lines of at most textWidth columns: the first starts
// with prefix, the rest with hang. Lines break only at spaces (a word longer
// than a whole line is cut, the one case where a line would otherwise run
// over), so text such as an error message reads back exactly.
func wrap(text inline, prefix, hang string) []string {
	var b strings.Builder
	for _, s := range terminal(text) {
		if s.keep {
			b.WriteString(strings.ReplaceAll(s.text, " ", string(nbsp)))
		} else {
			b.WriteString(s.text)
		}
	}
	restore := func(s string) string { return strings.TrimRight(strings.ReplaceAll(s, string(nbsp), " "), " ") }
	words := strings.Split(b.String(), " ")
	width := utf8.RuneCountInString
	var out []string
	cur, bare := prefix, true // bare: cur holds only the prefix or hang
	for _, w := range words {
		if !bare {
			if width(cur)+1+width(w) <= textWidth {
				cur += " " + w
				continue
			}
			out = append(out, restore(cur))
			cur, bare = hang, true
			if w == "" {
				continue // a second space at the break
			}
		}
		// A word wider than the room left on an empty line is cut.
		for room := textWidth - width(cur); width(w) > room && room > 0; room = textWidth - width(cur) {
			r := []rune(w)
			out = append(out, restore(cur+string(r[:room])))
			w, cur = string(r[room:]), hang
		}
		cur, bare = cur+w, false
	}
	return append(out, restore(cur))
}
