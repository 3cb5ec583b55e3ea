package fixes

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/netenv"
)

// Evidence builders: the shapes the probes produce.

func docOf(results ...probes.Result) *verdict.Document { return &verdict.Document{Probes: results} }

func linkResult(iface string) probes.Result {
	return probes.Result{ID: probes.IDLink, Evidence: &probes.LinkEvidence{DefaultRoute: &netenv.DefaultRoute{Gateway: "192.168.1.1", Interface: iface}}}
}

func vpnResult(active bool, services ...netenv.NCService) probes.Result {
	return probes.Result{ID: probes.IDVPN, Evidence: &probes.VPNEvidence{VPNState: netenv.VPNState{Active: active, Services: services, Interface: "utun4"}}}
}

func connected(id, name string) netenv.NCService {
	return netenv.NCService{Enabled: true, Status: "Connected", ID: id, Name: name, Type: "IPSec"}
}

func captiveResult(probeURL, portalURL string) probes.Result {
	return probes.Result{ID: probes.IDCaptive, Evidence: &probes.CaptiveEvidence{URL: probeURL, Portal: true, PortalURL: portalURL, StatusCode: 302}}
}

func hostsResult(path string, entries ...probes.HostsEntry) probes.Result {
	if entries == nil {
		entries = []probes.HostsEntry{}
	}
	return probes.Result{ID: probes.IDHosts, Evidence: &probes.HostsEvidence{Path: path, Entries: entries}}
}

func systemResult(os, version string) probes.Result {
	return probes.Result{ID: probes.IDSystem, Evidence: &probes.SystemEvidence{SystemInfo: netenv.SystemInfo{OS: os, Version: version}}}
}

const vpnID = "8B2A2F5E-3C1D-4E5F-9A0B-1C2D3E4F5A6B"

// tools is an injected LookPath: exactly these absolute paths exist.
func tools(paths ...string) func(string) bool {
	return func(p string) bool { return slices.Contains(paths, p) }
}

var allLinuxTools = tools(xdgOpen, resolvectl, timedatectl, chronyc, gnomeControlCenter, gnomeSoftware, nmcli, networkctl, pkexec)

// textMark stands for any advice text in expected plans: the words are
// the copywriter's, the structure (which steps, in which order) is the test's.
const textMark = "…text…"

func normalise(p Plan) Plan {
	for i, s := range p.Steps {
		if s.Text != "" {
			p.Steps[i].Text = textMark
		}
	}
	return p
}

func TestPlans(t *testing.T) {
	domains := probes.DefaultConfig().AppleDomains
	wifiDoc := docOf(linkResult("en1"))
	nmVPN := func(uuid, name, typ string) netenv.NCService {
		return netenv.NCService{Enabled: true, Status: "Connected", ID: uuid, Name: name, Type: typ, Interface: "wlp2s0"}
	}
	const nmUUID, wgUUID = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	linuxDoc := docOf(linkResult("wlp2s0"), vpnResult(true, nmVPN(nmUUID, "Office VPN", "vpn")))
	txt := Step{Text: textMark}
	url := func(u string) Step { return Step{URL: u} }
	argv := func(a ...string) Step { return Step{Argv: a} }
	admin := func(a ...string) Step { return Step{Argv: a, Admin: true} }
	detached := func(a ...string) Step { return Step{Argv: a, Detach: true} }
	hostsStep := func(path string, self ...string) Step {
		s := Step{Hosts: &HostsEdit{Path: path, Domains: domains}, Admin: true}
		if len(self) > 0 {
			s.Argv = append(self, "fix", "remove-hosts-entries", "--yes", "--hosts-file", path)
		}
		return s
	}
	ok := func(outcome string, steps ...Step) Plan { return Plan{Available: true, Outcome: outcome, Steps: steps} }
	no := func(why string) Plan { return Plan{Why: why} }

	tests := []struct {
		name string
		fix  string
		c    Context
		want Plan
	}{
		// flush-dns
		{"flush-dns darwin", "flush-dns", Context{GOOS: "darwin"},
			ok("DNS cache flushed", admin("/usr/bin/dscacheutil", "-flushcache"), admin("/usr/bin/killall", "-HUP", "mDNSResponder"))},
		{"flush-dns linux", "flush-dns", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("DNS cache flushed", admin("/usr/bin/resolvectl", "flush-caches"))},
		{"flush-dns linux without resolved", "flush-dns", Context{GOOS: "linux", LookPath: tools()},
			no("systemd-resolved not present")},
		{"flush-dns windows", "flush-dns", Context{GOOS: "windows"}, no("not supported on windows")},

		// sync-clock
		{"sync-clock darwin", "sync-clock", Context{GOOS: "darwin"},
			ok("Clock synchronised with time.apple.com", admin("/usr/bin/sntp", "-sS", "time.apple.com"))},
		{"sync-clock linux chrony", "sync-clock", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("Clock stepped to the time server (chrony)", admin("/usr/bin/chronyc", "makestep"))},
		{"sync-clock linux timedatectl", "sync-clock", Context{GOOS: "linux", LookPath: tools(timedatectl)},
			ok("Automatic time synchronisation turned on", admin("/usr/bin/timedatectl", "set-ntp", "true"))},
		{"sync-clock linux neither", "sync-clock", Context{GOOS: "linux", LookPath: tools()},
			no("neither chrony nor systemd's timedatectl is present")},

		// settings panes: macOS 13+ (and unknown), macOS 12, Linux with and without GNOME
		{"open-date-time darwin 14", "open-date-time", Context{GOOS: "darwin", MacOSMajor: 14},
			ok("Opened Date & Time settings", url("x-apple.systempreferences:com.apple.Date-Time-Settings.extension"), txt)},
		{"open-date-time darwin unknown version", "open-date-time", Context{GOOS: "darwin"},
			ok("Opened Date & Time settings", url("x-apple.systempreferences:com.apple.Date-Time-Settings.extension"), txt)},
		{"open-date-time darwin 12", "open-date-time", Context{GOOS: "darwin", MacOSMajor: 12},
			ok("Opened Date & Time settings", url("x-apple.systempreferences:com.apple.preference.datetime"), txt)},
		{"open-date-time linux", "open-date-time", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("Opened Date & Time settings", detached("/usr/bin/gnome-control-center", "datetime"), txt)},
		{"open-date-time linux without GNOME", "open-date-time", Context{GOOS: "linux", LookPath: tools()},
			no("GNOME Settings (/usr/bin/gnome-control-center) is not installed")},
		{"open-network-settings darwin 13", "open-network-settings", Context{GOOS: "darwin", MacOSMajor: 13},
			ok("Opened Network settings", url("x-apple.systempreferences:com.apple.Network-Settings.extension"))},
		{"open-network-settings darwin 11", "open-network-settings", Context{GOOS: "darwin", MacOSMajor: 11},
			ok("Opened Network settings", url("x-apple.systempreferences:com.apple.preference.network"))},
		{"open-network-settings linux", "open-network-settings", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("Opened Network settings", detached("/usr/bin/gnome-control-center", "network"))},
		{"open-proxy-settings darwin 15", "open-proxy-settings", Context{GOOS: "darwin", MacOSMajor: 15},
			ok("Opened Network settings for the proxy", url("x-apple.systempreferences:com.apple.Network-Settings.extension"), txt)},
		{"open-proxy-settings darwin 12", "open-proxy-settings", Context{GOOS: "darwin", MacOSMajor: 12},
			ok("Opened Network settings for the proxy", url("x-apple.systempreferences:com.apple.preference.network"), txt)},
		{"open-proxy-settings linux", "open-proxy-settings", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("Opened Network settings for the proxy", detached("/usr/bin/gnome-control-center", "network"), txt)},
		{"open-vpn-settings darwin 13", "open-vpn-settings", Context{GOOS: "darwin", MacOSMajor: 13},
			ok("Opened VPN settings", url("x-apple.systempreferences:com.apple.NetworkExtensionSettingsUI.NESettingsUIExtension"))},
		{"open-vpn-settings darwin 12", "open-vpn-settings", Context{GOOS: "darwin", MacOSMajor: 12},
			ok("Opened VPN settings", url("x-apple.systempreferences:com.apple.preference.network"))},
		{"open-vpn-settings linux", "open-vpn-settings", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("Opened VPN settings", detached("/usr/bin/gnome-control-center", "network"))},
		{"open-software-update darwin 14", "open-software-update", Context{GOOS: "darwin", MacOSMajor: 14},
			ok("Opened Software Update", url("x-apple.systempreferences:com.apple.Software-Update-Settings.extension"))},
		{"open-software-update darwin 12", "open-software-update", Context{GOOS: "darwin", MacOSMajor: 12},
			ok("Opened Software Update", url("x-apple.systempreferences:com.apple.preferences.softwareupdate"))},
		{"open-software-update linux", "open-software-update", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("Opened Software Update", detached("/usr/bin/gnome-software", "--mode=updates"))},
		{"open-software-update linux without GNOME Software", "open-software-update", Context{GOOS: "linux", LookPath: tools(gnomeControlCenter)},
			no("GNOME Software (/usr/bin/gnome-software) is not installed")},
		{"open-software-update windows", "open-software-update", Context{GOOS: "windows"}, no("not supported on windows")},

		// disconnect-vpn
		{"disconnect-vpn darwin by service ID", "disconnect-vpn", Context{GOOS: "darwin", Doc: docOf(vpnResult(true, connected(vpnID, "Office VPN")))},
			ok(`Disconnected VPN "Office VPN"`, argv("/usr/sbin/scutil", "--nc", "stop", vpnID))},
		{"disconnect-vpn darwin by name without ID", "disconnect-vpn", Context{GOOS: "darwin", Doc: docOf(vpnResult(true, connected("", "Office VPN")))},
			ok(`Disconnected VPN "Office VPN"`, argv("/usr/sbin/scutil", "--nc", "stop", "Office VPN"))},
		{"disconnect-vpn darwin two services, disconnected one skipped", "disconnect-vpn", Context{GOOS: "darwin", Doc: docOf(vpnResult(true,
			connected(vpnID, "A"), netenv.NCService{Status: "Disconnected", ID: vpnID, Name: "B"}, connected("", "C")))},
			ok(`Disconnected VPN "A", "C"`, argv("/usr/sbin/scutil", "--nc", "stop", vpnID), argv("/usr/sbin/scutil", "--nc", "stop", "C"))},
		{"disconnect-vpn darwin option-like name skipped", "disconnect-vpn", Context{GOOS: "darwin", Doc: docOf(vpnResult(true, connected("", "--help")))},
			no("the VPN's connection name is not known; disconnect it in the VPN app")},
		{"disconnect-vpn darwin tunnel without service", "disconnect-vpn", Context{GOOS: "darwin", Doc: docOf(vpnResult(true))},
			no("the VPN's connection name is not known; disconnect it in the VPN app")},
		{"disconnect-vpn darwin no VPN", "disconnect-vpn", Context{GOOS: "darwin", Doc: docOf(vpnResult(false))},
			no("no connected VPN was found in the last check")},
		{"disconnect-vpn darwin no doc", "disconnect-vpn", Context{GOOS: "darwin"},
			no("no connected VPN was found in the last check")},
		{"disconnect-vpn linux", "disconnect-vpn", Context{GOOS: "linux", LookPath: allLinuxTools, Doc: linuxDoc},
			ok(`Disconnected VPN "Office VPN"`, argv("/usr/bin/nmcli", "connection", "down", "uuid", nmUUID))},
		{"disconnect-vpn linux VPN plugin and WireGuard, option-like name", "disconnect-vpn", Context{GOOS: "linux", LookPath: allLinuxTools,
			Doc: docOf(vpnResult(true, nmVPN(nmUUID, "Office: Berlin", "vpn"), nmVPN(wgUUID, "--help", "wireguard")))},
			ok(`Disconnected VPN "Office: Berlin", "--help"`,
				argv("/usr/bin/nmcli", "connection", "down", "uuid", nmUUID), argv("/usr/bin/nmcli", "connection", "down", "uuid", wgUUID))},
		{"disconnect-vpn linux connection without a UUID skipped", "disconnect-vpn", Context{GOOS: "linux", LookPath: allLinuxTools,
			Doc: docOf(vpnResult(true, nmVPN("", "Office VPN", "vpn"), nmVPN("--down", "x", "vpn")))},
			no("the VPN is not a NetworkManager connection; disconnect it in the VPN app")},
		{"disconnect-vpn linux without nmcli", "disconnect-vpn", Context{GOOS: "linux", LookPath: tools(), Doc: linuxDoc},
			no("NetworkManager (/usr/bin/nmcli) is not installed")},
		{"disconnect-vpn linux tunnel without a NetworkManager connection", "disconnect-vpn", Context{GOOS: "linux", LookPath: allLinuxTools, Doc: docOf(vpnResult(true))},
			no("the VPN is not a NetworkManager connection; disconnect it in the VPN app")},
		{"disconnect-vpn linux no VPN", "disconnect-vpn", Context{GOOS: "linux", LookPath: allLinuxTools, Doc: docOf(vpnResult(false))},
			no("no connected VPN was found in the last check")},

		// apple account, web pages
		{"open-apple-account darwin 14", "open-apple-account", Context{GOOS: "darwin", MacOSMajor: 14},
			ok("Opened Apple Account settings", url("x-apple.systempreferences:com.apple.systempreferences.AppleIDSettings"), txt)},
		{"open-apple-account darwin 12", "open-apple-account", Context{GOOS: "darwin", MacOSMajor: 12},
			ok("Opened Apple Account settings", url("x-apple.systempreferences:com.apple.preferences.AppleIDPrefPane"), txt)},
		{"open-apple-account linux", "open-apple-account", Context{GOOS: "linux", LookPath: allLinuxTools},
			no("Apple Account settings exist only on macOS")},
		{"reset-password darwin", "reset-password", Context{GOOS: "darwin"}, ok("Opened Apple's password reset page", url("https://iforgot.apple.com/"))},
		{"reset-password linux", "reset-password", Context{GOOS: "linux", LookPath: tools(xdgOpen)}, ok("Opened Apple's password reset page", url("https://iforgot.apple.com/"))},
		{"open-system-status darwin", "open-system-status", Context{GOOS: "darwin"}, ok("Opened Apple System Status", url("https://www.apple.com/support/systemstatus/"))},
		{"open-system-status linux", "open-system-status", Context{GOOS: "linux", LookPath: tools(xdgOpen)}, ok("Opened Apple System Status", url("https://www.apple.com/support/systemstatus/"))},
		{"contact-support darwin", "contact-support", Context{GOOS: "darwin"}, ok("Opened Apple Support", url("https://getsupport.apple.com/"))},
		{"contact-support linux", "contact-support", Context{GOOS: "linux", LookPath: tools(xdgOpen)}, ok("Opened Apple Support", url("https://getsupport.apple.com/"))},

		// open-captive-portal
		{"open-captive-portal redirect target", "open-captive-portal", Context{GOOS: "darwin", Doc: docOf(captiveResult("http://captive.apple.com/hotspot-detect.html", "https://portal.example.net/login?mac=aa:bb"))},
			ok("Opened the Wi-Fi login page", url("https://portal.example.net/login?mac=aa:bb"))},
		{"open-captive-portal linux", "open-captive-portal", Context{GOOS: "linux", LookPath: tools(xdgOpen), Doc: docOf(captiveResult("http://captive.apple.com/hotspot-detect.html", "http://10.0.0.1/"))},
			ok("Opened the Wi-Fi login page", url("http://10.0.0.1/"))},
		{"open-captive-portal javascript URL falls back to the probe URL", "open-captive-portal", Context{GOOS: "darwin", Doc: docOf(captiveResult("http://captive.example/detect", "javascript:alert(1)"))},
			ok("Opened the Wi-Fi login page", url("http://captive.example/detect"))},
		{"open-captive-portal file URL falls back", "open-captive-portal", Context{GOOS: "darwin", Doc: docOf(captiveResult("http://captive.apple.com/hotspot-detect.html", "file:///etc/passwd"))},
			ok("Opened the Wi-Fi login page", url("http://captive.apple.com/hotspot-detect.html"))},
		{"open-captive-portal user@ URL falls back", "open-captive-portal", Context{GOOS: "darwin", Doc: docOf(captiveResult("http://captive.apple.com/hotspot-detect.html", "http://appleid.apple.com@evil.example/"))},
			ok("Opened the Wi-Fi login page", url("http://captive.apple.com/hotspot-detect.html"))},
		{"open-captive-portal no evidence", "open-captive-portal", Context{GOOS: "darwin"},
			ok("Opened the Wi-Fi login page", url("http://captive.apple.com/hotspot-detect.html"))},

		// toggle-wifi
		{"toggle-wifi darwin default-route device", "toggle-wifi", Context{GOOS: "darwin", Doc: wifiDoc},
			ok("Wi-Fi turned off and on again", argv("/usr/sbin/networksetup", "-setairportpower", "en1", "off"), argv("/usr/sbin/networksetup", "-setairportpower", "en1", "on"))},
		{"toggle-wifi darwin VPN route uses en0", "toggle-wifi", Context{GOOS: "darwin", Doc: docOf(linkResult("utun3"))},
			ok("Wi-Fi turned off and on again", argv("/usr/sbin/networksetup", "-setairportpower", "en0", "off"), argv("/usr/sbin/networksetup", "-setairportpower", "en0", "on"))},
		{"toggle-wifi darwin no evidence uses en0", "toggle-wifi", Context{GOOS: "darwin"},
			ok("Wi-Fi turned off and on again", argv("/usr/sbin/networksetup", "-setairportpower", "en0", "off"), argv("/usr/sbin/networksetup", "-setairportpower", "en0", "on"))},
		{"toggle-wifi linux", "toggle-wifi", Context{GOOS: "linux", LookPath: allLinuxTools},
			ok("Wi-Fi turned off and on again", argv("/usr/bin/nmcli", "radio", "wifi", "off"), argv("/usr/bin/nmcli", "radio", "wifi", "on"))},
		{"toggle-wifi linux without nmcli", "toggle-wifi", Context{GOOS: "linux", LookPath: tools()},
			no("NetworkManager (/usr/bin/nmcli) is not installed")},

		// renew-dhcp
		{"renew-dhcp darwin", "renew-dhcp", Context{GOOS: "darwin", Doc: wifiDoc},
			ok("DHCP lease renewed on en1", admin("/usr/sbin/ipconfig", "set", "en1", "DHCP"))},
		{"renew-dhcp darwin no route uses en0", "renew-dhcp", Context{GOOS: "darwin"},
			ok("DHCP lease renewed on en0", admin("/usr/sbin/ipconfig", "set", "en0", "DHCP"))},
		{"renew-dhcp linux nmcli", "renew-dhcp", Context{GOOS: "linux", LookPath: allLinuxTools, Doc: linuxDoc},
			ok("Network configuration re-applied on wlp2s0", argv("/usr/bin/nmcli", "device", "reapply", "wlp2s0"))},
		{"renew-dhcp linux networkctl", "renew-dhcp", Context{GOOS: "linux", LookPath: tools(networkctl), Doc: linuxDoc},
			ok("DHCP lease renewed on wlp2s0", admin("/usr/bin/networkctl", "renew", "wlp2s0"))},
		{"renew-dhcp linux neither", "renew-dhcp", Context{GOOS: "linux", LookPath: tools(), Doc: linuxDoc},
			no("neither NetworkManager nor systemd-networkd is present")},
		{"renew-dhcp linux interface unknown", "renew-dhcp", Context{GOOS: "linux", LookPath: allLinuxTools},
			no("the network interface is not known (no default route in the last check)")},

		// try-other-network, copy-report
		{"try-other-network darwin", "try-other-network", Context{GOOS: "darwin"}, ok("Suggested trying another network", txt, txt, txt, txt)},
		{"try-other-network linux", "try-other-network", Context{GOOS: "linux", LookPath: tools()}, ok("Suggested trying another network", txt, txt, txt, txt)},
		{"copy-report darwin", "copy-report", Context{GOOS: "darwin"}, Plan{Available: true}},
		{"copy-report linux", "copy-report", Context{GOOS: "linux", LookPath: tools()}, Plan{Available: true}},

		// remove-hosts-entries
		{"remove-hosts-entries darwin", "remove-hosts-entries", Context{GOOS: "darwin", Self: "/Applications/idpulse.app/Contents/MacOS/idpulse",
			Doc: docOf(hostsResult("/etc/hosts", probes.HostsEntry{Line: 3, Address: "0.0.0.0", Names: []string{"gs.apple.com"}}))},
			ok("Removed Apple entries from /etc/hosts", hostsStep("/etc/hosts", "/Applications/idpulse.app/Contents/MacOS/idpulse"))},
		{"remove-hosts-entries linux other file", "remove-hosts-entries", Context{GOOS: "linux", LookPath: tools(), Self: "/usr/bin/idpulse", HostsPath: "/srv/hosts"},
			ok("Removed Apple entries from /srv/hosts", hostsStep("/srv/hosts", "/usr/bin/idpulse"))},
		{"remove-hosts-entries without Self: root only", "remove-hosts-entries", Context{GOOS: "linux", LookPath: tools()},
			ok("Removed Apple entries from /etc/hosts", hostsStep("/etc/hosts"))},
		{"remove-hosts-entries nothing found last time", "remove-hosts-entries", Context{GOOS: "darwin", Self: "/usr/local/bin/idpulse", Doc: docOf(hostsResult("/etc/hosts"))},
			no("the last check found no Apple entries in /etc/hosts")},
		{"remove-hosts-entries relative path", "remove-hosts-entries", Context{GOOS: "darwin", HostsPath: "hosts"},
			no("the hosts file path hosts is not absolute")},
		{"remove-hosts-entries windows", "remove-hosts-entries", Context{GOOS: "windows"}, no("not supported on windows")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := Lookup(tt.fix)
			if !ok {
				t.Fatalf("Lookup(%q) failed", tt.fix)
			}
			got, err := f.Plan(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Fix = tt.fix
			if got = normalise(got); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan\n got %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func dump(p Plan) string {
	b, _ := json.MarshalIndent(p, "", "  ")
	return string(b)
}

// TestPlansEveryFixEveryOS: each fix plans without error on every platform
// with any set of tools, an unavailable plan always says why and has no
// steps, and an available one only has steps the Executor can carry out.
func TestPlansEveryFixEveryOS(t *testing.T) {
	docs := []*verdict.Document{nil, docOf(), docOf(linkResult("en0"), vpnResult(true, connected(vpnID, "x")), captiveResult("http://a/", "http://b/"), hostsResult("/etc/hosts"))}
	for _, f := range Registry() {
		for _, goos := range []string{"darwin", "linux", "windows", "freebsd"} {
			for _, look := range []func(string) bool{tools(), allLinuxTools} {
				for _, doc := range docs {
					p, err := f.Plan(Context{GOOS: goos, Doc: doc, LookPath: look, Self: "/usr/bin/idpulse"})
					if err != nil {
						t.Fatalf("%s on %s: %v", f.ID, goos, err)
					}
					if p.Fix != f.ID {
						t.Errorf("%s: Plan.Fix = %q", f.ID, p.Fix)
					}
					if _, err := json.Marshal(p); err != nil {
						t.Errorf("%s: plan does not marshal: %v", f.ID, err)
					}
					if !p.Available {
						if p.Why == "" || len(p.Steps) > 0 || p.Outcome != "" {
							t.Errorf("%s on %s: unavailable plan %+v", f.ID, goos, p)
						}
						continue
					}
					if p.Why != "" || (p.Outcome == "") != (f.ID == FixCopyReport) {
						t.Errorf("%s on %s: available plan %+v", f.ID, goos, p)
					}
					for _, s := range p.Steps {
						checkStep(t, f, goos, s)
					}
				}
			}
		}
	}
}

func checkStep(t *testing.T, f Fix, goos string, s Step) {
	t.Helper()
	kinds := 0
	for _, set := range []bool{s.URL != "", s.Text != "", s.Hosts != nil, len(s.Argv) > 0 && s.Hosts == nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		t.Errorf("%s on %s: step %+v is not exactly one kind", f.ID, goos, s)
	}
	if len(s.Argv) > 0 {
		if err := checkArgv(s.Argv); err != nil {
			t.Errorf("%s on %s: %v", f.ID, goos, err)
		}
	}
	if s.URL != "" && !openable(s.URL) {
		t.Errorf("%s on %s: URL %q would be refused", f.ID, goos, s.URL)
	}
	if goos == "darwin" && s.Admin && !f.NeedsAdmin {
		t.Errorf("%s: admin step on macOS but NeedsAdmin is false", f.ID)
	}
	if s.Admin && s.Detach {
		t.Errorf("%s on %s: a detached step cannot be elevated", f.ID, goos)
	}
	if s.Admin && goos != "darwin" && goos != "linux" {
		t.Errorf("%s: admin step on %s, where no prompt exists", f.ID, goos)
	}
}

func TestRegistry(t *testing.T) {
	reg := Registry()
	seen := map[string]bool{}
	for _, f := range reg {
		switch {
		case seen[f.ID]:
			t.Errorf("duplicate fix %q", f.ID)
		case f.Title == "" || f.Explain == "" || f.plan == nil:
			t.Errorf("fix %q is incomplete", f.ID)
		case !strings.HasSuffix(f.Explain, ".") || strings.Count(f.Explain, ". ") > 0:
			t.Errorf("fix %q: Explain is not one sentence: %q", f.ID, f.Explain)
		}
		seen[f.ID] = true
		if got, ok := Lookup(f.ID); !ok || got.ID != f.ID {
			t.Errorf("Lookup(%q) = %v, %v", f.ID, got.ID, ok)
		}
	}
	want := []string{
		verdict.FixFlushDNS, verdict.FixRemoveHostsEntries, verdict.FixOpenNetworkSettings, verdict.FixOpenProxySettings,
		verdict.FixOpenVPNSettings, verdict.FixDisconnectVPN, verdict.FixOpenCaptivePortal, verdict.FixTryOtherNetwork,
		verdict.FixToggleWiFi, verdict.FixRenewDHCP, verdict.FixSyncClock, verdict.FixOpenDateTime,
		verdict.FixOpenSystemStatus, verdict.FixContactSupport, verdict.FixOpenSoftwareUpdate,
		FixOpenAppleAccount, FixResetPassword, FixCopyReport,
	}
	for _, id := range want {
		if !seen[id] {
			t.Errorf("fix %q missing from the registry", id)
		}
	}
	if len(reg) != len(want) {
		t.Errorf("registry has %d fixes, want %d", len(reg), len(want))
	}
	if _, ok := Lookup("rm-rf"); ok {
		t.Error("Lookup of an unknown id succeeded")
	}
	// Registry builds fresh values: a caller's edit does not leak.
	reg[0].Title = "changed"
	if Registry()[0].Title == "changed" {
		t.Error("Registry shares state between calls")
	}
}

// The menu and the CLI name fixes alike.
func TestTitles(t *testing.T) {
	want := map[string]string{
		"flush-dns": "Flush DNS Cache", "remove-hosts-entries": "Remove Apple Entries from Hosts File",
		"open-network-settings": "Open Network Settings", "open-proxy-settings": "Open Proxy Settings",
		"open-vpn-settings": "Open VPN Settings", "disconnect-vpn": "Disconnect VPN",
		"open-captive-portal": "Open Wi-Fi Login Page", "try-other-network": "Try Another Network",
		"toggle-wifi": "Turn Wi-Fi Off and On", "renew-dhcp": "Renew DHCP Lease",
		"sync-clock": "Set Clock from Time Server", "open-date-time": "Open Date & Time Settings",
		"open-system-status": "Open Apple System Status", "contact-support": "Contact Apple Support",
	}
	for id, title := range want {
		if f, _ := Lookup(id); f.Title != title {
			t.Errorf("%s: Title = %q, want %q", id, f.Title, title)
		}
	}
}

// Every fix a verdict or finding rule offers exists here, so the menu never
// shows a fix idpulse cannot carry out; and every fix here answers some rule
// or is one of the general fixes offered whatever the problem.
func TestFixesMatchVerdictRules(t *testing.T) {
	named := map[string]bool{}
	for _, r := range verdict.Rules() {
		fixes := r.Fixes
		if r.VPNSuspect {
			// Evaluate adds disconnect-vpn to these while a VPN is up.
			fixes = append(slices.Clone(fixes), verdict.FixDisconnectVPN)
		}
		for _, id := range fixes {
			named[id] = true
			if _, ok := Lookup(id); !ok {
				t.Errorf("rule %s offers unknown fix %q", r.Code, id)
			}
		}
	}
	general := []string{FixOpenAppleAccount, FixResetPassword, FixCopyReport, verdict.FixContactSupport}
	for _, f := range Registry() {
		if !named[f.ID] && !slices.Contains(general, f.ID) {
			t.Errorf("fix %s answers no verdict rule and is not a general fix", f.ID)
		}
		if named[f.ID] && slices.Contains(general, f.ID) {
			t.Errorf("fix %s is named by a rule and listed as general", f.ID)
		}
	}
}

func TestApplicable(t *testing.T) {
	tests := []struct {
		name string
		doc  *verdict.Document
		want []string
	}{
		{"nil", nil, nil},
		{"healthy", &verdict.Document{Verdict: verdict.Verdict{Code: verdict.CodeOK, Fixes: []string{}}}, nil},
		{"verdict then findings, deduped, unknown dropped", &verdict.Document{
			Verdict: verdict.Verdict{Code: verdict.CodeDNSFailure, Fixes: []string{"flush-dns", "renew-dhcp", "no-such-fix", "disconnect-vpn"}},
			Findings: []verdict.Finding{
				{Verdict: verdict.Verdict{Code: verdict.FindingVPNActive, Fixes: []string{"disconnect-vpn", "open-vpn-settings"}}},
				{Verdict: verdict.Verdict{Code: verdict.FindingClockDrift, Fixes: []string{"sync-clock", "flush-dns"}}},
			}},
			[]string{"flush-dns", "renew-dhcp", "disconnect-vpn", "open-vpn-settings", "sync-clock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Applicable(tt.doc); !slices.Equal(got, tt.want) {
				t.Errorf("Applicable = %q, want %q", got, tt.want)
			}
		})
	}
}

// A real verdict: the chain's fixes come out of Applicable unchanged.
func TestApplicableFromEvaluate(t *testing.T) {
	res := probes.Results{
		{ID: probes.IDHosts, Status: probes.StatusFail, Evidence: &probes.HostsEvidence{Path: "/etc/hosts",
			Entries: []probes.HostsEntry{{Line: 1, Address: "0.0.0.0", Names: []string{"gs.apple.com"}, Sinkhole: true}}}},
	}
	doc := verdict.NewDocument(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), 0, verdict.Input{Results: res})
	if doc.Verdict.Code != verdict.CodeHostsOverride {
		t.Fatalf("verdict = %s", doc.Verdict.Code)
	}
	if got, want := Applicable(&doc), []string{"remove-hosts-entries", "flush-dns"}; !slices.Equal(got, want) {
		t.Errorf("Applicable = %q, want %q", got, want)
	}
}

func TestMacOSMajor(t *testing.T) {
	tests := []struct {
		doc  *verdict.Document
		want int
	}{
		{nil, 0},
		{docOf(), 0},
		{docOf(systemResult("macOS", "14.4.1")), 14},
		{docOf(systemResult("macOS", "12")), 12},
		{docOf(systemResult("Mac OS X", "10.15.7")), 10},
		{docOf(systemResult("macOS", "")), 0},
		{docOf(systemResult("macOS", "x.1")), 0},
		{docOf(systemResult("Debian GNU/Linux", "12")), 0},
	}
	for _, tt := range tests {
		if got := MacOSMajor(tt.doc); got != tt.want {
			t.Errorf("MacOSMajor(%v) = %d, want %d", tt.doc, got, tt.want)
		}
	}
}

// A document read back from the state file (JSON) plans like the live one.
func TestPlanFromStateFileEvidence(t *testing.T) {
	live := docOf(
		probes.Result{ID: probes.IDVPN, Evidence: &probes.VPNEvidence{VPNState: netenv.VPNState{Active: true, Services: []netenv.NCService{connected(vpnID, "Work")}}}},
		probes.Result{ID: probes.IDCaptive, Evidence: &probes.CaptiveEvidence{Portal: true, PortalURL: "https://login.example/"}},
		probes.Result{ID: probes.IDLink, Evidence: &probes.LinkEvidence{DefaultRoute: &netenv.DefaultRoute{Interface: "en5"}}},
		probes.Result{ID: probes.IDSystem, Evidence: &probes.SystemEvidence{SystemInfo: netenv.SystemInfo{OS: "macOS", Version: "12.7"}}},
	)
	data, err := json.Marshal(live)
	if err != nil {
		t.Fatal(err)
	}
	doc := new(verdict.Document)
	if err := json.Unmarshal(data, doc); err != nil {
		t.Fatal(err)
	}
	c := Context{GOOS: "darwin", Doc: doc, MacOSMajor: MacOSMajor(doc)}
	check := func(id string, want Step) {
		t.Helper()
		f, _ := Lookup(id)
		p, err := f.Plan(c)
		if err != nil || !p.Available || !reflect.DeepEqual(p.Steps[0], want) {
			t.Errorf("%s: plan %+v, %v; want first step %+v", id, p, err, want)
		}
	}
	check("disconnect-vpn", Step{Argv: []string{scutil, "--nc", "stop", vpnID}})
	check("open-captive-portal", Step{URL: "https://login.example/"})
	check("toggle-wifi", Step{Argv: []string{networksetup, "-setairportpower", "en5", "off"}})
	check("open-date-time", Step{URL: "x-apple.systempreferences:com.apple.preference.datetime"})
}

func TestWebURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"http://captive.apple.com/hotspot-detect.html", "http://captive.apple.com/hotspot-detect.html", true},
		{"HTTPS://Portal.example/login?a=b&c=d#x", "https://Portal.example/login?a=b&c=d#x", true},
		{"https://[fe80::1]:8443/", "https://[fe80::1]:8443/", true},
		{"", "", false},
		{"/relative", "", false},
		{"javascript:alert(1)", "", false},
		{"file:///etc/passwd", "", false},
		{"x-apple.systempreferences:com.apple.preference.network", "", false},
		{"ftp://example.com/", "", false},
		{"http://user:pw@example.com/", "", false},
		{"http:///nohost", "", false},
		{"http://example.com/a b", "", false},
		{"http://example.com/\n--help", "", false},
		{"-http://example.com/", "", false},
	}
	for _, tt := range tests {
		got, ok := webURL(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("webURL(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// On this Linux machine, for real: plans made with the real LookPath.
// GNOME Settings is not installed in CI, so the settings fixes say so.
func TestPlansWithRealLookPath(t *testing.T) {
	if exists(gnomeControlCenter) {
		t.Skip("gnome-control-center is installed here")
	}
	for _, id := range []string{"open-date-time", "open-network-settings", "open-proxy-settings", "open-vpn-settings"} {
		f, _ := Lookup(id)
		p, err := f.Plan(Context{GOOS: "linux"})
		if err != nil || p.Available || p.Why != "GNOME Settings (/usr/bin/gnome-control-center) is not installed" {
			t.Errorf("%s: %+v, %v", id, p, err)
		}
	}
	f, _ := Lookup("try-other-network")
	p, err := f.Plan(Context{GOOS: "linux"})
	if err != nil || !p.Available || len(p.Steps) != 4 {
		t.Fatalf("try-other-network: %+v, %v", p, err)
	}
	for _, s := range p.Steps {
		if s.Text == "" || len(s.Argv) > 0 || s.URL != "" {
			t.Errorf("try-other-network step %+v is not advice", s)
		}
	}
	all := strings.Join([]string{p.Steps[1].Text, p.Steps[2].Text, p.Steps[3].Text}, " ")
	for _, w := range []string{"Personal Hotspot", "home network", "Corporate", "inspect", "block Apple"} {
		if !strings.Contains(all, w) {
			t.Errorf("try-other-network advice lacks %q", w)
		}
	}
}

// On Linux a URL is opened with xdg-open: without it, no fix that opens one
// is available, and fix list must say why.
func TestURLFixesNeedXDGOpen(t *testing.T) {
	tests := []struct {
		id      string
		hasXDG  bool
		wantOK  bool
		wantWhy string
	}{
		{FixResetPassword, true, true, ""},
		{FixResetPassword, false, false, "xdg-open (/usr/bin/xdg-open) is not installed"},
		{verdict.FixOpenSystemStatus, false, false, "xdg-open (/usr/bin/xdg-open) is not installed"},
		{verdict.FixOpenCaptivePortal, false, false, "xdg-open (/usr/bin/xdg-open) is not installed"},
		{FixCopyReport, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/xdg-open=%v", tt.id, tt.hasXDG), func(t *testing.T) {
			f, _ := Lookup(tt.id)
			p, err := f.Plan(Context{GOOS: "linux", LookPath: func(p string) bool { return p != "/usr/bin/xdg-open" || tt.hasXDG }})
			if err != nil || p.Available != tt.wantOK || p.Why != tt.wantWhy {
				t.Errorf("plan = available %v, why %q, %v; want %v, %q", p.Available, p.Why, err, tt.wantOK, tt.wantWhy)
			}
		})
	}
}
