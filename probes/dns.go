package probes

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
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
	// Control is the control name (not Apple's) through the system
	// resolver: a resolver that fails it too is broken, not filtering.
	Control *DNSLookup `json:"control,omitempty"`
	// Filtered are names the system resolver blocks while a public
	// resolver gives a routable answer: a sinkhole address, NXDOMAIN,
	// REFUSED or no address for Apple's names while the control name
	// resolves, or a redirect to a server that is not Apple's (Redirects).
	Filtered []string `json:"filtered"`
	// Broken are names the system resolver cannot answer at all (SERVFAIL,
	// a timeout, an unreachable server, or it fails the control name as
	// well) while public resolvers answer: a broken resolver.
	Broken []string `json:"broken"`
	// Failed are names that resolve nowhere.
	Failed []string `json:"failed"`
	// Redirects compare the system resolver's answer with a public one
	// where the two share no address: a TLS handshake to each tells a CDN's
	// other edge (both genuine) from a filter's block page.
	Redirects []DNSRedirect `json:"redirects,omitempty"`
}

// DNSRedirect is one name whose system and public answers disagree.
type DNSRedirect struct {
	Name string `json:"name"`
	// System and Public are handshakes with the name's SNI to the address
	// each resolver gave.
	System TLSHandshake `json:"system"`
	Public TLSHandshake `json:"public"`
	// BlockPage is true when the public address presents Apple's genuine
	// chain and the system one does not (another certificate, or no TLS
	// at all: an HTTP block page).
	BlockPage bool `json:"block_page"`
}

// BlockPage returns the first redirect to a block page, or nil.
func (e *DNSEvidence) BlockPage() *DNSRedirect {
	for i := range e.Redirects {
		if e.Redirects[i].BlockPage {
			return &e.Redirects[i]
		}
	}
	return nil
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
	// Control is a name that is not Apple's and that public resolvers
	// answer ("" means none): it tells a broken resolver from a filter.
	Control string
	// Port and TrustedIssuers are for the redirect check's handshakes.
	Port           int
	TrustedIssuers []string
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
	if p.Control != "" {
		wg.Go(func() {
			l := p.system(ctx, p.Control)
			ev.Control = &l
		})
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

	ev.Broken = []string{}
	controlOK := ev.Control == nil || ev.Control.Routable()
	var worst Class
	var redirects []int
	for i, name := range p.Names {
		if ev.System[i].Routable() {
			if p.disagree(ev, i) {
				redirects = append(redirects, i)
			}
			continue
		}
		publicOK := false
		for j := range p.Public {
			if ev.Public[i*len(p.Public)+j].Routable() {
				publicOK = true
			}
		}
		switch {
		case !publicOK:
			ev.Failed = append(ev.Failed, name)
		case controlOK && blocks(ev.System[i].Class):
			ev.Filtered = append(ev.Filtered, name)
		default:
			ev.Broken = append(ev.Broken, name)
		}
		if worst == ClassNone {
			worst = ev.System[i].Class
		}
	}
	p.checkRedirects(ctx, ev, redirects)
	for _, r := range ev.Redirects {
		if r.BlockPage {
			ev.Filtered = append(ev.Filtered, r.Name)
			if worst == ClassNone {
				worst = "block page"
			}
		}
	}

	res := Result{Evidence: ev}
	switch {
	case len(ev.Filtered) > 0:
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("system resolver blocks %s (%s); public resolvers answer", nameList(ev.Filtered, len(p.Names)), worst)
	case len(ev.Broken) > 0:
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("system resolver fails %s (%s); public resolvers answer", nameList(ev.Broken, len(p.Names)), worst)
		if ev.Control != nil && !ev.Control.Routable() {
			res.Summary += fmt.Sprintf(", it fails %s too", ev.Control.Name)
		}
	case len(ev.Failed) > 0:
		res.Status = StatusFail
		res.Summary = fmt.Sprintf("%s: no usable answer anywhere (%s)", nameList(ev.Failed, len(p.Names)), worst)
	default:
		res.Status = StatusOK
		res.Summary = fmt.Sprintf("%d Apple names resolve", len(p.Names))
	}
	return res
}

// blocks reports whether a system lookup's failure is an answer (a filter's
// policy) rather than the resolver failing to answer.
func blocks(c Class) bool {
	switch c {
	case ClassSinkhole, ClassNXDomain, ClassDNSRefused, ClassNoAnswer:
		return true
	}
	return false
}

// disagree reports whether name i's system answer shares no IPv4 address
// with a routable public answer (public resolvers are asked for A only).
func (p DNS) disagree(ev *DNSEvidence, i int) bool {
	sys := map[netip.Addr]bool{}
	for _, a := range ev.System[i].Addresses {
		if a.Is4() {
			sys[a] = true
		}
	}
	if len(sys) == 0 {
		return false
	}
	seen := false
	for j := range p.Public {
		l := ev.Public[i*len(p.Public)+j]
		if !l.Routable() {
			continue
		}
		seen = true
		for _, a := range l.Addresses {
			if sys[a] {
				return false
			}
		}
	}
	return seen
}

// checkRedirects shakes hands with the system's and a public resolver's
// address for each disagreeing name, concurrently, and records them.
func (p DNS) checkRedirects(ctx context.Context, ev *DNSEvidence, idx []int) {
	if len(idx) == 0 || p.Port == 0 {
		return
	}
	ev.Redirects = make([]DNSRedirect, len(idx))
	tp := TLS{Env: p.Env, Port: p.Port, TrustedIssuers: p.TrustedIssuers}
	var wg sync.WaitGroup
	for k, i := range idx {
		r := &ev.Redirects[k]
		r.Name = p.Names[i]
		sys := firstIPv4(ev.System[i].Addresses)
		var pub netip.Addr
		for j := range p.Public {
			if l := ev.Public[i*len(p.Public)+j]; l.Routable() && !pub.IsValid() {
				pub = firstIPv4(l.Addresses)
			}
		}
		wg.Go(func() { tp.handshakeAt(ctx, r.Name, sys, &r.System) })
		wg.Go(func() { tp.handshakeAt(ctx, r.Name, pub, &r.Public) })
	}
	wg.Wait()
	for k := range ev.Redirects {
		r := &ev.Redirects[k]
		r.BlockPage = r.Public.genuine() && !r.System.genuine() && r.System.Stage != "connect"
	}
}

func firstIPv4(addrs []netip.Addr) netip.Addr {
	for _, a := range addrs {
		if a.Is4() {
			return a
		}
	}
	return netip.Addr{}
}

func (p DNS) system(ctx context.Context, name string) DNSLookup {
	l := DNSLookup{Name: name, Resolver: "system", Addresses: []netip.Addr{}}
	start := time.Now()
	addrs, err := p.Env.lookup(ctx, name)
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
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 1500)
	for {
		// UDP loses datagrams and some resolvers drop bursts: ask again
		// every retransmitEvery, as the OS resolver does, until ctx ends.
		if _, err := conn.Write(q); err != nil {
			return nil, fmt.Errorf("query %s at %s: %w", name, server, err)
		}
		wait := time.Now().Add(retransmitEvery)
		if dl, ok := ctx.Deadline(); ok && dl.Before(wait) {
			wait = dl
		}
		conn.SetReadDeadline(wait)
		if ctx.Err() != nil { // cancelled before the deadline above was set
			return nil, fmt.Errorf("query %s at %s: %w", name, server, ctx.Err())
		}
		out, err := readAnswer(conn, buf, id)
		switch {
		case err == nil:
			return out, nil
		case ctx.Err() != nil:
			return nil, fmt.Errorf("query %s at %s: %w", name, server, ctx.Err())
		case errors.Is(err, os.ErrDeadlineExceeded):
			continue
		default:
			return nil, fmt.Errorf("query %s at %s: %w", name, server, err)
		}
	}
}

// retransmitEvery is how long QueryA waits for an answer before asking again.
const retransmitEvery = time.Second

// readAnswer reads datagrams until the answer to query id arrives, and
// returns its A records.
func readAnswer(conn net.Conn, buf []byte, id uint16) ([]netip.Addr, error) {
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		var m dnsmessage.Message
		if err := m.Unpack(buf[:n]); err != nil || m.Header.ID != id || !m.Header.Response {
			continue // a stray or spoofed datagram: keep waiting for ours
		}
		if m.Header.RCode != dnsmessage.RCodeSuccess {
			return nil, rcodeError(m.Header.RCode)
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
