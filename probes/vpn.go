package probes

import (
	"context"
	"fmt"

	"github.com/idpulse/idpulse/probes/netenv"
)

// VPNEvidence is what the vpn probe found.
type VPNEvidence struct {
	netenv.VPNState
	Error string `json:"error,omitempty"`
}

// VPN notes an active VPN. It is informational: a VPN is named in the verdict
// when Apple's hosts fail, because a full-tunnel VPN is a frequent cause.
type VPN struct {
	Env Env
}

func (VPN) ID() ID { return IDVPN }

func (p VPN) Run(ctx context.Context) Result {
	ev := &VPNEvidence{}
	res := Result{Evidence: ev}
	route, err := netenv.ReadDefaultRoute(ctx, p.Env.Runner, p.Env.GOOS, p.Env.ProcRoute)
	if err != nil {
		route = netenv.DefaultRoute{}
	}
	state, err := netenv.ReadVPN(ctx, p.Env.Runner, p.Env.GOOS, route)
	ev.VPNState = state
	if err != nil {
		ev.Error = err.Error()
	}
	switch {
	case state.Active:
		name := state.Interface
		for _, s := range state.Services {
			if s.Status == "Connected" {
				name = fmt.Sprintf("%q", s.Name)
				break
			}
		}
		res.Status, res.Summary = StatusWarn, "VPN active: "+name
	case err != nil:
		res.Status, res.Summary = StatusWarn, "VPN state unknown"
	default:
		res.Status, res.Summary = StatusOK, "no VPN"
	}
	return res
}
