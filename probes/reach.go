package probes

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// ReachEvidence is what the reach probe found.
type ReachEvidence struct {
	SignIn []Attempt `json:"signin"`
	Push   *Attempt  `json:"push,omitempty"`
	// Push443 is the push host on port 443, where APNs falls back when its
	// own port is blocked: slower, and it works only on some networks.
	// Dialled beside Push (not after it) so a dropped 5223 costs no extra
	// time; nil when the push port is 443 already.
	Push443 *Attempt `json:"push_443,omitempty"`
	// Families tests the first sign-in host over each address family on its
	// own, when it has addresses of both: a broken family is hidden by Happy
	// Eyeballs in SignIn, and shows here.
	Families *FamilyCheck `json:"families,omitempty"`
}

// FamilyCheck is one host dialled over IPv6 only and over IPv4 only.
type FamilyCheck struct {
	Host string  `json:"host"`
	IPv6 Attempt `json:"ipv6"`
	IPv4 Attempt `json:"ipv4"`
}

// IPv6Broken reports whether IPv4 works while IPv6, which this machine has a
// route for (the kernel took the connection attempt: no ENETUNREACH),
// does not. No IPv6 route at all is not broken: the OS then never tries it.
func (c *FamilyCheck) IPv6Broken() bool {
	return c != nil && c.IPv4.OK && !c.IPv6.OK && c.IPv6.Class != ClassUnreachable
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
		if p.PushPort != 443 {
			ev.Push443 = &Attempt{}
		}
	}
	var wg sync.WaitGroup
	try := func(dial func(context.Context, Env, string, int, *Attempt) (net.Conn, error), host string, port int, a *Attempt) {
		wg.Go(func() {
			if conn, err := dial(ctx, p.Env, host, port, a); err == nil {
				conn.Close()
			}
		})
	}
	for i, h := range p.Hosts {
		// Through the proxy when the OS would use one for this host.
		try(dialApple, h, p.Port, &ev.SignIn[i])
	}
	if len(p.Hosts) > 0 && !p.proxied(p.Hosts[0]) {
		wg.Go(func() { ev.Families = p.families(ctx, p.Hosts[0]) })
	}
	if ev.Push != nil {
		// APNs' couriers are always reached directly: proxies do not
		// carry port 5223.
		try(dialTCP, p.PushHost, p.PushPort, ev.Push)
		if ev.Push443 != nil {
			try(dialTCP, p.PushHost, 443, ev.Push443)
		}
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
	case ev.Families.IPv6Broken():
		res.Status = StatusWarn
		res.Summary = fmt.Sprintf("sign-in hosts reachable over IPv4; IPv6 to %s fails (%s)", ev.Families.Host, ev.Families.IPv6.Class)
	case ev.Push != nil && !ev.Push.OK:
		res.Status = StatusWarn
		res.Summary = fmt.Sprintf("sign-in hosts reachable; push %s %s", ev.Push.Target, ev.Push.Class)
		switch {
		case ev.Push443 == nil:
		case ev.Push443.OK:
			res.Summary += " (port 443 works)"
		default:
			res.Summary += fmt.Sprintf(", port 443 %s too", ev.Push443.Class)
		}
	default:
		res.Status = StatusOK
		res.Summary = fmt.Sprintf("%d sign-in hosts reachable", ok)
		if ev.Push != nil {
			res.Summary += ", push port open"
		}
	}
	return res
}

// familyGrace bounds how long the IPv6-only dial may run on once the
// IPv4-only one connected: past max(familyGrace, 4 × IPv4's connect time) a
// family is broken for every practical purpose (the OS fell back to the
// other after 250 ms), and waiting longer would cost the cycle its budget.
const familyGrace = time.Second

// families dials host over each family on its own; nil when host does not
// have addresses of both.
func (p Reach) families(ctx context.Context, host string) *FamilyCheck {
	addrs, err := p.Env.lookup(ctx, host)
	if err != nil {
		return nil
	}
	var v6, v4 []netip.Addr
	for _, a := range addrs {
		if a.Unmap().Is4() {
			v4 = append(v4, a.Unmap())
		} else {
			v6 = append(v6, a)
		}
	}
	if len(v6) == 0 || len(v4) == 0 {
		return nil
	}
	c := &FamilyCheck{Host: host}
	ctx6, cancel6 := context.WithCancel(ctx)
	defer cancel6()
	var wg sync.WaitGroup
	dial := func(ctx context.Context, addrs []netip.Addr, a *Attempt) {
		a.Target = net.JoinHostPort(host, strconv.Itoa(p.Port))
		start := time.Now()
		conn, addr, err := raceDial(ctx, p.Env.Dialer, "tcp", addrs, p.Port)
		a.Phases.Connect, a.Address = time.Since(start), addr
		if err != nil {
			a.fail("connect", err)
			return
		}
		conn.Close()
		a.OK = true
	}
	wg.Go(func() { dial(ctx6, v6, &c.IPv6) })
	dial(ctx, v4, &c.IPv4)
	if c.IPv4.OK {
		grace := max(familyGrace, 4*c.IPv4.Phases.Connect)
		stop := time.AfterFunc(grace, cancel6)
		defer stop.Stop()
	}
	wg.Wait()
	if !c.IPv6.OK && ctx6.Err() != nil && ctx.Err() == nil {
		// Cut short by the grace above, not by a failure of its own.
		c.IPv6.Class = ClassTimeout
		c.IPv6.Error = fmt.Sprintf("no IPv6 connection within %s while IPv4 connected in %s",
			max(familyGrace, 4*c.IPv4.Phases.Connect).Round(time.Millisecond), HumanDuration(c.IPv4.Phases.Connect))
	}
	return c
}

// dialTCP is dialTimed for TCP, in dialApple's shape.
func dialTCP(ctx context.Context, env Env, host string, port int, a *Attempt) (net.Conn, error) {
	return dialTimed(ctx, env, "tcp", host, port, a)
}

// proxied reports whether the OS sends https://host:port through a proxy.
func (p Reach) proxied(host string) bool {
	pu, err := p.Env.proxyFor(&url.URL{Scheme: "https", Host: net.JoinHostPort(host, strconv.Itoa(p.Port))})
	return err == nil && pu != nil
}
