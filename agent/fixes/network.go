package fixes

import (
	"regexp"
	"sync"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
)

const (
	networksetup = "/usr/sbin/networksetup"
	ipconfig     = "/usr/sbin/ipconfig"
	networkctl   = "/usr/bin/networkctl"

	// defaultMacWiFi is the Wi-Fi device of every Mac with built-in Wi-Fi.
	defaultMacWiFi = "en0"
)

var (
	// macEthernetLike are the BSD names of Wi-Fi and Ethernet devices. A
	// default route through utunN, pppN or ipsecN is a VPN, and neither
	// networksetup nor DHCP has anything to do with it.
	macEthernetLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^en[0-9]+$`) })
	// linuxIface is a Linux interface name (at most 15 bytes, IFNAMSIZ)
	// that cannot be mistaken for an option.
	linuxIface = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$`) })
)

// routeInterface is the default-route interface the link probe saw, or "".
func routeInterface(doc *verdict.Document) string {
	ev := evidence[probes.LinkEvidence](doc)
	if ev == nil || ev.DefaultRoute == nil {
		return ""
	}
	return ev.DefaultRoute.Interface
}

// macDevice is the check's default-route device when it is a Wi-Fi or
// Ethernet device, else en0. Anything else from the evidence is dropped here,
// so an odd name never reaches a command.
func macDevice(doc *verdict.Document) string {
	if d := routeInterface(doc); macEthernetLike().MatchString(d) {
		return d
	}
	return defaultMacWiFi
}

// toggleWiFi turns Wi-Fi off and on: the quickest way to make macOS rejoin
// the network, get a fresh DHCP lease and re-run its captive-portal check.
func toggleWiFi() Fix {
	return change(verdict.FixToggleWiFi, "Turn Wi-Fi Off and On",
		"Turns Wi-Fi off and on again so the computer rejoins the network and gets a fresh address.",
		perOS(
			func(c Context) (Plan, error) {
				dev := macDevice(c.Doc)
				return available("Wi-Fi turned off and on again",
					Step{Argv: []string{networksetup, "-setairportpower", dev, "off"}},
					Step{Argv: []string{networksetup, "-setairportpower", dev, "on"}})
			},
			firstOf(notInstalled("NetworkManager", nmcli),
				installed(nmcli, "Wi-Fi turned off and on again",
					Step{Argv: []string{nmcli, "radio", "wifi", "off"}},
					Step{Argv: []string{nmcli, "radio", "wifi", "on"}}))))
}

// renewDHCP asks the network for a new lease: a fresh address, router and
// DNS servers, which fixes a stale or half-configured connection.
func renewDHCP() Fix {
	return adminChange(verdict.FixRenewDHCP, "Renew DHCP Lease",
		"Asks the network for a fresh address, router and DNS servers.",
		perOS(
			func(c Context) (Plan, error) {
				dev := macDevice(c.Doc)
				return available("DHCP lease renewed on "+dev,
					Step{Argv: []string{ipconfig, "set", dev, "DHCP"}, Admin: true})
			},
			func(c Context) (Plan, error) {
				dev := routeInterface(c.Doc)
				if !linuxIface().MatchString(dev) {
					return unavailable("the network interface is not known (no default route in the last check)")
				}
				return firstOf("neither NetworkManager nor systemd-networkd is present",
					installed(nmcli, "Network configuration re-applied on "+dev,
						Step{Argv: []string{nmcli, "device", "reapply", dev}}),
					installed(networkctl, "DHCP lease renewed on "+dev,
						Step{Argv: []string{networkctl, "renew", dev}, Admin: true}))(c)
			}))
}

// tryOtherNetwork is advice, not a command: when the network is the cause,
// the proof and the workaround are the same thing.
func tryOtherNetwork() Fix {
	return Fix{
		ID: verdict.FixTryOtherNetwork, Title: "Try Another Network",
		Explain: "Suggests checking from another network, which shows whether this network is what blocks Apple.",
		plan: func(c Context) (Plan, error) {
			device := verdict.OnMachine("this Mac", verdict.MachineOn(c.GOOS))
			return available("Suggested trying another network",
				Step{Text: "Connect " + device + " to a different network, then check again:"},
				Step{Text: "• Personal Hotspot: on your iPhone open Settings → Personal Hotspot, turn on \"Allow Others to Join\", then join it from " + device + "'s Wi-Fi menu."},
				Step{Text: "• Your home network, or another network you trust."},
				Step{Text: "Corporate, school and public networks may inspect encrypted traffic (TLS) or block Apple's servers. " +
					"If sign-in works elsewhere, this network is the cause: ask its administrator to allow Apple's services."},
			)
		},
	}
}
