package probes

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// Lookups is one cycle's answers from the system resolver, shared by every
// probe that names a host. A cycle names about thirty hosts, many of them
// in several probes (the sign-in hosts in dns, proxy, vpn, reach, tls and
// https); asking the resolver once per name
//
//   - halves what a cycle sends: resolvers that rate-limit bursts (some drop
//     queries after 20–25 in a row) used to lose one, and the probe waiting
//     on it spent its whole budget;
//   - gives every probe the same answer, so evidence from two probes about
//     one host is about the same addresses;
//   - asks again while a query goes unanswered (every LookupRetry), as the
//     OS resolver retransmits, instead of waiting out Go's 5 s resolv.conf
//     timeout: one lost datagram costs about a second, not a probe.
//
// Only silence is asked again. An answer — addresses, NXDOMAIN, SERVFAIL,
// a refusal — is the cycle's answer for that name at once, so a broken
// resolver is reported as promptly as before. A caller whose context ends
// first gets a timeout error of its own; the query goes on for the others
// until the cycle's context ends.
type Lookups struct {
	ctx      context.Context // the cycle's: queries outlive a probe, not the cycle
	resolver *net.Resolver

	mu    sync.Mutex
	names map[string]*lookup
}

// LookupRetry is how long a query goes unanswered before the name is asked
// again beside it.
const LookupRetry = time.Second

// maxLookupAttempts bounds the queries one name is asked with in a cycle.
const maxLookupAttempts = 4

type lookup struct {
	done  chan struct{} // closed when addrs and err are final
	addrs []netip.Addr
	err   error
}

// NewLookups answers from r for as long as ctx, the cycle's context, lasts.
func NewLookups(ctx context.Context, r *net.Resolver) *Lookups {
	return &Lookups{ctx: ctx, resolver: r, names: map[string]*lookup{}}
}

// LookupNetIP is r.LookupNetIP(ctx, "ip", host), asked once a cycle.
func (l *Lookups) LookupNetIP(ctx context.Context, host string) ([]netip.Addr, error) {
	key := strings.ToLower(strings.TrimSuffix(host, "."))
	l.mu.Lock()
	q, ok := l.names[key]
	if !ok {
		q = &lookup{done: make(chan struct{})}
		l.names[key] = q
		go l.resolve(q, host)
	}
	l.mu.Unlock()
	select {
	case <-q.done:
		return slices.Clone(q.addrs), q.err
	case <-ctx.Done():
		return nil, contextDNSError(ctx.Err(), host)
	}
}

// resolve asks for host until an answer comes, asking again beside the
// query in flight every LookupRetry.
func (l *Lookups) resolve(q *lookup, host string) {
	defer close(q.done)
	ctx, cancel := context.WithCancel(l.ctx)
	defer cancel() // the attempts still in flight stop when one answers
	type answer struct {
		addrs []netip.Addr
		err   error
	}
	answers := make(chan answer, maxLookupAttempts) // never blocks an attempt
	attempts, inFlight := 0, 0
	ask := func() {
		attempts++
		inFlight++
		go func() {
			addrs, err := l.attemptResolver().LookupNetIP(ctx, "ip", host)
			answers <- answer{addrs, err}
		}()
	}
	ask()
	retry := time.NewTicker(LookupRetry)
	defer retry.Stop()
	for {
		select {
		case a := <-answers:
			inFlight--
			if !unanswered(a.err) {
				q.addrs, q.err = a.addrs, a.err
				return
			}
			q.err = a.err
			if inFlight == 0 && attempts < maxLookupAttempts {
				ask()
			} else if inFlight == 0 {
				return // every attempt went unanswered
			}
		case <-retry.C:
			if attempts < maxLookupAttempts {
				ask()
			}
		case <-ctx.Done():
			if q.err == nil {
				q.err = contextDNSError(ctx.Err(), host)
			}
			return
		}
	}
}

// attemptResolver is the system resolver for one attempt: a Resolver of its
// own, because one Resolver folds a lookup into the same name's lookup in
// flight, and an attempt beside a silent query must send a query.
func (l *Lookups) attemptResolver() *net.Resolver {
	r := l.resolver
	if r == nil {
		r = net.DefaultResolver
	}
	return &net.Resolver{PreferGo: r.PreferGo, StrictErrors: r.StrictErrors, Dial: r.Dial}
}

// unanswered reports whether err is silence (a timeout), the one outcome
// worth asking again about.
func unanswered(err error) bool {
	var dnsErr *net.DNSError
	return err != nil && errors.As(err, &dnsErr) && dnsErr.IsTimeout
}

// contextDNSError is the error the resolver itself gives when ctx ends
// during a lookup, so that Classify sees the same timeout either way.
func contextDNSError(err error, host string) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &net.DNSError{Err: "i/o timeout", Name: host, IsTimeout: true}
	}
	return &net.DNSError{Err: "operation was canceled", Name: host}
}

// lookup resolves host with the system resolver: through the cycle's
// Lookups when there is one, else directly.
func (e Env) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if e.Lookups != nil {
		return e.Lookups.LookupNetIP(ctx, host)
	}
	return e.Resolver.LookupNetIP(ctx, "ip", host)
}
