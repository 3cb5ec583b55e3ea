package textsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ellipsis marks every cut, so a reader knows the text went on.
const ellipsis = "…"

// Truncate cuts s to at most max characters, the "…" that marks the cut
// included, without white space before the mark: for what people read
// (notification titles and bodies), where the limit is one of characters.
func Truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	r := []rune(s)[:max-1]
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + ellipsis
}

// Clip cuts s to at most max bytes, the "…" that marks the cut included,
// on a character boundary: for what is stored or logged (the state file's
// fields, a command's output in the log, input quoted in an error), where
// the limit is one of size.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len(ellipsis)
	if cut < 0 {
		return ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}
