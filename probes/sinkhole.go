package probes

import "net/netip"

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// IsSinkhole reports whether a DNS answer points somewhere Apple cannot be:
// the unspecified address, loopback, private and unique-local ranges,
// link-local, and carrier-grade NAT space. DNS filters answer blocked names
// with these.
func IsSinkhole(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsMulticast() ||
		(ip.Is4() && cgnat.Contains(ip)) || ip == netip.IPv4Unspecified()
}

// AllSinkholed reports whether every address is a sinkhole (and there is at least one).
func AllSinkholed(addrs []netip.Addr) bool {
	if len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !IsSinkhole(a) {
			return false
		}
	}
	return true
}
