package textsafe

import (
	"testing"
	"unicode/utf8"
)

// TestCuts: Truncate counts characters, Clip bytes; both mark a cut with
// "…" inside the limit and never split a character.
func TestCuts(t *testing.T) {
	type cut struct {
		in   string
		max  int
		want string
	}
	for _, fn := range []struct {
		name  string
		cut   func(string, int) string
		size  func(string) int
		cases []cut
	}{
		{"Truncate", Truncate, utf8.RuneCountInString, []cut{
			{"short", 10, "short"},
			{"exactly ten", 11, "exactly ten"},
			{"Apple ID server", 9, "Apple ID…"},
			{"one two three", 9, "one two…"}, // no space before the mark
			{"Störung überall", 8, "Störung…"},
			{"🍎🍎🍎🍎", 3, "🍎🍎…"},
			{"anything", 1, "…"},
			{"anything", 0, ""},
		}},
		{"Clip", Clip, func(s string) int { return len(s) }, []cut{
			{"short", 10, "short"},
			{"exactly10!", 10, "exactly10!"},
			{"0123456789ab", 10, "0123456…"},
			{"ééééééé", 10, "ééé…"}, // 14 bytes
			{"0123456789", 3, "…"},
			{"0123456789", 2, ""},
		}},
	} {
		for _, c := range fn.cases {
			got := fn.cut(c.in, c.max)
			if got != c.want {
				t.Errorf("%s(%q, %d) = %q, want %q", fn.name, c.in, c.max, got, c.want)
			}
			if fn.size(got) > c.max || !utf8.ValidString(got) {
				t.Errorf("%s(%q, %d) = %q: over the limit or a split character", fn.name, c.in, c.max, got)
			}
		}
	}
}

func FuzzClip(f *testing.F) {
	f.Add("ééééééé", 10)
	f.Add("🍎 and more", 5)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = int(uint(max) % 64)
		got := Clip(s, max)
		if len(s) <= max && got != s {
			t.Fatalf("Clip(%q, %d) = %q: cut what fit", s, max, got)
		}
		if len(s) > max && len(got) > max {
			t.Fatalf("Clip(%q, %d) = %q: %d bytes", s, max, got, len(got))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Clip(%q, %d) = %q split a character", s, max, got)
		}
	})
}
