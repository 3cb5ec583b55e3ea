package probes

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes/netenv"
)

// DNSLookup is one name looked up through one resolver.
type DNSLookup struct {
	Name       string       `json:"name"`
	Resolver   string       `json:"resolver"` // "system" or the ip:port queried directly
	Addresses  []netip.Addr `json:"addresses"`
	Class      Class        `json:"class,omitempty"`
	Error      string       `json:"error,omitempty"`
	DurationMS float64      `json:"duration_ms"`
}

// Routable reports whether the lookup produced an address Apple could be at.
func (l DNSLookup) Routable() bool {
	return l.Class == ClassNone && len(l.Addresses) > 0 && !AllSinkholed(l.Addresses)
}

// DNSEvidence is what the dns probe found.
type DNSEvidence struct {
	Nameservers []netenv.Resolver `json:"nameservers,omitempty"`
	System      []DNSLookup       `json:"system"`
	Public      []DNSLookup       `json:"public"`
	// Filtered are names the system resolver fails or sinkholes while a
	// public resolver gives a routable answer: a DNS filter or a broken
	// resolver, not an Apple problem.
	Filtered []string `json:"filtered"`
	// Failed are names that resolve nowhere.
	Failed []string `json:"failed"`
}

// System returns the system lookup for name.
func (e *DNSEvidence) SystemLookup(name string) (DNSLookup, bool) {
	for _, l := range e.System {
		if l.Name == name {
			return l, true
		}
	}
	return DNSLookup{}, false
}

// PublicReachable reports whether any public resolver answered at all.
func (e *DNSEvidence) PublicReachable() bool {
	for _, l := range e.Public {
		if !l.Class.IsNetworkFailure() {
			return true
		}
	}
	return false
}

// DNS looks Apple's names up through the system resolver and, directly over
// UDP, through public resolvers, then compares: the comparison is what tells
// a filtering or broken local resolver from a real outage.
type DNS struct {
	Env       Env
	Names     []string
	Public    []string // ip:port
	SystemDNS string   // when set, shown as the system's name server
}

func (DNS) ID() ID { return IDDNS }

func (p DNS) Run(ctx context.Context) Result {
	ev := &DNSEvidence{
		System:   make([]DNSLookup, len(p.Names)),
		Public:   make([]DNSLookup, len(p.Names)*len(p.Public)),
		Filtered: []string{},
		Failed:   []string{},
	}
	var wg sync.WaitGroup
	for i, name := range p.Names {
		wg.Go(func() { ev.System[i] = p.system(ctx, name) })
		for j, server := range p.Public {
			wg.Go(func() { ev.Public[i*len(p.Public)+j] = p.direct(ctx, server, name) })
		}
	}
	wg.Go(func() {
		if p.SystemDNS != "" {
			ev.Nameservers = []netenv.Resolver{{Nameservers: []string{p.SystemDNS}}}
			return
		}
		// Which servers the system asks is evidence for the report, not
		// for the verdict; an error here only leaves it out.
		ev.Nameservers, _ = netenv.ReadNameservers(ctx, p.Env.Runner, p.Env.GOOS, "")
	})
	wg.Wait()

	var worst Class
	for i, name := range p.Names {
		if ev.System[i].Routable() {
			continue
		}
		publicOK := false
		for j := range p.Public {
			if ev.Public[i*len(p.Public)+j].Routable() {
				publicOK = true
			}
		}
		if publicOK {
			ev.Filtered = append(ev.Filtered, name)
		} else {
			ev.Failed = append(ev.Failed, name)
		}
		if worst == ClassNone {
			worst = ev.System[i].Class
		}
	}

	res := Result{Evidence: ev}
	switch {
	case len(ev.Filtered) > 0:
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("system resolver blocks %s (%s); public resolvers answer", nameList(ev.Filtered, len(p.Names)), worst)
	case len(ev.Failed) > 0:
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("%s: no usable answer anywhere (%s)", nameList(ev.Failed, len(p.Names)), worst)
	default:
		res.Status = StatusOK
		res.Summary = fmt.Sprintf("%d Apple names resolve", len(p.Names))
	}
	return res
}

func (p DNS) system(ctx context.Context, name string) DNSLookup {
	l := DNSLookup{Name: name, Resolver: "system", Addresses: []netip.Addr{}}
	start := time.Now()
	addrs, err := p.Env.Resolver.LookupNetIP(ctx, "ip", name)
	l.DurationMS = Millis(time.Since(start))
	if err != nil {
		l.Class, l.Error = Classify(err), err.Error()
		return l
	}
	for _, a := range addrs {
		l.Addresses = append(l.Addresses, a.Unmap())
	}
	switch {
	case len(l.Addresses) == 0:
		l.Class = ClassNoAnswer
	case AllSinkholed(l.Addresses):
		l.Class = ClassSinkhole
	}
	return l
}

func (p DNS) direct(ctx context.Context, server, name string) DNSLookup {
	l := DNSLookup{Name: name, Resolver: server, Addresses: []netip.Addr{}}
	start := time.Now()
	addrs, err := QueryA(ctx, p.Env.Dialer, server, name)
	l.DurationMS = Millis(time.Since(start))
	if err != nil {
		l.Class, l.Error = Classify(err), err.Error()
		var rc rcodeError
		if errors.As(err, &rc) {
			l.Class = rc.class()
		}
		return l
	}
	l.Addresses = addrs
	switch {
	case len(addrs) == 0:
		l.Class = ClassNoAnswer
	case AllSinkholed(addrs):
		l.Class = ClassSinkhole
	}
	return l
}

type rcodeError dnsmessage.RCode

func (e rcodeError) Error() string { return "dns answer " + dnsmessage.RCode(e).String() }

func (e rcodeError) class() Class {
	if dnsmessage.RCode(e) == dnsmessage.RCodeNameError {
		return ClassNXDomain
	}
	return ClassServFail
}

// QueryA asks server (ip:port) for name's A records over UDP, bypassing the
// system resolver and its caches entirely.
func QueryA(ctx context.Context, d Dialer, server, name string) ([]netip.Addr, error) {
	qname, err := dnsmessage.NewName(strings.TrimSuffix(name, ".") + ".")
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	var idb [2]byte
	rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	q, err := (&dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: qname, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}},
	}).Pack()
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, fmt.Errorf("query %s at %s: %w", name, server, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := conn.Write(q); err != nil {
		return nil, fmt.Errorf("query %s at %s: %w", name, server, err)
	}
	buf := make([]byte, 1500)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("query %s at %s: %w", name, server, err)
		}
		var m dnsmessage.Message
		if err := m.Unpack(buf[:n]); err != nil || m.Header.ID != id || !m.Header.Response {
			continue // a stray or spoofed datagram: keep waiting for ours
		}
		if m.Header.RCode != dnsmessage.RCodeSuccess {
			return nil, fmt.Errorf("query %s at %s: %w", name, server, rcodeError(m.Header.RCode))
		}
		var out []netip.Addr
		for _, a := range m.Answers {
			if r, ok := a.Body.(*dnsmessage.AResource); ok {
				out = append(out, netip.AddrFrom4(r.A))
			}
		}
		return out, nil
	}
}

// nameList names a few names, or counts them when there are many.
func nameList(names []string, of int) string {
	if len(names) <= 2 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%d of %d names (%s, …)", len(names), of, names[0])
}
