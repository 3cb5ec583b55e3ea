package probes_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// Names end in a dot so that resolv.conf's search list never adds queries
// to the counts.
const lookupName = "appleid.apple.com."

var lookupAddr = netip.MustParseAddr("17.32.194.2")

func newLookups(t *testing.T, a probetest.Answer) (*probes.Lookups, *probetest.DNSServer, context.CancelFunc) {
	t.Helper()
	s := probetest.NewDNSServer(t)
	s.Set(lookupName, a)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return probes.NewLookups(ctx, s.Resolver()), s, cancel
}

// A name is asked once however many probes want it, at once or later, and
// each gets the same addresses (a copy: one probe cannot change another's).
func TestLookupsAskOnce(t *testing.T) {
	l, s, _ := newLookups(t, probetest.Answer{Addrs: []netip.Addr{lookupAddr}})
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if got, err := l.LookupNetIP(context.Background(), lookupName); err != nil || !slices.Equal(got, []netip.Addr{lookupAddr}) {
				t.Errorf("concurrent lookup = %v, %v", got, err)
			}
		})
	}
	wg.Wait()
	got, err := l.LookupNetIP(context.Background(), "AppleID.apple.com")
	if err != nil || !slices.Equal(got, []netip.Addr{lookupAddr}) {
		t.Fatalf("later lookup = %v, %v", got, err)
	}
	got[0] = netip.Addr{}
	if again, _ := l.LookupNetIP(context.Background(), lookupName); !slices.Equal(again, []netip.Addr{lookupAddr}) {
		t.Errorf("a caller's change reached the next: %v", again)
	}
	if n := s.QueriesFor(lookupName); n != 2 {
		t.Errorf("%d queries, want 2 (one A, one AAAA) for 12 lookups", n)
	}
}

// An answer, even a failure, is final for the cycle and comes at once:
// only silence is asked again.
func TestLookupsAnswerIsFinal(t *testing.T) {
	for _, tt := range []struct {
		name  string
		rcode dnsmessage.RCode
		class probes.Class
	}{
		{"NXDOMAIN", dnsmessage.RCodeNameError, probes.ClassNXDomain},
		{"SERVFAIL", dnsmessage.RCodeServerFailure, probes.ClassServFail},
		{"REFUSED", dnsmessage.RCodeRefused, probes.ClassDNSRefused},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, s, _ := newLookups(t, probetest.Answer{Rcode: tt.rcode})
			// Go's resolver itself waits 5 s before asking again: a deadline
			// below that fails if an answer were taken for silence.
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
			defer cancel()
			_, err := l.LookupNetIP(ctx, lookupName)
			if c := probes.Classify(err); c != tt.class {
				t.Fatalf("err %v: class %s, want %s", err, c, tt.class)
			}
			n := s.QueriesFor(lookupName)
			if _, again := l.LookupNetIP(ctx, lookupName); again == nil || again.Error() != err.Error() {
				t.Errorf("second lookup: %v, want %v", again, err)
			}
			if m := s.QueriesFor(lookupName); m != n {
				t.Errorf("the second lookup asked again: %d queries, then %d", n, m)
			}
		})
	}
}

// A query that goes unanswered is asked again after LookupRetry, as the OS
// resolver retransmits, rather than after Go's 5 s resolv.conf timeout: a
// lost datagram costs a probe about a second, not its budget.
func TestLookupsAskAgainWhenSilent(t *testing.T) {
	l, s, _ := newLookups(t, probetest.Answer{Addrs: []netip.Addr{lookupAddr}, DropFirst: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	got, err := l.LookupNetIP(ctx, lookupName)
	if err != nil || !slices.Equal(got, []netip.Addr{lookupAddr}) {
		t.Fatalf("lookup = %v, %v; want the second attempt's answer", got, err)
	}
	if n := s.QueriesFor(lookupName); n < 4 {
		t.Errorf("%d queries, want the two dropped and at least two more", n)
	}
}

// A caller whose deadline passes gets the resolver's own timeout error;
// one whose cycle ends gets a cancellation, not a hang.
func TestLookupsDeadlines(t *testing.T) {
	l, _, endCycle := newLookups(t, probetest.Answer{Drop: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.LookupNetIP(ctx, lookupName)
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsTimeout || probes.Classify(err) != probes.ClassTimeout {
		t.Fatalf("past the caller's deadline: %v, want a DNS timeout", err)
	}
	endCycle()
	wait, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = l.LookupNetIP(wait, lookupName)
	if !errors.As(err, &dnsErr) || dnsErr.IsTimeout || wait.Err() != nil {
		t.Fatalf("after the cycle ended: %v, want the lookup cancelled at once", err)
	}
}

// A resolver that answers 30 queries a second and drops the rest: the
// cycle's burst (36 queries in the World) loses some, and the names asked
// again a second later are answered. Before Lookups, the lost queries
// waited for Go's retransmit at 5 s, past the probes' 4 s budget, and the
// services probe reported five Apple services failing on a healthy network.
func TestCycleThroughARateLimitingResolver(t *testing.T) {
	w := probetest.NewWorld(t)
	w.DNS.SetRateLimit(30, time.Second)
	cfg := w.Config
	cfg.Deadline = probes.Duration(8 * time.Second)
	cfg.ProbeTimeout = probes.Duration(4 * time.Second) // below Go's 5 s retransmit
	cycle := probes.Checker{Config: cfg, Env: w.Env()}.Run(context.Background(), nil)
	if n := w.DNS.Queries(); n <= 30 {
		t.Fatalf("the resolver saw %d queries: the limit dropped none, the test proves nothing", n)
	}
	for _, r := range cycle.Results {
		if r.Status != probes.StatusOK && r.Status != probes.StatusSkip {
			t.Errorf("%s: %s %q", r.ID, r.Status, r.Summary)
		}
	}
}
