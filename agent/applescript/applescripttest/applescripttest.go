// Package applescripttest reads back what agent/applescript writes, for the
// tests that must prove what AppleScript will see: the notification script
// (agent/notify) and the administrator prompt (agent/fixes).
package applescripttest

import (
	"errors"
	"fmt"
	"strings"
)

// Cut reads one string literal at the start of s by AppleScript's rules
// and returns its value and what follows it. It is strict where AppleScript
// is: \\ \" \n \r \t are the only escapes, the first unescaped quote ends
// the literal, and a raw line break inside one ends the script line, so
// each is an error here. A literal that ends early — quoting that let a
// quote through — shows as rest starting somewhere the caller did not
// expect.
func Cut(s string) (lit, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, fmt.Errorf("no string literal at %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			i++
			if i == len(s) {
				return "", s, errors.New("backslash at the end of the script")
			}
			switch s[i] {
			case '\\', '"':
				b.WriteByte(s[i])
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				return "", s, fmt.Errorf("unknown escape \\%c", s[i])
			}
		case '\n', '\r':
			return "", s, errors.New("raw line break in a string literal")
		default:
			b.WriteByte(c)
		}
	}
	return "", s, errors.New("unterminated string literal")
}
