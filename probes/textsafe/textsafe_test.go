package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerminal(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "iCloud Mail", "iCloud Mail"},
		{"unicode kept", "App Store – Störung ✓ 🍎 日本", "App Store – Störung ✓ 🍎 日本"},
		{"zwj emoji kept", "👩\u200d💻", "👩\u200d💻"},
		{"OSC 52 clipboard, BEL", "a\x1b]52;c;cm0gLXJmIH4=\x07b", "ab"},
		{"OSC 52 clipboard, ST", "a\x1b]52;c;cm0gLXJmIH4=\x1b\\b", "ab"},
		{"clear screen", "\x1b[2Jhello", "hello"},
		{"CSI with params", "\x1b[1;31mred\x1b[0m", "red"},
		{"OSC 8 hidden link", "\x1b]8;;http://x\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"OSC title", "\x1b]0;pwned\x07Apple ID", "Apple ID"},
		{"DCS", "x\x1bPq#0;2;0;0;0\x1b\\y", "xy"},
		{"APC PM SOS", "a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d", "abcd"},
		{"two-char ESC", "a\x1bcb\x1b7c\x1b(Bd", "abcd"},
		{"unterminated OSC hides the rest", "ok\x1b]8;;http://evil/secret", "ok"},
		{"unterminated CSI", "ok\x1b[12;", "ok"},
		{"lone ESC at end", "ok\x1b", "ok"},
		{"8-bit CSI", "a\u009b2Jb", "ab"},
		{"8-bit OSC to ST", "a\u009d52;c;eA==\u009cb", "ab"},
		{"8-bit OSC to BEL", "a\u009d0;t\u0007b", "ab"},
		{"C1 dropped", "a\u0080\u0085b\u009f", "a b"},
		{"BEL DEL NUL", "a\x07b\x7fc\x00d", "abcd"},
		{"backspace overstrike", "safe\x08\x08\x08\x08evil", "safeevil"},
		{"carriage return overwrite", "Available\rOutage", "Available Outage"},
		{"newline becomes a space", "line1\nline2\r\n", "line1 line2 "},
		{"CR LF LF", "a\r\n\nb", "a  b"},
		{"tab becomes a space", "a\tb", "a b"},
		{"LS PS", "a\u2028b\u2029c", "a b c"},
		{"RLO", "\u202egnp.exe", "gnp.exe"},
		{"all embeddings and overrides", "\u202aa\u202bb\u202cc\u202dd\u202ee", "abcde"},
		{"isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"invalid UTF-8", "a\xffb\xc3", "ab"},
		{"literal U+FFFD kept", "a\ufffdb", "a\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Terminal(tt.in); got != tt.want {
				t.Errorf("Terminal(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Apple ID", "Apple ID"},
		{"newline cannot start a heading", "ok\n# Everything is fine", `ok \# Everything is fine`},
		{"newline cannot start a list", "ok\n- fake step", "ok - fake step"},
		{"leading heading", "# big", `\# big`},
		{"leading list", "- item", `\- item`},
		{"leading plus", "+ item", `\+ item`},
		{"leading setext", "===", `\===`},
		{"leading ordered end", "3.", `3\.`},
		{"leading ordered", "1. step", `1\. step`},
		{"leading ordered paren", "12) step", `12\) step`},
		{"number mid-text", "see 1. above", "see 1. above"},
		{"quote", "> quoted", `\> quoted`},
		{"link", "[Apple](http://evil)", `\[Apple\](http://evil)`},
		{"image", "![x](http://evil/p.png)", `!\[x\](http://evil/p.png)`},
		{"ampersand as text", "iCloud Account & Sign In", "iCloud Account & Sign In"},
		{"number is not a list", "1.2 ms", "1.2 ms"},
		{"dash is not a list", "-5 s", "-5 s"},
		{"thematic break", "---", `\---`},
		{"lone dash", "-", `\-`},
		{"html", "<img src=x>", `\<img src=x\>`},
		{"entity", "&lt;b&gt;", `\&lt;b\&gt;`},
		{"emphasis and code", "*a* _b_ `c` ~d~", "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~"},
		{"table pipe", "a|b", `a\|b`},
		{"escape itself", `a\b`, `a\\b`},
		{"terminal first", "\x1b[2J\u202e# x", `\# x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Markdown(tt.in); got != tt.want {
				t.Errorf("Markdown(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNotificationBody(t *testing.T) {
	tests := []struct {
		name, in string
		markup   bool
		want     string
	}{
		{"plain", "Can't reach Apple ID", true, "Can't reach Apple ID"},
		{"link with markup", `<a href="http://evil">Apple</a>`, true, `&lt;a href="http://evil"&gt;Apple&lt;/a&gt;`},
		{"image with markup", `<img src="http://evil/t.png"/>`, true, `&lt;img src="http://evil/t.png"/&gt;`},
		{"ampersand with markup", "AT&T", true, "AT&amp;T"},
		{"no markup: text as is", "<b>AT&T</b>", false, "<b>AT&T</b>"},
		{"controls either way", "a\x1b]52;c;eA==\x07\u202eb", false, "ab"},
		{"controls and markup", "<i>\x1b[2J</i>", true, "&lt;i&gt;&lt;/i&gt;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NotificationBody(tt.in, tt.markup); got != tt.want {
				t.Errorf("NotificationBody(%q, %v) = %q, want %q", tt.in, tt.markup, got, tt.want)
			}
		})
	}
}

// unsafeRune reports the first rune of s a terminal could act on, for tests.
func unsafeRune(s string) (rune, bool) {
	for _, r := range s {
		if isControl(r) || isBidi(r) || isLineBreak(r) {
			return r, true
		}
	}
	return 0, false
}

func FuzzTerminal(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;eA==\x07", "\x1b[2J", "\x1b]8;;http://x\x1b\\", "\u202e", "\u009d0;x\u009c", "a\xff\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, out := range map[string]string{
			"Terminal":         Terminal(s),
			"Markdown":         Markdown(s),
			"NotificationBody": NotificationBody(s, true),
		} {
			if r, bad := unsafeRune(out); bad {
				t.Fatalf("%s(%q) = %q keeps %U", name, s, out, r)
			}
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not UTF-8", name, s, out)
			}
		}
		if once := Terminal(s); Terminal(once) != once {
			t.Fatalf("Terminal is not idempotent on %q: %q then %q", s, once, Terminal(once))
		}
		if strings.ContainsAny(NotificationBody(s, true), "<>") {
			t.Fatalf("NotificationBody(%q, true) keeps markup", s)
		}
	})
}
