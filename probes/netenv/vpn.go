package netenv

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/idpulse/idpulse/probes/command"
)

// NCService is one network connection (VPN) service from `scutil --nc list`.
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
	// Active: a service is Connected, or the default route is a tunnel.
	Active bool `json:"active"`
	// Services are the Connected services (macOS only).
	Services []NCService `json:"services,omitempty"`
	// DefaultViaTunnel: the default route leaves through a tunnel interface,
	// so Apple's servers see the VPN's exit, not the user's network.
	DefaultViaTunnel bool   `json:"default_via_tunnel"`
	Interface        string `json:"interface,omitempty"`
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
// on darwin utunN, pppN and ipsecN; elsewhere tun*, tap*, wg*, ppp* and any
// name containing "vpn".
//
// macOS daemons such as identityservicesd create utun interfaces with no VPN
// at all, so this is only meaningful for the default route's interface.
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
	for _, p := range []string{"tun", "tap", "wg", "ppp"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return strings.Contains(lower, "vpn")
}

// ReadVPN combines the two VPN signals: on darwin, Connected services from
// `scutil --nc list` (which covers IPSec, L2TP and Network Extension VPNs),
// and on every OS whether the default route leaves through a tunnel (which
// also catches VPNs that scutil does not list, such as a bare OpenVPN).
//
// When scutil fails, the returned state still holds the route-based signal
// alongside the error.
func ReadVPN(ctx context.Context, r command.Runner, goos string, route DefaultRoute) (VPNState, error) {
	st := VPNState{
		Interface:        route.Interface,
		DefaultViaTunnel: route.Interface != "" && IsTunnelInterface(route.Interface, goos),
	}
	st.Active = st.DefaultViaTunnel
	if goos != "darwin" {
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
