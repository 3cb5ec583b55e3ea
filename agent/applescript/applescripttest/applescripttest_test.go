package applescripttest_test

import (
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/applescript"
	"github.com/idpulse/idpulse/agent/applescript/applescripttest"
)

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		in, lit, rest, err string
	}{
		{`"plain" after`, "plain", " after", ""},
		{`"a\"b\\c\nd\re\tf"`, "a\"b\\c\nd\re\tf", "", ""},
		{`"ends" early" x`, "ends", ` early" x`, ""},
		{`no literal`, "", "", "no string literal"},
		{`"unterminated`, "", "", "unterminated"},
		{`"bad \u00e9"`, "", "", `unknown escape \u`},
		{"\"raw\nbreak\"", "", "", "raw line break"},
		{`"trailing \`, "", "", "backslash at the end"},
	} {
		lit, rest, err := applescripttest.Cut(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Cut(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || lit != tt.lit || rest != tt.rest {
			t.Errorf("Cut(%q) = %q, %q, %v; want %q, %q", tt.in, lit, rest, err, tt.lit, tt.rest)
		}
	}
}

// FuzzRoundTrip: whatever applescript.String quotes, Cut reads back
// exactly, with nothing after it.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"", `say "hi"`, "a\\b", "line\nbreak\r\ttab", "é ✓ \u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit, rest, err := applescripttest.Cut(applescript.String(s))
		if err != nil || lit != s || rest != "" {
			t.Fatalf("Cut(String(%q)) = %q, %q, %v", s, lit, rest, err)
		}
	})
}
