package textsafe

import (
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"Apple ID server", 9, "Apple ID…"},
		{"one two three", 9, "one two…"}, // no space before the mark
		{"Störung überall", 8, "Störung…"},
		{"🍎🍎🍎🍎", 3, "🍎🍎…"},
		{"anything", 1, "…"},
		{"anything", 0, ""},
	} {
		got := Truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if utf8.RuneCountInString(got) > tt.max {
			t.Errorf("Truncate(%q, %d) = %q: longer than %d characters", tt.in, tt.max, got, tt.max)
		}
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"0123456789ab", 10, "0123456…"},
		{"ééééééé", 10, "ééé…"}, // 14 bytes; a cut never splits a character
		{"0123456789", 3, "…"},
		{"0123456789", 2, ""},
	} {
		got := Clip(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if len(got) > tt.max || !utf8.ValidString(got) {
			t.Errorf("Clip(%q, %d) = %q: over %d bytes or split a character", tt.in, tt.max, got, tt.max)
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
