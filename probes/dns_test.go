package probes_test

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// TestDNSBrokenFilteredRedirected: the dns probe tells a resolver that is
// broken from one that filters Apple, and a CDN's other edge from a block
// page, against real resolvers and servers on loopback.
func TestDNSBrokenFilteredRedirected(t *testing.T) {
	sign := "appleid.apple.com"
	blockIP := netip.MustParseAddr("198.51.100.7")
	type setup = func(t *testing.T, w *probetest.World)
	// rcode: the world's resolver answers code for sign.
	rcode := func(code dnsmessage.RCode) setup {
		return func(t *testing.T, w *probetest.World) { w.DNS.Set(sign, probetest.Answer{Rcode: code}) }
	}
	// blockPage: sign resolves to blockIP, where the server start returns
	// the address of listens on 443.
	blockPage := func(start func(t *testing.T, w *probetest.World) string) setup {
		return func(t *testing.T, w *probetest.World) {
			w.DNS.Set(sign, probetest.Answer{Addrs: []netip.Addr{blockIP}})
			w.Dialer.Set("tcp", netip.AddrPortFrom(blockIP, 443).String(), probetest.Route{To: start(t, w)})
		}
	}
	tests := []struct {
		name      string
		setup     setup
		filtered  []string
		broken    []string
		failed    []string
		blockPage bool
	}{
		{name: "healthy"},
		{name: "NXDOMAIN for Apple only is a filter", setup: rcode(dnsmessage.RCodeNameError), filtered: []string{sign}},
		{name: "REFUSED for Apple only is a filter", setup: rcode(dnsmessage.RCodeRefused), filtered: []string{sign}},
		{name: "SERVFAIL for Apple is a broken resolver", setup: rcode(dnsmessage.RCodeServerFailure), broken: []string{sign}},
		{name: "NXDOMAIN for every name, the control too, is a broken resolver",
			setup: func(t *testing.T, w *probetest.World) {
				rcode(dnsmessage.RCodeNameError)(t, w)
				w.DNS.Set(w.Config.DNSControl, probetest.Answer{Rcode: dnsmessage.RCodeNameError})
			},
			broken: []string{sign}},
		{name: "nobody answers",
			setup: func(t *testing.T, w *probetest.World) {
				w.AnswerAll(sign, probetest.Answer{Rcode: dnsmessage.RCodeServerFailure})
			},
			failed: []string{sign}},
		{name: "another CDN edge with Apple's certificate is no redirect",
			setup: func(t *testing.T, w *probetest.World) {
				edge := netip.MustParseAddr("17.253.144.99")
				w.DNS.Set(sign, probetest.Answer{Addrs: []netip.Addr{edge}})
				w.Dialer.Set("tcp", "17.253.144.99:443", probetest.Route{To: w.SignIn[sign].Addr()})
			}},
		{name: "a block page with its own certificate is a filter",
			setup: blockPage(func(t *testing.T, w *probetest.World) string {
				return probetest.NewHTTPSServer(t, w.Inspection.ValidLeaf(t, "block.filter.example")).Addr()
			}),
			filtered: []string{sign}, blockPage: true},
		{name: "a plain-HTTP block page on 443 is a filter",
			setup: blockPage(func(t *testing.T, w *probetest.World) string {
				return probetest.NewHTTPServer(t).Addr()
			}),
			filtered: []string{sign}, blockPage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := probetest.NewWorld(t)
			if tt.setup != nil {
				tt.setup(t, w)
			}
			cfg := w.Config
			p := probes.DNS{Env: w.Env(), Names: []string{sign}, Public: cfg.PublicResolvers,
				Control: cfg.DNSControl, Port: 443, TrustedIssuers: cfg.TrustedIssuers}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res := p.Run(ctx)
			ev := res.Evidence.(*probes.DNSEvidence)
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"filtered", ev.Filtered, tt.filtered}, {"broken", ev.Broken, tt.broken}, {"failed", ev.Failed, tt.failed}} {
				if !slices.Equal(c.got, c.want) && len(c.got)+len(c.want) > 0 {
					t.Errorf("%s = %q, want %q (%s)", c.what, c.got, c.want, res.Summary)
				}
			}
			if got := ev.BlockPage() != nil; got != tt.blockPage {
				t.Errorf("block page = %v, want %v: %+v", got, tt.blockPage, ev.Redirects)
			}
		})
	}
}

// TestQueryARetransmits: a resolver that loses the first query (a lossy link,
// or one rate-limiting a burst) still answers within the budget, because
// QueryA asks again rather than waiting out its deadline.
func TestQueryARetransmits(t *testing.T) {
	want := netip.MustParseAddr("17.253.144.10")
	tests := []struct {
		name      string
		answer    probetest.Answer
		wantAddrs []netip.Addr
		wantErr   bool
		queries   int // at least
	}{
		{"answered at once", probetest.Answer{Addrs: []netip.Addr{want}}, []netip.Addr{want}, false, 1},
		{"first query lost", probetest.Answer{Addrs: []netip.Addr{want}, DropFirst: 1}, []netip.Addr{want}, false, 2},
		{"never answered", probetest.Answer{Drop: true}, nil, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := probetest.NewDNSServer(t)
			srv.Set("time.apple.com", tt.answer)
			ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
			defer cancel()
			got, err := probes.QueryA(ctx, &net.Dialer{}, srv.Addr(), "time.apple.com")
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.wantAddrs) {
				t.Fatalf("QueryA = %v, %v; want %v, error %v", got, err, tt.wantAddrs, tt.wantErr)
			}
			if n := srv.QueriesFor("time.apple.com"); n < tt.queries {
				t.Errorf("server saw %d queries, want at least %d", n, tt.queries)
			}
		})
	}
}
