package netenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/idpulse/idpulse/probes/command"
)

// NCService is one network connection (VPN) service from `scutil --nc list`,
// or an active NetworkManager VPN connection from nmcli on Linux.
type NCService struct {
	Enabled   bool   `json:"enabled"`
	Status    string `json:"status"` // Connected, Disconnected, Connecting, Disconnecting, Invalid
	ID        string `json:"id"`
	Interface string `json:"interface"`
	// Name is the service name as the user sees it. scutil pads it with
	// CFStringPad, which truncates a name of 32 characters or more: such a
	// name arrives without its last character and closing quote.
	Name string `json:"name"`
	Type string `json:"type"` // e.g. "PPP:L2TP", "IPSec", "VPN:com.wireguard.macos"
}

// VPNState is what the machine's VPN is doing to internet traffic.
type VPNState struct {
	// Active: a VPN carries Apple's traffic. With Routes known, that is a
	// route to one of Apple's addresses leaving through a tunnel; without,
	// a Connected service or a default route through a tunnel.
	Active bool `json:"active"`
	// Services are the Connected services: macOS's network connection
	// services, Linux's active NetworkManager VPN and WireGuard connections
	// (ID is then the connection's UUID, Interface its device).
	Services []NCService `json:"services,omitempty"`
	// DefaultViaTunnel: the default route leaves through a tunnel interface,
	// so Apple's servers see the VPN's exit, not the user's network.
	DefaultViaTunnel bool   `json:"default_via_tunnel"`
	Interface        string `json:"interface,omitempty"`
	// Routes are the routes to Apple's addresses, one per destination.
	Routes []RouteTo `json:"routes,omitempty"`
}

// WithRoutes records the routes to Apple's addresses and decides Active from
// them when at least one was found: a VPN that is Connected but that Apple's
// traffic bypasses is not the path, and a VPN that does not own the default
// route but carries Apple's addresses (split defaults, 17.0.0.0/8) is.
func (s VPNState) WithRoutes(routes []RouteTo) VPNState {
	s.Routes = routes
	known := false
	for _, r := range routes {
		if r.Interface != "" {
			known = true
		}
	}
	if known {
		s.Active = len(s.TunnelRoutes()) > 0
	}
	return s
}

// TunnelRoutes are the routes to Apple's addresses that leave through a tunnel.
func (s VPNState) TunnelRoutes() []RouteTo {
	var out []RouteTo
	for _, r := range s.Routes {
		if r.Tunnel {
			out = append(out, r)
		}
	}
	return out
}

const ncListHeader = "Available network connection services in the current set"

// ParseScutilNCList reads `scutil --nc list`. Each service line is printed by
// configd's nc_print_VPN_service as
//
//	printf("%@ %@ %@ %@ %@ [%@%@%@]", enabled, "(Status)", serviceID,
//	       interfaceDisplayName, "\"Name\"", type, ":", subtype)
//
// with status, display name and name padded to 16, 18 and 32 columns. The
// display name ("PPP --> L2TP", "VPN (com.wireguard.macos)") and the name may
// both contain spaces, so the line is taken apart from both ends: enabled
// mark, status and ID from the left, [type] from the right, and the name from
// the first double quote after the display name to the last one.
func ParseScutilNCList(out []byte) ([]NCService, error) {
	services := []NCService{}
	sawHeader := false
	n := 0
	for line := range strings.Lines(string(out)) {
		n++
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !sawHeader {
			if !strings.HasPrefix(strings.TrimSpace(line), ncListHeader) {
				return nil, fmt.Errorf("parse scutil --nc list: line %d: want %q, got %q", n, ncListHeader, clip(line))
			}
			sawHeader = true
			continue
		}
		svc, err := parseNCLine(line)
		if err != nil {
			return nil, fmt.Errorf("parse scutil --nc list: line %d: %w: %q", n, err, clip(line))
		}
		services = append(services, svc)
	}
	if !sawHeader {
		return nil, errors.New("parse scutil --nc list: empty output")
	}
	return services, nil
}

func parseNCLine(line string) (NCService, error) {
	var s NCService
	switch line[0] {
	case '*':
		s.Enabled = true
	case ' ':
	default:
		return NCService{}, errors.New("first column is neither '*' nor ' '")
	}
	rest := strings.TrimLeft(line[1:], " ")
	if !strings.HasPrefix(rest, "(") {
		return NCService{}, errors.New("no (status)")
	}
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return NCService{}, errors.New("unclosed (status")
	}
	s.Status = rest[1:end]
	rest = strings.TrimLeft(rest[end+1:], " ")
	s.ID, rest, _ = strings.Cut(rest, " ")
	if s.ID == "" {
		return NCService{}, errors.New("no service ID")
	}
	rest = strings.TrimRight(rest, " \t")
	open := strings.LastIndexByte(rest, '[')
	if open < 0 || !strings.HasSuffix(rest, "]") {
		return NCService{}, errors.New("no [type] at the end")
	}
	s.Type = rest[open+1 : len(rest)-1]
	mid := rest[:open]
	q := strings.IndexByte(mid, '"')
	if q < 0 {
		return NCService{}, errors.New("no quoted service name")
	}
	s.Interface = strings.TrimSpace(mid[:q])
	name := strings.TrimRight(mid[q+1:], " ")
	// A missing closing quote is CFStringPad's truncation, not an error.
	s.Name = strings.TrimSuffix(name, `"`)
	return s, nil
}

// IsTunnelInterface reports whether an interface name is a VPN-style tunnel:
// on darwin utunN, pppN and ipsecN (every VPN, Network Extension ones
// included, gets one of those; the old tuntaposx tunN is gone since kexts
// were); elsewhere the names VPN clients give their devices (linuxTunnelPrefixes)
// and any name containing "vpn".
//
// macOS daemons such as identityservicesd create utun interfaces with no VPN
// at all, so a name alone means something only for an interface a route to
// the Internet (or to Apple) goes out of.
func IsTunnelInterface(name, goos string) bool {
	if goos == "darwin" || goos == "ios" {
		for _, p := range []string{"utun", "ppp", "ipsec"} {
			if rest, ok := strings.CutPrefix(name, p); ok && isDigits(rest) {
				return true
			}
		}
		return false
	}
	lower := strings.ToLower(name)
	for _, p := range linuxTunnelPrefixes() {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return strings.Contains(lower, "vpn")
}

// linuxTunnelPrefixes: tun/tap (OpenVPN, OpenConnect, WireGuard-go), wg
// (WireGuard, Mullvad's wg0-mullvad), ppp (PPTP, L2TP), tailscale, zt
// (ZeroTier), ipsec/vti/xfrm (strongSwan, libreswan), cscotun (Cisco
// AnyConnect), gpd (GlobalProtect). TunnelInterface also asks sysfs, which
// catches tun and WireGuard devices whatever they are called.
func linuxTunnelPrefixes() []string {
	return []string{"tun", "tap", "wg", "ppp", "tailscale", "zt", "ipsec", "vti", "xfrm", "cscotun", "gpd"}
}

// TunnelInterface is IsTunnelInterface plus, on Linux, what the kernel says
// about the device under sysClassNet (/sys/class/net): a tun_flags file
// (a TUN/TAP device) or a link type of a tunnel: ARPHRD_NONE (65534: TUN
// and WireGuard), ARPHRD_PPP (512), ARPHRD_TUNNEL and TUNNEL6 (768, 769:
// IPIP and VTI).
func TunnelInterface(name, goos, sysClassNet string) bool {
	if IsTunnelInterface(name, goos) {
		return true
	}
	if goos != "linux" && goos != "android" || name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return false
	}
	dir := filepath.Join(sysClassNet, name)
	if _, err := os.Stat(filepath.Join(dir, "tun_flags")); err == nil {
		return true
	}
	b, err := os.ReadFile(filepath.Join(dir, "type"))
	if err != nil {
		return false
	}
	switch strings.TrimSpace(string(b)) {
	case "65534", "512", "768", "769":
		return true
	}
	return false
}

// ReadVPN combines the two VPN signals: the connected VPN services (on
// darwin from `scutil --nc list`, which covers IPSec, L2TP and Network
// Extension VPNs; on Linux the active NetworkManager VPN and WireGuard
// connections from nmcli, where it is installed), and on every OS whether
// the default route leaves through a tunnel (which also catches VPNs that
// neither lists, such as a bare OpenVPN).
//
// When scutil or nmcli fails, the returned state still holds the
// route-based signal alongside the error.
func ReadVPN(ctx context.Context, r command.Runner, goos string, route DefaultRoute) (VPNState, error) {
	st := VPNState{
		Interface:        route.Interface,
		DefaultViaTunnel: route.Interface != "" && IsTunnelInterface(route.Interface, goos),
	}
	st.Active = st.DefaultViaTunnel
	switch goos {
	case "darwin":
	case "linux":
		vpns, err := readNMVPNs(ctx, r)
		st.Services = vpns
		st.Active = st.Active || len(vpns) > 0
		return st, err
	default:
		return st, nil
	}
	out, err := run(ctx, r, scutilPath, "--nc", "list")
	if err != nil {
		return st, fmt.Errorf("read VPN services: %w", err)
	}
	all, err := ParseScutilNCList(out)
	if err != nil {
		return st, fmt.Errorf("read VPN services: %w", err)
	}
	for _, s := range all {
		if s.Status == "Connected" {
			st.Services = append(st.Services, s)
		}
	}
	st.Active = st.Active || len(st.Services) > 0
	return st, nil
}
