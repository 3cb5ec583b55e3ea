package probes

import (
	"context"
	"strings"

	"github.com/idpulse/idpulse/probes/netenv"
)

// SystemEvidence is what the system probe found.
type SystemEvidence struct {
	netenv.SystemInfo
	Error string `json:"error,omitempty"`
}

// System records the OS name, version, build and hardware model: Apple
// Support asks for them first.
type System struct {
	Env Env
}

func (System) ID() ID { return IDSystem }

func (p System) Run(ctx context.Context) Result {
	info, err := netenv.ReadSystemInfo(ctx, p.Env.Runner, p.Env.GOOS)
	ev := &SystemEvidence{SystemInfo: info}
	res := Result{Evidence: ev, Status: StatusOK}
	if err != nil {
		ev.Error = err.Error()
		res.Status = StatusWarn
	}
	parts := []string{}
	for _, s := range []string{info.OS, info.Version, info.Extra} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if info.Build != "" {
		parts = append(parts, "("+info.Build+")")
	}
	if info.Model != "" {
		parts = append(parts, "on "+info.Model)
	}
	res.Summary = strings.Join(parts, " ")
	if res.Summary == "" {
		res.Summary = "unknown system"
	}
	return res
}
