// Package textsafe makes untrusted text safe to show: Apple's status feed
// (service names, messages, usersAffected, the HTTP reason phrase) and
// server errors reach terminals, markdown reports, menus and notifications.
//
// A terminal obeys escape sequences in what it prints: ESC [2J clears the
// screen, OSC 52 writes the clipboard, OSC 8 hides a link behind any text,
// and bidi overrides make text read differently from what it is. Markdown
// reads line structure and link syntax; notification servers that announce
// "body-markup" read <a> and <img>. Each function here removes what its
// sink would obey and keeps every printable character.
//
// It lives under probes, where the feed text is born, so that probes and
// agent alike can use it; it imports nothing of idpulse.
package textsafe

import (
	"strings"
	"unicode/utf8"
)

// Terminal returns s with nothing a terminal would act on: C0 and C1
// controls, DEL, whole escape sequences (CSI, OSC, DCS, SOS, PM, APC, in
// 7-bit and 8-bit form, terminated or not), bidi embeddings, overrides and
// isolates, and invalid UTF-8 are dropped. Line breaks (CRLF counting as
// one) and tabs become one space each, so the text stays on the line it was
// given: untrusted text is always a field inside idpulse's own layout.
// Printable Unicode is kept.
func Terminal(s string) string {
	if clean(s) {
		return s // the common case costs no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			i++ // an invalid byte: nothing to show
			continue
		case r == esc:
			i += escapeLen(s[i:])
			continue
		case isStringIntroducer(r):
			i += size + stringBodyLen(s[i+size:])
			continue
		case r == csi8:
			i += size + csiBodyLen(s[i+size:])
			continue
		case r == '\r' && strings.HasPrefix(s[i+1:], "\n"):
			// CRLF is one line break: the LF writes its space
		case isLineBreak(r):
			b.WriteByte(' ')
		case isControl(r) || isBidi(r):
			// dropped
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Markdown is Terminal, then escaped so that the text is one inline run:
// line breaks are spaces already, so nothing can start a new block; what
// would start a block at the beginning of a line (a heading, a quote, a list
// item, a thematic break or setext underline) and every character that
// formats inline text, makes a link or an HTML tag, or starts an entity is
// backslash-escaped. Each call's text is taken as possibly starting a line.
func Markdown(s string) string {
	s = Terminal(s)
	var b strings.Builder
	b.Grow(len(s))
	if n := listMarker(s); n > 0 {
		b.WriteString(s[:n-1])
		b.WriteByte('\\')
		s = s[n-1:]
	}
	for i, r := range s {
		if strings.ContainsRune(markdownInline, r) || (r == '&' && startsEntity(s[i+1:])) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// markdownInline is what Markdown escapes anywhere. "<" matters most:
// "<user>" would otherwise vanish as an unknown HTML tag. "#" and ">" start
// a heading and a quote; "!" needs no escape, as "[" has one.
const markdownInline = "\\`*_[]<>|~#"

// listMarker is the length of the block marker s starts with, "" being none:
// "-", "+" or "=" alone, before a space, or repeated ("---", "==="); or
// digits then "." or ")" alone or before a space ("1. ", "2)").
func listMarker(s string) int {
	n := 0
	switch {
	case s == "":
		return 0
	case strings.ContainsRune("-+=", rune(s[0])):
		n = 1
		if len(s) > 1 && s[1] == s[0] {
			return 1
		}
	default:
		n = leadingDigits(s)
		if n == 0 || n == len(s) || (s[n] != '.' && s[n] != ')') {
			return 0
		}
		n++
	}
	if n == len(s) || s[n] == ' ' {
		return n
	}
	return 0
}

// startsEntity reports whether "&" before s could be read as a character
// reference ("&lt;", "&#60;").
func startsEntity(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return c == '#' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// NotificationBody is Terminal, then, when the notification server
// announces the "body-markup" capability, XML-escaped: such a server reads
// the body as a subset of HTML, and <a href> or <img src> from the network
// must show as text, not become a link or fetch an image.
func NotificationBody(s string, markup bool) string {
	s = Terminal(s)
	if !markup {
		return s
	}
	return xmlEscaper.Replace(s)
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

const (
	esc  = 0x1b
	bel  = 0x07
	csi8 = 0x9b // 8-bit CSI
	st8  = 0x9c // 8-bit String Terminator
)

// clean reports whether s has nothing Terminal would change.
func clean(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || isControl(r) || isBidi(r) || isLineBreak(r) {
			return false
		}
	}
	return true
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r <= 0x9f) }

// isBidi is the explicit directional formatting characters: LRE, RLE, PDF,
// LRO, RLO (U+202A–202E) and LRI, RLI, FSI, PDI (U+2066–2069).
func isBidi(r rune) bool { return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) }

// isLineBreak is what moves the cursor or ends a line: tab, LF, VT, FF, CR,
// NEL and the Unicode line and paragraph separators.
func isLineBreak(r rune) bool {
	return (r >= '\t' && r <= '\r') || r == 0x85 || r == 0x2028 || r == 0x2029
}

// isStringIntroducer is the 8-bit DCS, SOS, OSC, PM and APC: each starts a
// control string that runs to a String Terminator.
func isStringIntroducer(r rune) bool {
	return r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f
}

// escapeLen is the length of the escape sequence at the start of s (s[0] is
// ESC), per ECMA-48: ESC [ is a CSI; ESC P, X, ], ^ and _ start a control
// string; anything else is ESC, intermediates (0x20–0x2F), one final byte.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiBodyLen(s[2:])
	case 'P', 'X', ']', '^', '_':
		return 2 + stringBodyLen(s[2:])
	}
	n := 1
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f {
		n++
	}
	if n < len(s) && s[n] >= 0x30 && s[n] <= 0x7e {
		n++ // the final byte
	}
	return n
}

// csiBodyLen is the length of a CSI's parameters, intermediates and final
// byte (0x40–0x7E). A byte outside those ends the sequence where it stands
// (terminals abort it); an unterminated CSI runs to the end.
func csiBodyLen(s string) int {
	for n := 0; n < len(s); n++ {
		switch c := s[n]; {
		case c >= 0x40 && c <= 0x7e:
			return n + 1
		case c < 0x20 || c > 0x3f:
			return n
		}
	}
	return len(s)
}

// stringBodyLen is the length of a control string's body and terminator:
// ST (ESC \ or 8-bit U+009C) or, as xterm accepts for OSC, BEL. A string
// without one runs to the end of s: what follows an unterminated OSC 8 is
// the hidden part, not text to show.
func stringBodyLen(s string) int {
	for n := 0; n < len(s); {
		r, size := utf8.DecodeRuneInString(s[n:])
		switch {
		case r == bel || r == st8:
			return n + size
		case r == esc:
			if n+1 < len(s) && s[n+1] == '\\' {
				return n + 2
			}
			return n // another sequence starts: it is stripped on its own
		}
		n += size
	}
	return len(s)
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
