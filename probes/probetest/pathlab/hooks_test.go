//go:build linux

package pathlab

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// sizeBuckets are the packet sizes a hook is asked about.
var sizeBuckets = []struct{ name, expr string }{
	{"small", "ip length <= 600"},
	{"mid", "ip length 601-1200"},
	{"full", "ip length 1201-1500"},
	{"super", "ip length > 1500"},
}

// hook is one netfilter hook a counting ruleset watches.
type hook struct {
	family, chain, decl string
}

func hooksFor(dev string) []hook {
	return []hook{
		{"netdev", "ingress", fmt.Sprintf("type filter hook ingress device %q priority 0;", dev)},
		{"netdev", "egress", fmt.Sprintf("type filter hook egress device %q priority 0;", dev)},
		{"ip", "prerouting", "type filter hook prerouting priority raw;"},
		{"ip", "input", "type filter hook input priority 0;"},
		{"ip", "output", "type filter hook output priority raw;"},
		{"ip", "postrouting", "type filter hook postrouting priority 0;"},
	}
}

// countingRuleset counts the server's TCP segments from port by size at
// every hook.
func countingRuleset(dev string, port int) string {
	var b strings.Builder
	for _, fam := range []string{"netdev", "ip"} {
		fmt.Fprintf(&b, "table %s sizes {\n", fam)
		for _, h := range hooksFor(dev) {
			if h.family != fam {
				continue
			}
			for _, s := range sizeBuckets {
				fmt.Fprintf(&b, "\tcounter %s_%s {}\n", h.chain, s.name)
			}
		}
		for _, h := range hooksFor(dev) {
			if h.family != fam {
				continue
			}
			fmt.Fprintf(&b, "\tchain %s {\n\t\t%s policy accept;\n", h.chain, h.decl)
			for _, s := range sizeBuckets {
				fmt.Fprintf(&b, "\t\tmeta protocol ip tcp sport %d %s counter name %s_%s\n", port, s.expr, h.chain, s.name)
			}
			b.WriteString("\t}\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// readCounters is chain → bucket → packets.
func readCounters(t *testing.T, ns *Namespace) map[string]map[string]uint64 {
	t.Helper()
	out, err := ns.Run(context.Background(), nil, "nft", "-j", "list", "counters")
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var doc struct {
		Nftables []struct {
			Counter *struct {
				Name    string
				Packets uint64
			}
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("nft -j: %v: %s", err, out)
	}
	m := map[string]map[string]uint64{}
	for _, e := range doc.Nftables {
		if e.Counter == nil {
			continue
		}
		chain, bucket, _ := strings.Cut(e.Counter.Name, "_")
		if m[chain] == nil {
			m[chain] = map[string]uint64{}
		}
		m[chain][bucket] += e.Counter.Packets
	}
	return m
}

func formatCounters(m map[string]map[string]uint64) string {
	var b strings.Builder
	for _, h := range hooksFor("") {
		fmt.Fprintf(&b, "%-12s", h.chain)
		for _, s := range sizeBuckets {
			fmt.Fprintf(&b, " %s=%d", s.name, m[h.chain][s.name])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// download has the server in srv send 256 KiB to a client dialled from cli
// at addr, with the client's MSS clamped to mss (0: default).
func download(t *testing.T, srv, cli *Namespace, listenAddr string, mss int) {
	t.Helper()
	ln, err := srv.Listen("tcp4", listenAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write(make([]byte, 256<<10))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int64
	err = cli.Do(func() error {
		c, err := dialMSS(mss).DialContext(ctx, "tcp4", ln.Addr().String())
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		n, err = io.Copy(io.Discard, c)
		return err
	})
	if err != nil || n != 256<<10 {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
}

// TestHooksSeeWireSizes records, for this kernel, which netfilter hooks see
// the server's TCP segments at their wire size, across the lab's TUN link
// and across lo with its offloads on and off. The package doc's findings
// come from its log (go test -v -run HooksSeeWireSizes). It asserts what
// FilterNFT and the doc's lo recipe rely on: the receiver's prerouting hook
// never sees a packet larger than the link's MTU, nor, with a small MSS,
// larger than a small segment. What the sender's hooks see (GSO
// super-packets, whatever the offloads) is only logged.
func TestHooksSeeWireSizes(t *testing.T) {
	l := New(t, Options{Filter: FilterNFT})
	port := 9000
	for _, ns := range []*Namespace{l.Client, l.Server} {
		if err := ns.NFT(countingRuleset(LinkName, port)); err != nil {
			t.Fatal(err)
		}
	}
	for _, mss := range []int{0, 536} {
		for _, ns := range []*Namespace{l.Client, l.Server} {
			ns.Run(context.Background(), nil, "nft", "reset", "counters")
		}
		download(t, l.Server, l.Client, fmt.Sprintf("%s:%d", l.Server.IPv4, port), mss)
		srv, cli := readCounters(t, l.Server), readCounters(t, l.Client)
		o, _ := l.Server.Offloads(LinkName)
		t.Logf("TUN link, client MSS %d, offloads %+v\nserver (sender):\n%sclient (receiver):\n%s", mss, o, formatCounters(srv), formatCounters(cli))
		if got := cli["prerouting"]["super"]; got > 0 {
			t.Errorf("MSS %d: client prerouting saw %d packets larger than the MTU", mss, got)
		}
		if mss > 0 {
			if got := cli["prerouting"]["full"] + cli["prerouting"]["mid"]; got > 0 {
				t.Errorf("MSS %d: client prerouting saw %d packets larger than 600 bytes", mss, got)
			}
		}
	}

	// lo, inside the server namespace: sender and receiver in one, so
	// output and postrouting count the sender's view, prerouting and input
	// the receiver's.
	defaults, err := l.Server.Offloads("lo")
	if err != nil {
		t.Fatal(err)
	}
	port++
	for _, o := range []Offloads{defaults, {GSO: true}, {}} {
		if err := l.Server.SetOffloads("lo", o); err != nil {
			t.Fatal(err)
		}
		for _, mss := range []int{0, 536} {
			port++
			if err := l.Server.NFT("flush ruleset\n" + countingRuleset("lo", port)); err != nil {
				t.Fatal(err)
			}
			download(t, l.Server, l.Server, fmt.Sprintf("127.0.0.1:%d", port), mss)
			c := readCounters(t, l.Server)
			t.Logf("lo (MTU 65536), client MSS %d, offloads %+v:\n%s", mss, o, formatCounters(c))
			// The recipe the package doc gives for lo: TSO off, the
			// rule in prerouting.
			if !o.TSO && mss > 0 {
				if got := c["prerouting"]["mid"] + c["prerouting"]["full"] + c["prerouting"]["super"]; got > 0 {
					t.Errorf("lo without TSO, MSS %d: prerouting saw %d packets larger than 600 bytes", mss, got)
				}
			}
		}
	}
}
