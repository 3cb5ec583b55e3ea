package applescript

import "testing"

func TestString(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Apple ID", `"Apple ID"`},
		{"empty", "", `""`},
		{"double quotes", `say "hi"`, `"say \"hi\""`},
		{"backslash", `C:\path\`, `"C:\\path\\"`},
		{"escaped quote cannot end the literal", `\" & do shell script "id" & "\`,
			`"\\\" & do shell script \"id\" & \"\\"`},
		{"line breaks and tab", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"shell syntax is just text", "$(id) `id` 'x'", "\"$(id) `id` 'x'\""},
		{"other control characters kept", "a\x07\x1bb", "\"a\x07\x1bb\""},
		{"non-ASCII literal, not \\u escapes", "Café 東京 ✓ «data» ¬", `"Café 東京 ✓ «data» ¬"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
