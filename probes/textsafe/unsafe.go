package textsafe

// Unsafe returns the first rune in s that a terminal would act on instead
// of showing (ESC, BEL, DEL, C0 and C1 controls but the newline, bidi
// overrides and isolates): what Terminal removes. Tests of every renderer
// use it to prove nothing got through.
func Unsafe(s string) (rune, bool) {
	for _, r := range s {
		if r == 0x1b || r == 0x07 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r < 0x20 && r != '\n') ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return r, true
		}
	}
	return 0, false
}
