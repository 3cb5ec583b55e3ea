package report

import (
	"strings"
)

// The report is built once as blocks, then written as text or markdown, so
// the two formats cannot drift apart in what they say.

// span is a run of inline text.
type span struct {
	text   string
	code   bool // a value to copy as is (host, address, id): `code` in markdown
	strong bool
	keep   bool // never broken across lines ("✓ link" in the chain)
}

type inline []span

func plain(s string) span  { return span{text: s} }
func code(s string) span   { return span{text: s, code: true} }
func strong(s string) span { return span{text: s, strong: true} }
func keep(s string) span   { return span{text: s, keep: true} }

func line(spans ...span) inline { return spans }

func (in inline) String() string {
	var b strings.Builder
	for _, s := range in {
		b.WriteString(s.text)
	}
	return b.String()
}

type block interface{ isBlock() }

type heading struct {
	level int // 1 title, 2 section, 3 probe
	text  inline
	// id names a section the HTML page places or links to ("" for most).
	id string
}

// The sections the HTML page places itself.
const (
	sectionSystem    = "system"
	sectionVerdict   = "verdict"
	sectionFindings  = "findings"
	sectionIncidents = "incidents"
	sectionSteps     = "steps"
)

func section(id, title string) heading { return heading{level: 2, text: line(plain(title)), id: id} }

type para struct{ text inline }

// fields are "key: value" rows, keys aligned in text.
type fields struct{ rows []field }

type field struct {
	key   string
	value inline
}

type list struct{ items []item }

type item struct {
	mark string // "•" when empty
	text inline
	sub  []block
}

type table struct {
	head  []string
	right []bool // right-aligned columns
	rows  [][]inline
}

// verbatim is exact text (an error message): never reworded, fenced in
// markdown, only wrapped at spaces in text.
type verbatim struct {
	label string
	text  string
}

func (heading) isBlock()  {}
func (para) isBlock()     {}
func (fields) isBlock()   {}
func (list) isBlock()     {}
func (table) isBlock()    {}
func (verbatim) isBlock() {}

// fieldsOf drops rows whose value is empty, so optional facts cost nothing.
func fieldsOf(rows ...field) block {
	var kept []field
	for _, r := range rows {
		if strings.TrimSpace(r.value.String()) != "" {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return fields{rows: kept}
}

func f(key string, value ...span) field { return field{key: key, value: value} }

// blocks collects non-nil blocks.
type blocks []block

func (bs *blocks) add(b ...block) {
	for _, x := range b {
		if x != nil {
			*bs = append(*bs, x)
		}
	}
}

func errorBlock(label, text string) block {
	if text == "" {
		return nil
	}
	return verbatim{label: label, text: text}
}
