// Package applescript writes AppleScript source text. It has one job,
// quoting: the notification script (agent/notify) and the administrator
// prompt (agent/fixes) both put untrusted text inside a string literal, and
// both must quote it by AppleScript's rules, not Go's (%q emits \u and \x
// escapes AppleScript does not know).
package applescript

import "strings"

// escaper is read-only after initialisation (a Replacer is safe for
// concurrent use).
var escaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)

// String returns s as one AppleScript string literal, quotes included.
// Only backslash and double quote are special inside a literal, so they are
// escaped and nothing in s can end it; line breaks and tabs are written as
// \n \r \t so the script stays on one line. Every other rune is kept as it
// is, so decoding the literal gives back exactly s: callers that show text
// (notifications) drop what they do not want shown before quoting, callers
// that run it (do shell script) need it byte for byte.
func String(s string) string { return `"` + escaper.Replace(s) + `"` }
