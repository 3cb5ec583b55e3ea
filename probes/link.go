package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/idpulse/idpulse/probes/netenv"
)

// Interface is one network interface as the link probe sees it.
type Interface struct {
	Name      string       `json:"name"`
	Up        bool         `json:"up"`
	Loopback  bool         `json:"loopback"`
	Addresses []netip.Addr `json:"addresses"`
}

// SystemInterfaces lists the machine's interfaces with their addresses.
func SystemInterfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	out := make([]Interface, 0, len(ifs))
	for _, ifc := range ifs {
		it := Interface{Name: ifc.Name, Up: ifc.Flags&net.FlagUp != 0, Loopback: ifc.Flags&net.FlagLoopback != 0}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				it.Addresses = append(it.Addresses, p.Addr())
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// LinkEvidence is what the link probe found.
type LinkEvidence struct {
	Interfaces   []Interface          `json:"interfaces"`
	DefaultRoute *netenv.DefaultRoute `json:"default_route"`
	Error        string               `json:"error,omitempty"`
}

// Link checks that a non-loopback interface is up with a usable address and
// that a default route exists: without both, nothing else can work.
type Link struct {
	Env Env
}

func (Link) ID() ID { return IDLink }

func (p Link) Run(ctx context.Context) Result {
	ev := &LinkEvidence{}
	res := Result{Evidence: ev}
	list := p.Env.Interfaces
	if list == nil {
		list = SystemInterfaces
	}
	ifs, err := list()
	if err != nil {
		ev.Error = err.Error()
		res.Status, res.Summary = StatusError, "could not list network interfaces"
		return res
	}
	var usable []string
	for _, ifc := range ifs {
		if !ifc.Up || ifc.Loopback {
			continue
		}
		var kept []netip.Addr
		for _, a := range ifc.Addresses {
			// An IPv6 link-local address appears on every up interface, cable or not.
			if a.IsLoopback() || a.IsLinkLocalUnicast() {
				continue
			}
			kept = append(kept, a)
		}
		if len(kept) > 0 {
			ifc.Addresses = kept
			ev.Interfaces = append(ev.Interfaces, ifc)
			usable = append(usable, ifc.Name)
		}
	}
	route, err := netenv.ReadDefaultRoute(ctx, p.Env.Runner, p.Env.GOOS, p.Env.ProcRoute)
	if err == nil {
		ev.DefaultRoute = &route
	} else if !errors.Is(err, netenv.ErrNoDefaultRoute) {
		ev.Error = err.Error()
	}
	switch {
	case len(usable) == 0:
		res.Status, res.Summary = StatusFail, "no network interface is up with an address"
	case ev.DefaultRoute == nil && ev.Error != "":
		res.Status, res.Summary = StatusWarn, fmt.Sprintf("%s up; default route unknown", strings.Join(usable, ", "))
	case ev.DefaultRoute == nil:
		res.Status, res.Summary = StatusFail, fmt.Sprintf("%s up but there is no default route", strings.Join(usable, ", "))
	default:
		via := ev.DefaultRoute.Interface
		if ev.DefaultRoute.Gateway != "" {
			via = ev.DefaultRoute.Gateway + " on " + via
		}
		res.Status, res.Summary = StatusOK, "default route via "+via
	}
	return res
}
