package fixes

import "github.com/idpulse/idpulse/agent/verdict"

// Settings panes. macOS 13 renamed System Preferences to System Settings and
// gave every pane a new id; the legacy ids still open on 13+, but the new
// ones land on the right page, so each is used where it belongs. Sources:
// bvanpeski/SystemPreferences (Ventura and Monterey lists).
const (
	settingsScheme = "x-apple.systempreferences:"

	gnomeControlCenter = "/usr/bin/gnome-control-center"
	gnomeSoftware      = "/usr/bin/gnome-software"
)

// pane is one settings page on each platform.
type pane struct {
	modern, legacy string // macOS 13+ and 12-or-earlier pane ids
	gnome          string // gnome-control-center panel; "" when there is none
	// hint tells where to go once the page is open, when the page itself
	// is not the exact place (proxies are a sub-sheet of a network service).
	hintModern, hintLegacy, hintLinux string
	outcome                           string
}

func (p pane) plan(c Context) (Plan, error) {
	return perOS(p.mac, p.linux)(c)
}

func (p pane) mac(c Context) (Plan, error) {
	id, hint := p.modern, p.hintModern
	if c.legacyMac() {
		id, hint = p.legacy, p.hintLegacy
	}
	return available(p.outcome, withHint(Step{URL: settingsScheme + id}, hint)...)
}

func (p pane) linux(c Context) (Plan, error) {
	if p.gnome == "" {
		return unavailable(notInstalled("GNOME Settings", gnomeControlCenter))
	}
	return firstOf(notInstalled("GNOME Settings", gnomeControlCenter),
		installed(gnomeControlCenter, p.outcome,
			withHint(Step{Argv: []string{gnomeControlCenter, p.gnome}, Detach: true}, p.hintLinux)...))(c)
}

func withHint(s Step, hint string) []Step {
	if hint == "" {
		return []Step{s}
	}
	return []Step{s, {Text: hint}}
}

// paneFix is a fix that opens one settings page.
func paneFix(id, title, explain string, p pane) Fix {
	return Fix{ID: id, Title: title, Explain: explain, plan: p.plan}
}

// Where the network's settings are: macOS 12 and earlier keep everything,
// VPN services included, in the one Network pane.
const (
	networkModern = "com.apple.Network-Settings.extension"
	networkLegacy = "com.apple.preference.network"
)

func openDateTime() Fix {
	return paneFix(verdict.FixOpenDateTime, "Open Date & Time Settings",
		"Opens Date & Time settings so you can turn on automatic time, which Apple's servers need to accept this Mac's sign-in.",
		pane{
			modern: "com.apple.Date-Time-Settings.extension", legacy: "com.apple.preference.datetime", gnome: "datetime",
			hintModern: `Turn on "Set time and date automatically".`,
			hintLegacy: `Turn on "Set date and time automatically".`,
			hintLinux:  `Turn on "Automatic Date & Time".`,
			outcome:    "Opened Date & Time settings",
		})
}

func openNetworkSettings() Fix {
	return paneFix(verdict.FixOpenNetworkSettings, "Open Network Settings",
		"Opens Network settings to check the connection, its DNS servers and its router.",
		pane{modern: networkModern, legacy: networkLegacy, gnome: "network", outcome: "Opened Network settings"})
}

// openProxySettings opens Network settings: macOS has no URL for the proxy
// sheet itself (it belongs to each network service), so a hint says where it is.
func openProxySettings() Fix {
	return paneFix(verdict.FixOpenProxySettings, "Open Proxy Settings",
		"Opens the network settings where the proxy is configured, to correct or turn off a proxy that is not letting Apple through.",
		pane{
			modern: networkModern, legacy: networkLegacy, gnome: "network",
			hintModern: "Select the connected service (Wi-Fi or Ethernet), click Details…, then Proxies.",
			hintLegacy: "Select the connected service (Wi-Fi or Ethernet), click Advanced…, then Proxies.",
			hintLinux:  "Open Network Proxy at the bottom of the Network page.",
			outcome:    "Opened Network settings for the proxy",
		})
}

func openVPNSettings() Fix {
	return paneFix(verdict.FixOpenVPNSettings, "Open VPN Settings",
		"Opens VPN settings to disconnect or reconfigure a VPN that may be routing or filtering Apple's traffic.",
		pane{
			modern: "com.apple.NetworkExtensionSettingsUI.NESettingsUIExtension", legacy: networkLegacy, gnome: "network",
			outcome: "Opened VPN settings",
		})
}

// openSoftwareUpdate: GNOME Settings has no updates panel; GNOME Software has
// an updates page instead.
func openSoftwareUpdate() Fix {
	p := pane{
		modern: "com.apple.Software-Update-Settings.extension", legacy: "com.apple.preferences.softwareupdate",
		outcome: "Opened Software Update",
	}
	return Fix{
		ID: verdict.FixOpenSoftwareUpdate, Title: "Open Software Update",
		Explain: "Opens Software Update: an up-to-date system has Apple's current certificates and sign-in fixes.",
		plan: perOS(p.mac, firstOf(notInstalled("GNOME Software", gnomeSoftware),
			installed(gnomeSoftware, p.outcome, Step{Argv: []string{gnomeSoftware, "--mode=updates"}, Detach: true}))),
	}
}
