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
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/probetest"
)

const (
	// requireEnv=1 (CI) turns "cannot create a namespace" from a skip into a failure.
	requireEnv = "IDPULSE_REQUIRE_NETNS"
	// execTimeout bounds every command the tests run.
	execTimeout = 30 * time.Second
	// buildTimeout bounds `go build`, which may compile everything from cold.
	buildTimeout = 5 * time.Minute
	etcNetns     = "/etc/netns"
	runNetns     = "/var/run/netns"
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
		if sweepStale() {
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
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, "github.com/idpulse/idpulse/cmd/idpulse").CombinedOutput()
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
	if uid := os.Geteuid(); uid != 0 {
		return fmt.Errorf("running as uid %d, not root", uid)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("ip (iproute2) not found: %v", err)
	}
	name := fmt.Sprintf("idp-e2e-%d-check", os.Getpid())
	if out, err := ipCmd(nil, "netns", "add", name); err != nil {
		return fmt.Errorf("ip netns add: %v: %s", err, out)
	}
	if out, err := ipCmd(nil, "netns", "del", name); err != nil {
		return fmt.Errorf("ip netns del %s: %v: %s", name, err, out)
	}
	return nil
}

// staleName matches the namespaces this package creates; the number is the
// creating test process.
var staleName = regexp.MustCompile(`^idp-e2e-([0-9]+)-`)

// sweepStale removes namespaces (and their /etc/netns directories) left by
// test processes that were killed before their cleanups ran (Ctrl-C, a
// SIGPIPE from `| head`), and reports whether it removed any. Their helper
// servers are gone already: they exit when their stdin, our pipe, closes.
func sweepStale() bool {
	swept := false
	for _, dir := range []string{runNetns, etcNetns} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			m := staleName.FindStringSubmatch(e.Name())
			if m == nil {
				continue
			}
			pid, _ := strconv.Atoi(m[1])
			if pid == os.Getpid() || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
				continue // ours, or its process still runs
			}
			if dir == runNetns {
				ipCmd(nil, "netns", "del", e.Name())
			}
			os.RemoveAll(filepath.Join(etcNetns, e.Name()))
			swept = true
		}
	}
	return swept
}

// requireNetns skips tb (fails it under IDPULSE_REQUIRE_NETNS=1) when
// namespaces are not available.
func requireNetns(tb testing.TB) {
	tb.Helper()
	probetest.Require(tb, requireEnv, netnsErr, "needs root and ip netns")
}

// ipCmd runs ip with args (and stdin, when not nil) under execTimeout.
func ipCmd(stdin []byte, args ...string) ([]byte, error) {
	return runCmd(stdin, "ip", args...)
}

func runCmd(stdin []byte, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), execTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out after %s: %w", name, execTimeout, err)
	}
	return bytes.TrimSpace(out), err
}

// netns is one scenario's network namespace: a LAN uplink with a default
// route, the fake Internet's addresses on loopback, and its own resolv.conf
// and hosts under /etc/netns/<name>.
type netns struct {
	name string
	dir  string // scratch: configs, CA, HOME
	// caFile is the helper's root CA, set by startServers.
	caFile string
	// helperOut is the helper's stdout and stderr, for failure reports.
	helperOut *probetest.SyncBuffer
}

// newNetns creates a namespace whose /etc/hosts has extraHosts appended to
// the usual localhost lines. Everything it creates is removed in Cleanup.
func newNetns(tb testing.TB, extraHosts string) *netns {
	tb.Helper()
	ns := &netns{
		name:      fmt.Sprintf("idp-e2e-%d-%d", os.Getpid(), netnsSeq.Add(1)),
		dir:       tb.TempDir(),
		helperOut: &probetest.SyncBuffer{},
	}
	etc := filepath.Join(etcNetns, ns.name)
	tb.Cleanup(func() {
		if err := os.RemoveAll(etc); err != nil {
			tb.Errorf("remove %s: %v", etc, err)
		}
	})
	if err := os.MkdirAll(etc, 0o755); err != nil {
		tb.Fatal(err)
	}
	files := map[string]string{
		"resolv.conf": "nameserver " + routerDNS + "\n",
		"hosts":       "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" + extraHosts,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}

	if out, err := ipCmd(nil, "netns", "add", ns.name); err != nil {
		tb.Fatalf("ip netns add %s: %v: %s", ns.name, err, out)
	}
	tb.Cleanup(func() {
		// Every process this test started in the namespace (helper
		// servers, agents) has been stopped and reaped by now; one still
		// there is a process that escaped its test.
		if out, err := ipCmd(nil, "netns", "pids", ns.name); err != nil || len(out) > 0 {
			tb.Errorf("processes left in %s: %s (err %v)", ns.name, strings.ReplaceAll(string(out), "\n", ", "), err)
		}
		if out, err := ipCmd(nil, "netns", "del", ns.name); err != nil {
			tb.Errorf("ip netns del %s: %v: %s", ns.name, err, out)
		}
	})

	// The uplink: a dummy interface, or where the kernel has no dummy
	// driver, one end of a veth pair whose other end stays in the namespace.
	// Either way nothing leaves it; the onlink default route makes the
	// gateway valid without a neighbour.
	if dout, err := ipCmd(nil, "-n", ns.name, "link", "add", uplinkName, "type", "dummy"); err != nil {
		out, err2 := ipCmd(nil, "-n", ns.name, "link", "add", uplinkName, "type", "veth", "peer", "name", uplinkName+"p")
		if err2 != nil {
			tb.Fatalf("create uplink: dummy: %v: %s; veth: %v: %s", err, dout, err2, out)
		}
		uplinkNote.Do(func() { tb.Logf("no dummy link type (ip: %s); the uplink is a veth pair", dout) })
		if out, err := ipCmd(nil, "-n", ns.name, "link", "set", uplinkName+"p", "up"); err != nil {
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
	if out, err := ipCmd([]byte(strings.Join(batch, "\n")+"\n"), "-n", ns.name, "-batch", "-"); err != nil {
		tb.Fatalf("configure %s: %v: %s", ns.name, err, out)
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
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns.name, exe,
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
	if out, err := ipCmd([]byte(ruleset), "netns", "exec", ns.name, "nft", "-f", "-"); err != nil {
		tb.Fatalf("nft -f in %s: %v: %s\nruleset:\n%s", ns.name, err, out, ruleset)
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
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns.name, binPath, "check", "--json", "--config", ns.configPath())
	cmd.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + ns.dir,
		"NO_COLOR=1",
		"SSL_CERT_FILE=" + ns.caFile,
		"SSL_CERT_DIR=" + ns.dir, // no *.pem there: the system's roots stay out
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
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
		tb.Fatalf("run idpulse check in %s: %v\n%s", ns.name, err, r.describe())
	}
	return r
}

// describe is the run's output for failure messages.
func (r checkRun) describe() string {
	return fmt.Sprintf("exit status %d\n--- stderr:\n%s\n--- stdout:\n%s", r.exit, r.stderr, r.stdout)
}
