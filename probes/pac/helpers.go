package pac

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// The pure halves of the standard PAC helpers. They follow the semantics of
// the JavaScript utilities Chromium (net/proxy_resolution/pac_js_library.h)
// and Firefox (netwerk/base/ascii_pac_utils.js) ship, which both descend from
// Netscape's original definitions; where they differ from those it is said.

// isPlainHostName reports a host with no domain part. Like Chromium, an IPv6
// literal (it has colons) is not a plain host name.
func isPlainHostName(host string) bool {
	return !strings.ContainsAny(host, ".:")
}

// dnsDomainIs reports whether host ends with domain: a plain, case-sensitive
// suffix test, so dnsDomainIs("www.apple.com", "apple.com") is true (no dot is
// required at the boundary, exactly as in the browsers).
func dnsDomainIs(host, domain string) bool {
	return strings.HasSuffix(host, domain)
}

// localHostOrDomainIs is true when host equals hostdom, or host is a plain
// name that is hostdom's first label ("www" matches "www.apple.com").
func localHostOrDomainIs(host, hostdom string) bool {
	return host == hostdom || strings.HasPrefix(hostdom, host+".")
}

// dnsDomainLevels counts the dots in host.
func dnsDomainLevels(host string) int {
	return strings.Count(host, ".")
}

// shExpMatch matches str against a shell expression where '*' is any run of
// characters and '?' exactly one; every other character is literal. (The
// browsers build a regular expression from it, so a '[' or '+' there is a
// regexp operator by accident; no PAC depends on that.) The match is
// case-sensitive and runs in O(len(str)·len(pattern)) at worst.
func shExpMatch(str, pattern string) bool {
	s, p := []rune(str), []rune(pattern)
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			si++
			pi++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			mark++
			si, pi = mark, star+1
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// parseDottedQuad parses the only IPv4 form the browsers' isInNet accepts:
// four decimal parts of at most three digits, each ≤ 255.
func parseDottedQuad(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return netip.Addr{}, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p[0] == '+' || p[0] == '-' {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}

// inNet reports whether addr & mask == pattern & mask, all IPv4. A pattern or
// mask that is not a dotted quad, or an IPv6 addr, never matches.
func inNet(addr netip.Addr, pattern, mask string) bool {
	pat, ok1 := parseDottedQuad(pattern)
	m, ok2 := parseDottedQuad(mask)
	addr = addr.Unmap()
	if !ok1 || !ok2 || !addr.Is4() {
		return false
	}
	a, pb, mb := addr.As4(), pat.As4(), m.As4()
	for i := range a {
		if a[i]&mb[i] != pb[i]&mb[i] {
			return false
		}
	}
	return true
}

// convertAddr is Netscape's convert_addr: a dotted quad as a 32-bit number.
func convertAddr(s string) (uint32, bool) {
	a, ok := parseDottedQuad(s)
	if !ok {
		return 0, false
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), true
}

// inNetEx reports whether any of addrs lies in prefix ("10.0.0.0/8",
// "2001:db8::/32"). IPv4-mapped IPv6 addresses count as IPv4.
func inNetEx(addrs []netip.Addr, prefix string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(prefix))
	if err != nil {
		return false
	}
	p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p.Addr()))
	for _, a := range addrs {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// unmapBits is how many prefix bits the ::ffff:0:0/96 mapping adds.
func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

// parseAddrList parses a ';'-separated list of IP literals (blanks allowed).
func parseAddrList(s string) ([]netip.Addr, bool) {
	var out []netip.Addr
	for f := range strings.SplitSeq(s, ";") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, false
		}
		out = append(out, a)
	}
	return out, len(out) > 0
}

// sortIPAddressList is Microsoft's sortIpAddressList: the ';'-separated list
// with IPv6 addresses first, each family in ascending numeric order. An empty
// list or one with a non-address is refused (the script sees false).
func sortIPAddressList(s string) (string, bool) {
	addrs, ok := parseAddrList(s)
	if !ok {
		return "", false
	}
	slices.SortStableFunc(addrs, func(a, b netip.Addr) int {
		a6, b6 := !a.Unmap().Is4(), !b.Unmap().Is4()
		if a6 != b6 {
			if a6 {
				return -1
			}
			return 1
		}
		return a.Compare(b)
	})
	return joinAddrs(addrs), true
}

func joinAddrs(addrs []netip.Addr) string {
	var b strings.Builder
	for i, a := range addrs {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(a.String())
	}
	return b.String()
}

// firstIPv4 is the first IPv4 address of addrs.
func firstIPv4(addrs []netip.Addr) (netip.Addr, bool) {
	for _, a := range addrs {
		if a = a.Unmap(); a.Is4() {
			return a, true
		}
	}
	return netip.Addr{}, false
}
