package report

import (
	"os"
	"os/user"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/idpulse/idpulse/probes"
)

// Placeholders that replace personal details. They are what a reader of a
// redacted report sees, so they say what was there.
const (
	PlaceholderUser     = "<user>"
	PlaceholderHome     = "~"
	PlaceholderComputer = "<computer>"
	PlaceholderSerial   = "<serial>"
	PlaceholderMAC      = "<mac>"
)

// Redactor removes what identifies the user or the Mac from text that is
// about to be shared with Apple Support, while keeping everything support
// needs: Apple's host names, IP addresses, error codes, verdict and fix ids.
type Redactor struct {
	User     string // login name ("jappleseed")
	FullName string // optional: "Johnny Appleseed"
	Home     string // home directory ("/Users/jappleseed")
	Hostname string // os.Hostname(): "Johnnys-MacBook-Pro.local"
	// Serials are serial numbers to remove wherever they appear. Serial-like
	// strings are also removed without being listed when they follow the word
	// "serial".
	Serials []string
}

// SystemRedactor describes the current user and machine. The serial number
// and macOS's full name need an exec (ioreg, id); WithSystem adds them from
// the check's system probe and the user record. Whatever cannot be read stays empty and that
// rule is simply skipped; the generic rules (MAC addresses, *.local names,
// "Name's-MacBook-Pro" names, serials after "serial") always apply.
func SystemRedactor() Redactor {
	return systemRedactor(user.Current, os.UserHomeDir, os.Hostname)
}

func systemRedactor(current func() (*user.User, error), home func() (string, error), hostname func() (string, error)) Redactor {
	var r Redactor
	if u, err := current(); err == nil {
		r.User = u.Username
		// Windows reports DOMAIN\name.
		if i := strings.LastIndexByte(r.User, '\\'); i >= 0 {
			r.User = r.User[i+1:]
		}
		r.FullName = u.Name
		r.Home = u.HomeDir
	}
	// $HOME is what paths in errors are built from when it differs.
	if h, err := home(); err == nil && h != "" {
		r.Home = h
	}
	if h, err := hostname(); err == nil {
		r.Hostname = h
	}
	return r
}

// String returns s with personal details replaced:
//
//   - the home directory (any case, followed by "/" or the end of a path) → "~"
//   - the user name and full name, as whole words, any case → "<user>"
//   - the host name in full and without its domain, the computer name it
//     was derived from ("Johnny's MacBook Pro" for Johnnys-MacBook-Pro),
//     any *.local name and any "Name-MacBook-Pro"-style name → "<computer>"
//   - the listed serials, and 10–12 character serials with a digit after
//     the word "serial", any case → "<serial>"
//   - MAC addresses, aa:bb:cc:dd:ee:ff (macOS drops leading zeros),
//     AA-BB-CC-DD-EE-FF, aabb.ccdd.eeff, URL-encoded (a4%3A83%3A…) and twelve
//     bare hex digits after a label (mac=, BSSID:), any case → "<mac>"
//   - the interface id of an IPv6 address made from the MAC (EUI-64),
//     keeping the /64 prefix
//   - every value of a URL's query and its fragment → "<redacted>", keys kept
//   - e-mail addresses → "<email>" ("<user>@icloud.com" for Apple's domains)
//   - labelled SSIDs (SSID:, ssid=, "ssid":) → "<ssid>"
//   - random-looking values after token=, session=, sid=, key=, … and
//     Bearer → "<redacted>"
//
// Names are matched in URL-encoded text too (Johnny%20Appleseed,
// Johnny+Appleseed, %2FUsers%2Fjappleseed). Names of Apple's domains
// (appleid.apple.com, *.icloud.com, …) and IPv4 addresses are never touched
// by the name rules, even when a user or host name happens to occur in them;
// the shape rules above run first, over everything. Names shorter than 3 characters and system accounts (root,
// nobody, …) are not redacted: replacing them would mangle ordinary words
// and they identify nobody.
func (r Redactor) String(s string) string {
	return r.compile().apply(s)
}

// redactor is a Redactor with its patterns compiled, for redacting many
// strings (a whole report) at the cost of compiling once.
type redactor struct {
	serials []*regexp.Regexp
	home    *regexp.Regexp
	hosts   []*regexp.Regexp
	users   []*regexp.Regexp
}

var (
	// appleNames are protected: support needs them verbatim. The hosts
	// probe's Apple domains plus the other domains Apple's services use.
	appleNames = lazyRegexp(`(?i)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*(?:` +
		strings.Join(quoteAll(append(probes.DefaultConfig().AppleDomains,
			"apple-dns.net", "aaplimg.com", "apple.news", "me.com", "mac.com", "itunes.com", "apple-livephotoskit.com")), "|") +
		`)\b`)
	ipv4 = lazyRegexp(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)

	macColon = lazyRegexp(`[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}`)
	macDash  = lazyRegexp(`[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}`)
	// serialAfter is "serial", optionally "number"/"no"/"#" and a
	// parenthesised qualifier ("Serial Number (system):", ioreg's
	// "IOPlatformSerialNumber" = "…"), then the serial itself, upper case.
	// Any case: a pasted or lower-cased serial is still the Mac's. A word
	// after "serial" ("serial connection") has no digit and is kept.
	serialAfter = lazyRegexp(`(?i)serial(?:[ _-]?(?:number|num|no\.?|#))?(?:\s*\([^)]{0,20}\))?[\s"'=:#]*([a-z0-9]{10,12})\b`)
	dotLocal    = lazyRegexp(`(?i)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.local\b`)
	macStyle    = lazyRegexp(`(?i)[a-z0-9][a-z0-9-]*-(?:macbook(?:-pro|-air)?|imac(?:-pro)?|mac-mini|mac-pro|mac-studio|mbp|mba)(?:-\d+)?\b`)
)

// lazyRegexp compiles expr on first use. The patterns above are some
// 200 KB and 1,400 allocations of compiled state: compiled at package init
// they would sit in every idpulse process, the menu bar agent included,
// which redacts only when a report is asked for.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// systemAccounts are never redacted: "root" also means a root certificate.
var systemAccounts = []string{"root", "daemon", "nobody", "user", "system", "localhost"}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = regexp.QuoteMeta(s)
	}
	return out
}

// word reports whether a name worth redacting remains after trimming.
func word(s string) bool {
	s = strings.TrimSpace(s)
	return utf8.RuneCountInString(s) >= 3 && !slices.Contains(systemAccounts, strings.ToLower(s))
}

func (r Redactor) compile() *redactor {
	c := &redactor{}
	for _, s := range r.Serials {
		if s = strings.TrimSpace(s); len(s) >= 4 {
			c.serials = append(c.serials, regexp.MustCompile(`(?i)`+regexp.QuoteMeta(s)))
		}
	}
	if h := strings.TrimRight(r.Home, `/\`); len(h) > 1 {
		// Also URL-encoded: file URLs and redirect targets carry %2F.
		c.home = regexp.MustCompile(`(?i)` + strings.ReplaceAll(regexp.QuoteMeta(h), "/", `(?:/|%2F)`))
	}
	host := strings.TrimSuffix(strings.TrimSpace(r.Hostname), ".")
	if word(host) && !strings.EqualFold(host, "localhost.localdomain") {
		c.hosts = append(c.hosts, regexp.MustCompile(`(?i)`+regexp.QuoteMeta(host)))
		short, _, _ := strings.Cut(host, ".")
		if short != host && word(short) {
			c.hosts = append(c.hosts, regexp.MustCompile(`(?i)`+regexp.QuoteMeta(short)))
		}
		if words := strings.Split(short, "-"); len(words) > 1 {
			// macOS makes the host name from the computer name by dropping
			// apostrophes and turning spaces into dashes; undo that.
			pat := make([]string, len(words))
			for i, w := range words {
				if len(w) > 2 && strings.HasSuffix(strings.ToLower(w), "s") {
					pat[i] = regexp.QuoteMeta(w[:len(w)-1]) + `['’]?s`
				} else {
					pat[i] = regexp.QuoteMeta(w)
				}
			}
			c.hosts = append(c.hosts, regexp.MustCompile(`(?i)`+strings.Join(pat, `[\s_-]+`)))
		}
	}
	for _, u := range []string{r.FullName, r.User} {
		if word(u) {
			// The words of a full name may be joined by blanks or, in
			// URL-encoded text, by "+" or "%20".
			words := strings.Fields(u)
			for i, w := range words {
				words[i] = regexp.QuoteMeta(w)
			}
			c.users = append(c.users, regexp.MustCompile(`(?i)`+strings.Join(words, `(?:\s+|\+|%20|%C2%A0)+`)))
		}
	}
	return c
}

// apply redacts s outside the protected spans (Apple names, IPv4 addresses).
func (c *redactor) apply(s string) string {
	if s == "" {
		return s
	}
	s = redactNetwork(s)
	var protected [][]int
	for _, re := range []*regexp.Regexp{appleNames(), ipv4()} {
		protected = append(protected, matches(s, re, hostBounded)...)
	}
	if len(protected) == 0 {
		return c.redact(s)
	}
	slices.SortFunc(protected, func(a, b []int) int { return a[0] - b[0] })
	var b strings.Builder
	pos := 0
	for _, p := range protected {
		if p[0] < pos { // overlapping spans: the earlier one already covers it
			p = []int{pos, max(pos, p[1])}
		}
		b.WriteString(c.redact(s[pos:p[0]]))
		b.WriteString(s[p[0]:p[1]])
		pos = p[1]
	}
	b.WriteString(c.redact(s[pos:]))
	return b.String()
}

func (c *redactor) redact(s string) string {
	if s == "" {
		return s
	}
	for _, re := range c.serials {
		s = replace(s, re, alnumBounded, func(string) string { return PlaceholderSerial })
	}
	s = replace(s, serialAfter(), nil, func(m string) string {
		return replaceGroups(serialAfter(), m, func(v string) string {
			if !strings.ContainsAny(v, "0123456789") {
				return v
			}
			return PlaceholderSerial
		})
	})
	if c.home != nil {
		s = replace(s, c.home, homeBounded, func(string) string { return PlaceholderHome })
	}
	for _, re := range c.hosts {
		s = replace(s, re, labelBounded, func(string) string { return PlaceholderComputer })
	}
	s = replace(s, dotLocal(), hostBounded, func(string) string { return PlaceholderComputer })
	s = replace(s, macStyle(), labelBounded, func(string) string { return PlaceholderComputer })
	for _, re := range c.users {
		s = replace(s, re, encodedWordBounded, func(string) string { return PlaceholderUser })
	}
	return s
}

// bounded reports whether s[start:end] is a match that stands on its own.
type bounded func(s string, start, end int) bool

// matches are the accepted matches of re in s. A rejected match does not hide
// one that starts inside it: the search resumes one character later.
func matches(s string, re *regexp.Regexp, ok bounded) [][]int {
	var out [][]int
	for pos := 0; pos <= len(s); {
		loc := re.FindStringIndex(s[pos:])
		if loc == nil {
			break
		}
		start, end := pos+loc[0], pos+loc[1]
		if end > start && (ok == nil || ok(s, start, end)) {
			out = append(out, []int{start, end})
			pos = end
			continue
		}
		_, size := utf8.DecodeRuneInString(s[start:])
		pos = start + max(size, 1)
	}
	return out
}

func replace(s string, re *regexp.Regexp, ok bounded, repl func(string) string) string {
	ms := matches(s, re, ok)
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	pos := 0
	for _, m := range ms {
		b.WriteString(s[pos:m[0]])
		b.WriteString(repl(s[m[0]:m[1]]))
		pos = m[1]
	}
	b.WriteString(s[pos:])
	return b.String()
}

func before(s string, i int) rune {
	if i <= 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func after(s string, i int) rune {
	if i >= len(s) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordBounded: a whole word, where "_" joins words (dns_filtered is one
// word, so a user called "dns" leaves it alone).
func wordBounded(s string, start, end int) bool {
	w := func(r rune) bool { return isAlnum(r) || r == '_' }
	return !w(before(s, start)) && !w(after(s, end))
}

// encodedWordBounded: a whole word where an escape ("%2F", "%20") before it
// is a separator, as it is once the text is decoded.
func encodedWordBounded(s string, start, end int) bool {
	if start >= 3 && s[start-3] == '%' && isHex(s[start-2]) && isHex(s[start-1]) {
		return !isWord(after(s, end))
	}
	return wordBounded(s, start, end)
}

func isWord(r rune) bool { return isAlnum(r) || r == '_' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func alnumBounded(s string, start, end int) bool {
	return !isAlnum(before(s, start)) && !isAlnum(after(s, end))
}

// hostBounded: a whole DNS name, not part of a longer one.
func hostBounded(s string, start, end int) bool {
	h := func(r rune) bool { return isAlnum(r) || r == '-' || r == '_' }
	b, a := before(s, start), after(s, end)
	if h(b) || b == '.' || h(a) {
		return false
	}
	// "name.local.example.com" continues the name; "name." ends a sentence.
	return a != '.' || !isAlnum(after(s, end+1))
}

// labelBounded: whole DNS labels; the computer's name followed by another
// domain ("Johnnys-MacBook-Pro.fritz.box") is still the computer's name.
func labelBounded(s string, start, end int) bool {
	h := func(r rune) bool { return isAlnum(r) || r == '-' || r == '_' }
	return !h(before(s, start)) && !h(after(s, end))
}

// homeBounded: the home directory itself, not /Users/jappleseed2.
func homeBounded(s string, start, end int) bool {
	a := after(s, end)
	return !isAlnum(a) && a != '-' && a != '_' && a != '.' || a == '.' && !isAlnum(after(s, end+1))
}

// macBounded: six groups exactly. A longer run of hex groups is an IPv6
// address (2001:db8:1:2:3:4:5:6, fe80::1:2:3:4:5:6), which is not redacted.
func macBounded(s string, start, end int) bool {
	hex := func(r rune) bool { return unicode.Is(unicode.ASCII_Hex_Digit, r) }
	sep := func(r rune) bool { return r == ':' || r == '-' }
	b, a := before(s, start), after(s, end)
	if hex(b) || hex(a) || isAlnum(b) || isAlnum(a) {
		return false
	}
	if sep(b) && hex(before(s, start-1)) || sep(b) && before(s, start-1) == ':' {
		return false
	}
	return !(sep(a) && (hex(after(s, end+1)) || after(s, end+1) == ':'))
}
