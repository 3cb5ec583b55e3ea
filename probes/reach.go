package probes

import (
	"context"
	"fmt"
	"sync"
)

// ReachEvidence is what the reach probe found.
type ReachEvidence struct {
	SignIn []Attempt `json:"signin"`
	Push   *Attempt  `json:"push,omitempty"`
}

// SignInOK reports how many sign-in hosts accepted a TCP connection.
func (e *ReachEvidence) SignInOK() int {
	n := 0
	for _, a := range e.SignIn {
		if a.OK {
			n++
		}
	}
	return n
}

// Reach opens TCP connections to the sign-in hosts and the push host, telling
// refused, reset, timed out and unreachable apart: each points at a different
// kind of firewall.
type Reach struct {
	Env      Env
	Hosts    []string
	Port     int
	PushHost string
	PushPort int
}

func (Reach) ID() ID { return IDReach }

func (p Reach) Run(ctx context.Context) Result {
	ev := &ReachEvidence{SignIn: make([]Attempt, len(p.Hosts))}
	if p.PushHost != "" {
		ev.Push = &Attempt{}
	}
	var wg sync.WaitGroup
	try := func(host string, port int, a *Attempt) {
		wg.Go(func() {
			if conn, err := dialTimed(ctx, p.Env, "tcp", host, port, a); err == nil {
				conn.Close()
			}
		})
	}
	for i, h := range p.Hosts {
		try(h, p.Port, &ev.SignIn[i])
	}
	if ev.Push != nil {
		try(p.PushHost, p.PushPort, ev.Push)
	}
	wg.Wait()

	res := Result{Evidence: ev}
	ok := ev.SignInOK()
	switch {
	case ok < len(ev.SignIn):
		var bad *Attempt
		for i := range ev.SignIn {
			if !ev.SignIn[i].OK {
				bad = &ev.SignIn[i]
				break
			}
		}
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("%d of %d sign-in hosts %s at %s (%s)", len(ev.SignIn)-ok, len(ev.SignIn), bad.Class, bad.Stage, bad.Target)
	case ev.Push != nil && !ev.Push.OK:
		res.Status = StatusWarn
		res.Summary = fmt.Sprintf("sign-in hosts reachable; push %s %s", ev.Push.Target, ev.Push.Class)
	default:
		res.Status = StatusOK
		res.Summary = fmt.Sprintf("%d sign-in hosts reachable", ok)
		if ev.Push != nil {
			res.Summary += ", push port open"
		}
	}
	return res
}
