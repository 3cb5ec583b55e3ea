//go:build linux

package pathlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	// RequireEnv=1 (CI sets it) turns "this machine cannot build a lab"
	// from a skip into a failure.
	RequireEnv = "IDPULSE_REQUIRE_NETNS"
	// ExecTimeout bounds every command the lab runs, and a Command whose
	// context has no deadline.
	ExecTimeout = 30 * time.Second
	// LinkName is the TUN device's name in both namespaces.
	LinkName = "plab0"
	// LinkMTU is the TUN devices' MTU: an Ethernet path, so that a default
	// MSS is 1460 (IPv4) and 1440 (IPv6) and full segments are 1500 bytes.
	LinkMTU = 1500

	runNetns = "/var/run/netns"
	etcNetns = "/etc/netns"
	// namePrefix starts every namespace a lab creates; the number after it
	// is the creating process, so a later run can sweep what a killed one
	// left.
	namePrefix = "plab-"
)

// The link's addresses: a private IPv4 /24 and a ULA /64, which exist only
// inside the lab's two namespaces. The client's default routes point at the
// server end, and the server namespace has no route anywhere else, so no
// packet can leave the lab.
var (
	serverIPv4 = netip.MustParseAddr("10.86.0.1")
	clientIPv4 = netip.MustParseAddr("10.86.0.2")
	serverIPv6 = netip.MustParseAddr("fd00:86::1")
	clientIPv6 = netip.MustParseAddr("fd00:86::2")
)

const (
	prefixLen4 = 24
	prefixLen6 = 64
)

// Filter is where a Lab drops the packets its Faults say must vanish.
type Filter int

const (
	// FilterRelay drops them in the relay between the two TUN devices:
	// exact, and it needs nothing but the TUN devices.
	FilterRelay Filter = iota
	// FilterNFT drops them with an nftables ruleset (table inet pathlab)
	// in the client namespace's prerouting hook, as a firewall on the path
	// would; it needs nft(8). See the package doc for why that hook.
	FilterNFT
)

func (f Filter) String() string {
	switch f {
	case FilterRelay:
		return "relay"
	case FilterNFT:
		return "nft"
	}
	return "Filter(" + strconv.Itoa(int(f)) + ")"
}

// Faults is what the link does to packets. The zero Faults is a plain wire.
type Faults struct {
	// Delay holds every packet that long in each direction, in order: a
	// round trip takes at least 2×Delay.
	Delay time.Duration
	// DropLargerThan, when > 0, drops server→client IP packets whose total
	// length (header included) exceeds it: an MTU black hole that sends no
	// ICMP "fragmentation needed".
	DropLargerThan int
	// DropIPv6 drops every IPv6 packet in both directions, while both ends
	// keep their IPv6 addresses and the client its IPv6 default route:
	// "IPv6 is configured but goes nowhere".
	DropIPv6 bool
}

func (f Faults) validate() error {
	if f.Delay < 0 {
		return fmt.Errorf("pathlab: negative Delay %s", f.Delay)
	}
	if f.DropLargerThan < 0 {
		return fmt.Errorf("pathlab: negative DropLargerThan %d", f.DropLargerThan)
	}
	if f.DropLargerThan > 0 && f.DropLargerThan < minIPv6MTU/2 {
		// Smaller than any real path; TCP could not even connect.
		return fmt.Errorf("pathlab: DropLargerThan %d is below any real path MTU", f.DropLargerThan)
	}
	return nil
}

// Options configure a Lab.
type Options struct {
	Faults
	// Filter is where the drops happen; the Delay is always the relay's.
	Filter Filter
	// ResolvConf and Hosts, when set, are written to
	// /etc/netns/<client>/resolv.conf and hosts, which `ip netns exec`
	// (Command) bind-mounts over /etc/resolv.conf and /etc/hosts.
	ResolvConf, Hosts string
}

// Namespace is one end of the link.
type Namespace struct {
	// Name is the namespace's name for `ip netns` (/var/run/netns/<Name>).
	Name string
	// IPv4 and IPv6 are this end's addresses on the link.
	IPv4, IPv6 netip.Addr

	tb testing.TB
}

// Lab is two network namespaces, a client and a server, joined by a link of
// two TUN devices and a relay in the test process.
type Lab struct {
	Client, Server *Namespace

	tb     testing.TB
	filter Filter
	faults atomic.Pointer[Faults]
	// wire is what the relay applies: faults, less the drops nft makes.
	wire  atomic.Pointer[Faults]
	relay *relay
	// mu serialises SetFaults, whose nft reload must not interleave.
	mu sync.Mutex
}

// New builds a lab for tb, or skips tb when this machine cannot (not root,
// no iproute2, no /dev/net/tun, no nft for FilterNFT); with
// IDPULSE_REQUIRE_NETNS=1 it fails tb instead. Everything it creates is
// removed in tb's Cleanup, which the testing package also runs after a
// panic; namespaces left by a killed test process are swept by the next New.
func New(tb testing.TB, opts Options) *Lab {
	tb.Helper()
	Require(tb, opts.Filter)
	if err := opts.Faults.validate(); err != nil {
		tb.Fatal(err)
	}
	SweepStale(namePrefix)

	base := fmt.Sprintf("%s%d-%08x", namePrefix, os.Getpid(), rand.Uint32())
	l := &Lab{
		Client: &Namespace{Name: base + "-c", IPv4: clientIPv4, IPv6: clientIPv6, tb: tb},
		Server: &Namespace{Name: base + "-s", IPv4: serverIPv4, IPv6: serverIPv6, tb: tb},
		tb:     tb,
		filter: opts.Filter,
	}
	l.store(opts.Faults)

	for _, ns := range []*Namespace{l.Server, l.Client} {
		ns.create(tb)
	}
	if opts.ResolvConf != "" || opts.Hosts != "" {
		l.Client.WriteEtc(tb, map[string]string{"resolv.conf": opts.ResolvConf, "hosts": opts.Hosts})
	}

	serverTun, err := openTUN(l.Server, LinkName)
	if err != nil {
		tb.Fatalf("pathlab: %v", err)
	}
	clientTun, err := openTUN(l.Client, LinkName)
	if err != nil {
		serverTun.Close()
		tb.Fatalf("pathlab: %v", err)
	}
	// Start relaying before the links come up: IPv6 sends router and
	// neighbour solicitations at once, and a TUN whose reader is slow only
	// queues them.
	l.relay = startRelay(clientTun, serverTun, l.wire.Load)
	tb.Cleanup(l.relay.stop) // before the namespaces go (Cleanup is LIFO)

	l.Server.configure(tb, nil)
	l.Client.configure(tb, []string{
		"route add default via " + serverIPv4.String() + " dev " + LinkName,
		"route add default via " + serverIPv6.String() + " dev " + LinkName,
	})
	if l.filter == FilterNFT {
		if err := l.loadNFT(opts.Faults); err != nil {
			tb.Fatal(err)
		}
	}
	return l
}

// Require skips tb (fails it under IDPULSE_REQUIRE_NETNS=1) when this
// machine cannot build a lab with filter. New calls it.
func Require(tb testing.TB, filter Filter) {
	tb.Helper()
	err := canRun(filter)
	if err == nil {
		return
	}
	msg := "pathlab needs root, iproute2 and /dev/net/tun: " + err.Error()
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("%s (%s=1: the namespace tests must run on this machine)", msg, RequireEnv)
	}
	tb.Skip(msg)
}

func canRun(filter Filter) error {
	if err := CheckNetns(); err != nil {
		return err
	}
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		return err
	}
	if filter == FilterNFT {
		if _, err := exec.LookPath("nft"); err != nil {
			return fmt.Errorf("nft (nftables) not found: %w", err)
		}
	}
	return nil
}

// CheckNetns reports why this process cannot make network namespaces with
// ip(8) (not root, no iproute2), nil when it can.
func CheckNetns() error {
	if uid := os.Geteuid(); uid != 0 {
		return fmt.Errorf("running as uid %d, not root", uid)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("ip (iproute2) not found: %w", err)
	}
	return nil
}

// Faults is what the link does now.
func (l *Lab) Faults() Faults { return *l.faults.Load() }

// SetFaults changes what the link does from the next packet on; packets
// already held by a Delay keep theirs. With FilterNFT it reloads the
// ruleset.
func (l *Lab) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.filter == FilterNFT {
		if err := l.loadNFT(f); err != nil {
			return err
		}
	}
	l.store(f)
	return nil
}

// store makes f the lab's faults.
func (l *Lab) store(f Faults) {
	wire := f
	if l.filter != FilterRelay {
		wire = Faults{Delay: f.Delay}
	}
	l.faults.Store(&f)
	l.wire.Store(&wire)
}

// Stats counts what the relay did so far.
func (l *Lab) Stats() Stats { return l.relay.stats() }

// NewNamespace creates a namespace of its own, outside any lab (IPv4 and
// IPv6 unset): cmd/idpulse/e2e's. It is removed in tb's Cleanup as a lab's
// are: a process still in it then fails tb and is killed. Start name with a
// prefix and the process ID ("idp-e2e-<pid>-") for SweepStale.
func NewNamespace(tb testing.TB, name string) *Namespace {
	tb.Helper()
	ns := &Namespace{Name: name, tb: tb}
	ns.create(tb)
	return ns
}

// create adds the namespace and its removal to tb's Cleanup.
func (ns *Namespace) create(tb testing.TB) {
	tb.Helper()
	if out, err := Run(context.Background(), nil, "ip", "netns", "add", ns.Name); err != nil {
		tb.Fatalf("pathlab: ip netns add %s: %v: %s", ns.Name, err, out)
	}
	tb.Cleanup(func() { ns.remove(tb) })
}

// remove kills what still runs in the namespace (a process that escaped
// its test: an error) and deletes it with its /etc/netns directory.
func (ns *Namespace) remove(tb testing.TB) {
	out, err := Run(context.Background(), nil, "ip", "netns", "pids", ns.Name)
	if err != nil {
		tb.Errorf("pathlab: ip netns pids %s: %v: %s", ns.Name, err, out)
	}
	if pids := strings.Fields(string(out)); len(pids) > 0 {
		tb.Errorf("pathlab: processes left in %s: %s; killing them", ns.Name, strings.Join(pids, ", "))
		for _, p := range pids {
			if pid, err := strconv.Atoi(p); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	if out, err := Run(context.Background(), nil, "ip", "netns", "del", ns.Name); err != nil {
		tb.Errorf("pathlab: ip netns del %s: %v: %s", ns.Name, err, out)
	}
	if err := os.RemoveAll(filepath.Join(etcNetns, ns.Name)); err != nil {
		tb.Errorf("pathlab: %v", err)
	}
}

// WriteEtc writes files (name → content; empty content: skipped) to
// /etc/netns/<name>/, creating /etc/netns if needed and removing it again
// in Cleanup when it is empty and was not there before.
func (ns *Namespace) WriteEtc(tb testing.TB, files map[string]string) {
	tb.Helper()
	if _, err := os.Stat(etcNetns); errors.Is(err, os.ErrNotExist) {
		tb.Cleanup(func() { os.Remove(etcNetns) }) // only if empty: others' stay
	}
	dir := filepath.Join(etcNetns, ns.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("pathlab: %v", err)
	}
	for name, content := range files {
		if content == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatalf("pathlab: %v", err)
		}
	}
}

// configure brings lo and the link up with the namespace's addresses, then
// runs extra (ip -batch lines). nodad: duplicate address detection would
// hold the IPv6 addresses back for a second, and there is no one else on
// the link.
func (ns *Namespace) configure(tb testing.TB, extra []string) {
	tb.Helper()
	batch := []string{
		"link set lo up",
		"link set " + LinkName + " mtu " + strconv.Itoa(LinkMTU) + " up",
		"address add " + ns.IPv4.String() + "/" + strconv.Itoa(prefixLen4) + " dev " + LinkName,
		"address add " + ns.IPv6.String() + "/" + strconv.Itoa(prefixLen6) + " dev " + LinkName + " nodad",
	}
	batch = append(batch, extra...)
	if out, err := Run(context.Background(), []byte(strings.Join(batch, "\n")+"\n"), "ip", "-n", ns.Name, "-batch", "-"); err != nil {
		tb.Fatalf("pathlab: configure %s: %v: %s", ns.Name, err, out)
	}
}

// AddAddress adds p to the namespace's lo: in the server namespace, where
// a fake Internet's servers listen (the client's default routes reach it;
// the server answers the client's link address on the connected route).
// Use documentation or private ranges; an address of a real service (say
// Apple's 17.0.0.0/8) is fine too, since it exists only inside the lab.
func (ns *Namespace) AddAddress(p netip.Prefix) error {
	args := []string{"-n", ns.Name, "address", "add", p.String(), "dev", "lo"}
	if p.Addr().Is6() {
		args = append(args, "nodad")
	}
	if out, err := Run(context.Background(), nil, "ip", args...); err != nil {
		return fmt.Errorf("pathlab: %w: %s", err, out)
	}
	return nil
}

// Command is name with args run inside the namespace by `ip netns exec`,
// which also bind-mounts the files of /etc/netns/<Name>/ over /etc. ctx
// bounds it; a ctx without a deadline gets ExecTimeout (released in
// Cleanup). WaitDelay is set, so a child that keeps the output pipes open
// cannot hang Wait.
func (ns *Namespace) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ExecTimeout)
		ns.tb.Cleanup(cancel)
	}
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Run runs name with args inside the namespace (see Command) with stdin
// (when not nil) and returns its trimmed combined output.
func (ns *Namespace) Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	return Run(ctx, stdin, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

// NFT loads an nftables ruleset (nft -f syntax) inside the namespace.
func (ns *Namespace) NFT(ruleset string) error {
	if out, err := ns.Run(context.Background(), []byte(ruleset), "nft", "-f", "-"); err != nil {
		return fmt.Errorf("pathlab: nft -f in %s: %w: %s\nruleset:\n%s", ns.Name, err, out, ruleset)
	}
	return nil
}

// Run runs name under ctx and ExecTimeout, in the test process's own
// namespace, and returns its trimmed combined output.
func Run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ExecTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s %s: %w (%w)", name, strings.Join(args, " "), ctx.Err(), err)
	} else if err != nil {
		err = fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return bytes.TrimSpace(out), err
}

// SweepStale removes the namespaces named prefix, a process ID and "-"
// (and their /etc/netns directories) whose process is gone: left by a test
// killed before its Cleanup ran (a -test.timeout panic, a SIGKILL, Ctrl-C).
// It reports whether it removed any. Errors are ignored: another process may
// be sweeping the same leftovers.
func SweepStale(prefix string) bool {
	stale := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `([0-9]+)-`)
	swept := false
	for _, dir := range []string{runNetns, etcNetns} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			m := stale.FindStringSubmatch(e.Name())
			if m == nil {
				continue
			}
			pid, _ := strconv.Atoi(m[1])
			if pid == os.Getpid() || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
				continue // ours, or its process still runs
			}
			if dir == runNetns {
				Run(context.Background(), nil, "ip", "netns", "del", e.Name())
			}
			os.RemoveAll(filepath.Join(etcNetns, e.Name()))
			swept = true
		}
	}
	return swept
}
