//go:build linux

package pathlab

import (
	"fmt"
	"strings"
)

// nftTable is the table FilterNFT owns in the client namespace.
const nftTable = "inet pathlab"

// nftRuleset is the ruleset (nft -f syntax) that makes f's drops in the
// client namespace, replacing what an earlier one loaded: declaring the
// table before deleting it makes the delete valid when there is none, and
// nft applies the file as one transaction.
//
// The drops sit in prerouting at priority raw, before conntrack, on what
// arrives from the link: on this kernel that hook sees each segment at its
// wire size (see the package doc), and a rule in the client cannot touch
// anything but the lab's link. IPv6 is dropped both ways.
func nftRuleset(f Faults) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s\ndelete table %s\n", nftTable, nftTable)
	if f.DropLargerThan == 0 && !f.DropIPv6 {
		return b.String()
	}
	fmt.Fprintf(&b, "table %s {\n", nftTable)
	b.WriteString("\tchain prerouting {\n\t\ttype filter hook prerouting priority raw; policy accept;\n")
	if f.DropIPv6 {
		fmt.Fprintf(&b, "\t\tiifname %q meta nfproto ipv6 counter drop\n", LinkName)
	}
	if n := f.DropLargerThan; n > 0 {
		fmt.Fprintf(&b, "\t\tiifname %q ip length > %d counter drop\n", LinkName, n)
		// ip6 length is the payload length: the header's 40 bytes are not in it.
		fmt.Fprintf(&b, "\t\tiifname %q ip6 length > %d counter drop\n", LinkName, n-40)
	}
	b.WriteString("\t}\n")
	if f.DropIPv6 {
		b.WriteString("\tchain output {\n\t\ttype filter hook output priority raw; policy accept;\n")
		fmt.Fprintf(&b, "\t\toifname %q meta nfproto ipv6 counter drop\n", LinkName)
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// loadNFT loads f's ruleset into the client namespace.
func (l *Lab) loadNFT(f Faults) error {
	return l.Client.NFT(nftRuleset(f))
}
