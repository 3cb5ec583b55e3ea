package probes

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
)

// ControlEvidence is what the control probe found.
type ControlEvidence struct {
	Targets []Attempt `json:"targets"`
}

// AnyOK reports whether at least one control target answered.
func (e *ControlEvidence) AnyOK() bool {
	for _, t := range e.Targets {
		if t.OK {
			return true
		}
	}
	return false
}

// Control connects to well-known non-Apple anycast services. If they answer
// and Apple does not, the problem is between this Mac and Apple, not "the
// internet is down".
type Control struct {
	Env     Env
	Targets []string // ip:port
}

func (Control) ID() ID { return IDControl }

func (p Control) Run(ctx context.Context) Result {
	ev := &ControlEvidence{Targets: make([]Attempt, len(p.Targets))}
	var wg sync.WaitGroup
	for i, t := range p.Targets {
		wg.Go(func() {
			host, portStr, _ := net.SplitHostPort(t)
			port, _ := strconv.Atoi(portStr)
			conn, err := dialTimed(ctx, p.Env, "tcp", host, port, &ev.Targets[i])
			if err == nil {
				conn.Close()
			}
		})
	}
	wg.Wait()
	res := Result{Evidence: ev}
	ok := 0
	for _, t := range ev.Targets {
		if t.OK {
			ok++
		}
	}
	switch {
	case len(p.Targets) == 0:
		res.Status, res.Summary = StatusSkip, "no control targets configured"
	case ok == 0:
		res.Status, res.Summary = StatusFail, fmt.Sprintf("general internet unreachable (%s)", ev.Targets[0].Class)
	default:
		res.Status, res.Summary = StatusOK, fmt.Sprintf("general internet reachable (%d/%d)", ok, len(p.Targets))
	}
	return res
}
