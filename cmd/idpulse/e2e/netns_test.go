//go:build linux

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/probetest"
	"github.com/idpulse/idpulse/probes/probetest/pathlab"
)

const (
	// requireEnv=1 (CI) turns "cannot create a namespace" from a skip into a failure.
	requireEnv = pathlab.RequireEnv
	// execTimeout bounds every command the tests run.
	execTimeout = pathlab.ExecTimeout
	// buildTimeout bounds `go build`, which may compile everything from cold.
	buildTimeout = 5 * time.Minute
	etcNetns     = "/etc/netns"
	// namePrefix and this process's ID start every namespace's name, for
	// pathlab.SweepStale.
	namePrefix = "idp-e2e-"
)

var (
	// binPath is the idpulse binary TestMain built; "" when netnsErr is set.
	binPath string
	// netnsErr is why this machine cannot run the namespace tests.
	netnsErr error
	// netnsSeq numbers the namespaces of this process.
	netnsSeq atomic.Int64
	// uplinkNote is logged once when the uplink falls back to veth.
	uplinkNote sync.Once
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(m.Run()) // a re-executed helper: serve, build nothing
	}
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	_, statErr := os.Stat(etcNetns)
	// Remove /etc/netns at the end, when empty, if it is ours: it did not
	// exist, or it held only what a killed run of this package left.
	ownEtcNetns := statErr != nil
	if netnsErr = checkNetns(); netnsErr == nil {
		// What killed runs left (Ctrl-C, a SIGPIPE from `| head`); their
		// helper servers are gone: they exit when their stdin, our pipe,
		// closes.
		if pathlab.SweepStale(namePrefix) {
			ownEtcNetns = true
		}
	}
	// The screenshot world runs a binary the script built.
	if netnsErr == nil && os.Getenv(screenshotEnv) == "" {
		dir, err := os.MkdirTemp("", "idpulse-e2e-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		binPath = filepath.Join(dir, "idpulse")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		// Built as `make build` builds the Linux binary: without cgo, so
		// what the footprint benchmarks measure is what is shipped.
		build := exec.CommandContext(ctx, "go", "build", "-o", binPath, "github.com/idpulse/idpulse/cmd/idpulse")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: go build github.com/idpulse/idpulse/cmd/idpulse: %v\n%s", err, out)
			return 1
		}
	}
	code := m.Run()
	if ownEtcNetns {
		os.Remove(etcNetns) // only if empty: someone else's namespaces stay
	}
	return code
}

// checkNetns reports why namespaces cannot be used here, nil when they can.
func checkNetns() error {
	if err := pathlab.CheckNetns(); err != nil {
		return err
	}
	name := fmt.Sprintf("%s%d-check", namePrefix, os.Getpid())
	if out, err := ipCmd(nil, "netns", "add", name); err != nil {
		return fmt.Errorf("ip netns add: %v: %s", err, out)
	}
	if out, err := ipCmd(nil, "netns", "del", name); err != nil {
		return fmt.Errorf("ip netns del %s: %v: %s", name, err, out)
	}
	return nil
}

// requireNetns skips tb (fails it under IDPULSE_REQUIRE_NETNS=1) when
// namespaces are not available.
func requireNetns(tb testing.TB) {
	tb.Helper()
	probetest.Require(tb, requireEnv, netnsErr, "needs root and ip netns")
}

// ipCmd runs ip with args (and stdin, when not nil) under
// pathlab.ExecTimeout.
func ipCmd(stdin []byte, args ...string) ([]byte, error) {
	return pathlab.Run(context.Background(), stdin, "ip", args...)
}

// netns is one scenario's network namespace: a LAN uplink with a default
// route, the fake Internet's addresses on loopback, and its own resolv.conf
// and hosts under /etc/netns/<name>.
type netns struct {
	*pathlab.Namespace
	dir string // scratch: configs, CA, HOME
	// caFile is the helper's root CA, set by startServers.
	caFile string
	// helperOut is the helper's stdout and stderr, for failure reports.
	helperOut *probetest.SyncBuffer
}

// newNetns creates a namespace whose /etc/hosts has extraHosts appended to
// the usual localhost lines. Everything it creates is removed in Cleanup.
func newNetns(tb testing.TB, extraHosts string) *netns {
	tb.Helper()
	// Every process this test starts in the namespace (helper servers,
	// agents) is stopped and reaped before its removal; one still there
	// escaped its test and fails it.
	ns := &netns{
		Namespace: pathlab.NewNamespace(tb, fmt.Sprintf("%s%d-%d", namePrefix, os.Getpid(), netnsSeq.Add(1))),
		dir:       tb.TempDir(),
		helperOut: &probetest.SyncBuffer{},
	}
	ns.WriteEtc(tb, map[string]string{
		"resolv.conf": "nameserver " + routerDNS + "\n",
		"hosts":       "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" + extraHosts,
	})

	// The uplink: a dummy interface, or where the kernel has no dummy
	// driver, one end of a veth pair whose other end stays in the namespace.
	// Either way nothing leaves it; the onlink default route makes the
	// gateway valid without a neighbour.
	if dout, err := ipCmd(nil, "-n", ns.Name, "link", "add", uplinkName, "type", "dummy"); err != nil {
		out, err2 := ipCmd(nil, "-n", ns.Name, "link", "add", uplinkName, "type", "veth", "peer", "name", uplinkName+"p")
		if err2 != nil {
			tb.Fatalf("create uplink: dummy: %v: %s; veth: %v: %s", err, dout, err2, out)
		}
		uplinkNote.Do(func() { tb.Logf("no dummy link type (ip: %s); the uplink is a veth pair", dout) })
		if out, err := ipCmd(nil, "-n", ns.Name, "link", "set", uplinkName+"p", "up"); err != nil {
			tb.Fatalf("ip link set %sp up: %v: %s", uplinkName, err, out)
		}
	}
	batch := []string{
		"link set lo up",
		"link set " + uplinkName + " up",
		"address add " + uplinkAddr + " dev " + uplinkName,
		"route add default via " + gateway + " dev " + uplinkName + " onlink",
	}
	for _, a := range localAddrs() {
		batch = append(batch, "address add "+a+"/32 dev lo")
	}
	if out, err := ipCmd([]byte(strings.Join(batch, "\n")+"\n"), "-n", ns.Name, "-batch", "-"); err != nil {
		tb.Fatalf("configure %s: %v: %s", ns.Name, err, out)
	}

	cfg := `{"check": {"deadline": "3s", "probe_timeout": "2s"}, "apple_status": {"url": "` + feedURL + `"}}` + "\n"
	if err := os.WriteFile(ns.configPath(), []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	return ns
}

func (ns *netns) configPath() string { return filepath.Join(ns.dir, "config.json") }

// startServers runs the fake Internet inside the namespace (TestHelperServers
// in a re-executed test binary) and waits until every server listens. The
// helper is stopped in Cleanup, before the namespace is deleted.
func (ns *netns) startServers(tb testing.TB, cfg helperConfig) {
	tb.Helper()
	cfg.CAFile = filepath.Join(ns.dir, "ca.pem")
	cfgPath := filepath.Join(ns.dir, "helper.json")
	data, err := json.Marshal(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns.Name, exe,
		"-test.run=^TestHelperServers$", "-test.count=1", "-test.timeout=30m")
	// A -race binary sleeps a second at exit (GORACE atexit_sleep_ms); the
	// helper has nothing to wait for.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), helperEnv+"="+cfgPath, "GORACE="+gorace)
	cmd.Stderr = ns.helperOut
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("start helper: %v", err)
	}

	ready := make(chan struct{})
	exited := make(chan struct{})
	var waitErr error
	go func() {
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(ns.helperOut, line)
			if strings.TrimSpace(line) == readyLine {
				once.Do(func() { close(ready) })
			}
		}
		waitErr = cmd.Wait() // after the last read, as os/exec requires
		close(exited)
	}()
	tb.Cleanup(func() {
		stdin.Close() // the helper exits at EOF
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cancel() // SIGKILL
			<-exited
		}
		cancel()
	})

	select {
	case <-ready:
	case <-exited:
		tb.Fatalf("helper servers exited before they were ready: %v\n%s", waitErr, ns.helperOut)
	case <-time.After(execTimeout):
		tb.Fatalf("helper servers not ready after %s\n%s", execTimeout, ns.helperOut)
	}
	ns.caFile = cfg.CAFile
}

// nft loads an nftables ruleset (nft -f syntax) inside the namespace.
func (ns *netns) nft(tb testing.TB, ruleset string) {
	tb.Helper()
	if _, err := exec.LookPath("nft"); err != nil {
		tb.Fatalf("nft not found (%v): this scenario needs nftables; CI's .ci/run installs it (apt-get install nftables)", err)
	}
	if err := ns.NFT(ruleset); err != nil {
		tb.Fatal(err)
	}
}

// checkRun is one `idpulse check --json` run.
type checkRun struct {
	exit   int
	stdout []byte
	stderr []byte
	took   time.Duration // start to exit, `ip netns exec` included
}

// check runs `idpulse check --json` inside the namespace with a clean
// environment: no proxy variables, the helper's CA as the only trust anchor.
func (ns *netns) check(tb testing.TB) checkRun {
	tb.Helper()
	if ns.caFile == "" {
		tb.Fatal("check before startServers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	cmd := ns.Command(ctx, binPath, "check", "--json", "--config", ns.configPath())
	cmd.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + ns.dir,
		"NO_COLOR=1",
		"SSL_CERT_FILE=" + ns.caFile,
		"SSL_CERT_DIR=" + ns.dir, // no *.pem there: the system's roots stay out
	}
	return runCheck(tb, ctx, cmd, ns.Name)
}

// runCheck runs an `idpulse check` command (made with ctx) in namespace ns
// and collects its output and exit status; anything but an exit fails tb.
func runCheck(tb testing.TB, ctx context.Context, cmd *exec.Cmd, ns string) checkRun {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := checkRun{stdout: stdout.Bytes(), stderr: stderr.Bytes(), took: time.Since(start)}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		tb.Fatalf("idpulse check did not exit within %s\n%s", execTimeout, r.describe())
	case err == nil:
	case errors.As(err, &exitErr) && exitErr.Exited():
		r.exit = exitErr.ExitCode()
	default:
		tb.Fatalf("run idpulse check in %s: %v\n%s", ns, err, r.describe())
	}
	return r
}

// describe is the run's output for failure messages.
func (r checkRun) describe() string {
	return fmt.Sprintf("exit status %d\n--- stderr:\n%s\n--- stdout:\n%s", r.exit, r.stderr, r.stdout)
}
