package report

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode"
)

// Placeholders of the network rules.
const (
	PlaceholderRedacted = "<redacted>"
	PlaceholderSSID     = "<ssid>"
	PlaceholderEmail    = "<email>"
)

// The network rules need no names: they recognise what is personal by its
// shape or its label. They run over the whole text before Apple's names are
// protected, because a query value, a token or an e-mail address may well
// end in an Apple domain and is still personal.
var (
	// query is a URL's query: "?" then a run without blanks holding at
	// least one "=", and its fragment. Captive portals put the SSID, the
	// client's MAC, the e-mail address and session tokens there; support
	// needs the keys, never the values.
	query = lazyRegexp(`\?[^\s"'<>#?]*=[^\s"'<>#]*(?:#[^\s"'<>]*)?`)
	// fragment is a URL's fragment, after a scheme and a host.
	fragment = lazyRegexp(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>#?]*(#[^\s"'<>]+)`)

	// email: the local part, "@" (or its URL encoding) and a domain.
	email = lazyRegexp(`(?i)[a-z0-9._%+-]+(?:@|%40)((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})`)

	// ssidLabel is "SSID", "network name" or "Wi-Fi network" and a
	// separator, the value quoted or up to the end of its field.
	ssidLabel = lazyRegexp(`(?i)(?:\b(?:[a-z]+_)?ssid|\bnetwork[ _]name|\bwi-?fi[ _]network)"?\s*(?:[:=]|%3d)\s*(?:"([^"\r\n]*)"|'([^'\r\n]*)'|([^\s"',;&)\]}][^"',;&\r\n)\]}]*))`)

	// tokenLabel is a key that names a secret, a separator and a value of
	// at least 6 token characters.
	tokenLabel = lazyRegexp(`(?i)\b[a-z_-]*(?:token|session|sessid|sid|key|secret|passw(?:or)?d|cookie|ticket|nonce)"?\s*(?:[:=]|%3d)\s*"?([a-z0-9._~+/%=-]{6,})`)
	bearer     = lazyRegexp(`(?i)\b(?:bearer|basic)\s+([a-z0-9._~+/=-]{8,})`)

	// MAC addresses beyond aa:bb:cc:dd:ee:ff and aa-bb-…: Cisco's
	// aabb.ccdd.eeff, URL-encoded colons, and twelve bare hex digits after
	// a label that says it is one.
	macDots    = lazyRegexp(`(?i)\b[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}\b`)
	macEncoded = lazyRegexp(`(?i)[0-9a-f]{1,2}(?:%(?:25)?3a[0-9a-f]{1,2}){5}`)
	macLabel   = lazyRegexp(`(?i)(?:mac|bssid|ether|hwaddr|lladdr|hw[ _-]?address)[a-z_-]*"?\s*(?:[:=]|%3d)?\s*"?([0-9a-f]{12})\b`)

	// ipv6 is a candidate IPv6 address; netip decides.
	ipv6 = lazyRegexp(`(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%[a-z0-9]+)?`)
)

// redactNetwork applies the network rules to the whole of s.
func redactNetwork(s string) string {
	if a, err := netip.ParseAddr(s); err == nil && eui64(a) {
		// A value that is an address alone is a typed field (a link's
		// addresses) and must stay an address: the interface id becomes
		// ::ff:fe00:0, EUI-64's shape with an all-zero MAC.
		b := netip.PrefixFrom(a, 64).Masked().Addr().As16()
		b[11], b[12] = 0xff, 0xfe
		return netip.AddrFrom16(b).WithZone(a.Zone()).String()
	}
	s = replace(s, query(), afterURLPath, redactQuery)
	s = replace(s, fragment(), nil, func(m string) string {
		i := strings.IndexByte(m, '#')
		return m[:i+1] + PlaceholderRedacted
	})
	// MACs before labels: "BSSID: a483e7123456" is a MAC, not a session id.
	s = replace(s, macColon(), macBounded, func(string) string { return PlaceholderMAC })
	s = replace(s, macDash(), macBounded, func(string) string { return PlaceholderMAC })
	s = replace(s, macDots(), nil, func(string) string { return PlaceholderMAC })
	s = replace(s, macEncoded(), alnumBounded, func(string) string { return PlaceholderMAC })
	s = replace(s, macLabel(), nil, func(m string) string {
		return replaceGroups(macLabel(), m, func(string) string { return PlaceholderMAC })
	})
	s = replace(s, ipv6(), ipv6Bounded, redactEUI64)
	s = replace(s, email(), emailBounded, redactEmail)
	s = replace(s, ssidLabel(), nil, func(m string) string {
		return replaceGroups(ssidLabel(), m, func(v string) string {
			if strings.TrimSpace(v) == "" || placeholder(v) {
				return v
			}
			// Keep the blank and full stop that end a sentence.
			t := strings.TrimRight(v, " \t.")
			return PlaceholderSSID + v[len(t):]
		})
	})
	s = replace(s, tokenLabel(), nil, func(m string) string {
		return replaceGroups(tokenLabel(), m, func(v string) string {
			if !randomLooking(v) || placeholder(v) {
				return v
			}
			return PlaceholderRedacted
		})
	})
	s = replace(s, bearer(), nil, func(m string) string {
		return replaceGroups(bearer(), m, func(string) string { return PlaceholderRedacted })
	})
	return s
}

// replaceGroups replaces every matched capture group of m (a whole match of
// re) with f of it.
func replaceGroups(re *regexp.Regexp, m string, f func(string) string) string {
	sub := re.FindStringSubmatchIndex(m)
	if sub == nil {
		return m
	}
	var b strings.Builder
	pos := 0
	for i := 2; i+1 < len(sub); i += 2 {
		if sub[i] < 0 || sub[i] < pos {
			continue
		}
		b.WriteString(m[pos:sub[i]])
		b.WriteString(f(m[sub[i]:sub[i+1]]))
		pos = sub[i+1]
	}
	b.WriteString(m[pos:])
	return b.String()
}

// afterURLPath: a query follows a path or host, never a blank ("what? a=b").
func afterURLPath(s string, start, _ int) bool {
	b := before(s, start)
	return b != -1 && !unicode.IsSpace(b)
}

// redactQuery keeps every key of a query and replaces every non-empty value.
func redactQuery(m string) string {
	q, frag, hasFrag := strings.Cut(m[1:], "#")
	var b strings.Builder
	b.WriteByte('?')
	for i, pair := range strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' }) {
		if i > 0 {
			b.WriteByte('&')
		}
		k, v, ok := strings.Cut(pair, "=")
		b.WriteString(k)
		if ok {
			b.WriteByte('=')
			if v != "" {
				b.WriteString(PlaceholderRedacted)
			}
		}
	}
	if hasFrag {
		b.WriteByte('#')
		if frag != "" {
			b.WriteString(PlaceholderRedacted)
		}
	}
	return b.String()
}

// emailBounded: not a URL's password ("http://user:secret@proxy"), whose
// user name the name rules take and whose password idpulse never prints.
func emailBounded(s string, start, end int) bool {
	b := before(s, start)
	if isAlnum(b) || strings.ContainsRune("._%+-", b) {
		return false // inside a longer local part
	}
	if b == ':' && !strings.HasSuffix(strings.ToLower(s[:start]), "mailto:") {
		return false
	}
	return b != '/' || !strings.HasSuffix(s[:start], "//")
}

// redactEmail keeps the domain when it is Apple's (an iCloud address says
// which kind of Apple ID it is) and drops the whole address otherwise.
func redactEmail(m string) string {
	at := strings.LastIndex(m, "@")
	if at < 0 {
		at = strings.LastIndex(strings.ToLower(m), "%40")
	}
	sub := email().FindStringSubmatch(m)
	if len(sub) == 2 && appleNames().MatchString(sub[1]) && appleNames().FindString(sub[1]) == sub[1] {
		return PlaceholderUser + m[at:]
	}
	return PlaceholderEmail
}

// randomLooking tells a secret ("a8Fk20sLq9") from a word that follows a
// label in prose ("session expired", "key-exchange").
func randomLooking(v string) bool {
	if len(v) < 6 {
		return false
	}
	var digit, upper, lower bool
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		}
	}
	return digit || upper && lower
}

func ipv6Bounded(s string, start, end int) bool {
	edge := func(r rune) bool { return isAlnum(r) || r == ':' }
	b, a := before(s, start), after(s, end)
	// A dot before or a dot and a digit after make it part of something
	// longer (an IPv4-mapped tail, a version string); a dot alone ends a
	// sentence.
	return !edge(b) && b != '.' && !edge(a) && !(a == '.' && isAlnum(after(s, end+1)))
}

// redactEUI64 replaces the interface id of an IPv6 address made from the
// MAC (SLAAC's EUI-64: ff:fe in its middle) and keeps the /64 prefix,
// which says which network it is and identifies nobody.
func redactEUI64(m string) string {
	addr, zone, _ := strings.Cut(m, "%")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return m
	}
	if !eui64(a) {
		return m
	}
	p := netip.PrefixFrom(a, 64).Masked().Addr().String()
	if !strings.HasSuffix(p, "::") {
		p += ":"
	}
	if zone != "" {
		return p + PlaceholderMAC + "%" + zone
	}
	return p + PlaceholderMAC
}

// eui64 reports whether a's interface id was made from a MAC address.
func eui64(a netip.Addr) bool {
	if !a.Is6() || a.Is4In6() {
		return false
	}
	b := a.As16()
	return b[11] == 0xff && b[12] == 0xfe
}

// placeholder reports whether v is what an earlier rule left ("<redacted>").
func placeholder(v string) bool {
	for _, p := range []string{PlaceholderRedacted, PlaceholderSSID, PlaceholderEmail, PlaceholderMAC, PlaceholderUser, PlaceholderSerial, PlaceholderComputer} {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}
