//go:build linux

package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/command"
	"github.com/idpulse/idpulse/probes/probetest"
)

// userManager is a private `systemd --user`: its own HOME and runtime
// directory, in a mount namespace whose /run says "booted with systemd"
// (systemd refuses to run a user instance otherwise). Nothing of the host's
// user configuration is touched. While the test runs, this process's HOME
// and XDG_RUNTIME_DIR are the manager's, so that command.Exec's systemctl
// reaches it as the agent's would.
type userManager struct {
	home, runtime string
	cmd           *exec.Cmd
	log           *probetest.SyncBuffer // the manager's output
}

// startUserManager starts one, or skips the test saying why it cannot.
// IDPULSE_REQUIRE_SYSTEMD_USER=1 turns the skip into a failure.
func startUserManager(t *testing.T) *userManager {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		probetest.Require(t, "IDPULSE_REQUIRE_SYSTEMD_USER",
			fmt.Errorf("no real install/start/status/stop/uninstall cycle: "+format, args...),
			"the generated unit is checked by the launchd package's tests (systemd-analyze verify) and the argv by the fake-runner tests")
	}
	if os.Getuid() != 0 {
		skip("starting a private systemd user manager needs root (a mount namespace for its /run)")
	}
	var systemd string
	for _, p := range []string{"/lib/systemd/systemd", "/usr/lib/systemd/systemd"} {
		if _, err := os.Stat(p); err == nil {
			systemd = p
			break
		}
	}
	if systemd == "" {
		skip("systemd is not installed (apt-get install systemd)")
	}
	systemctl := ""
	for _, p := range systemctlPaths {
		if _, err := os.Stat(p); err == nil {
			systemctl = p
			break
		}
	}
	if systemctl == "" {
		skip("systemctl is not installed")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		skip("unshare (util-linux) is not installed")
	}
	dir := t.TempDir()
	um := &userManager{home: filepath.Join(dir, "home"), runtime: filepath.Join(dir, "runtime"), log: &probetest.SyncBuffer{}}
	if err := os.MkdirAll(um.home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(um.runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", um.home)
	t.Setenv("XDG_RUNTIME_DIR", um.runtime)
	// Neither another bus nor another configuration directory.
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	um.cmd = exec.Command(unshare, "--mount", "--propagation", "private", "/bin/sh", "-c",
		`mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$0" --user`, systemd)
	um.cmd.Env = []string{"HOME=" + um.home, "XDG_RUNTIME_DIR=" + um.runtime, "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}
	um.cmd.Stdout, um.cmd.Stderr = um.log, um.log
	if err := um.cmd.Start(); err != nil {
		skip("cannot start %s --user: %v", systemd, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- um.cmd.Wait() }()
	t.Cleanup(func() {
		um.cmd.Process.Signal(syscall.SIGTERM) // a user manager goes to exit.target
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			um.cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, err := command.Exec{}.Run(context.Background(), systemctl, "--user", "show-environment")
		if err == nil {
			break
		}
		select {
		case werr := <-exited:
			skip("systemd --user exited at once (%v): %s", werr, um.log.String())
		default:
		}
		if time.Now().After(deadline) {
			skip("systemd --user did not answer within 15s (%v): %s", err, um.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return um
}

func TestSystemdUserCycle(t *testing.T) {
	um := startUserManager(t)
	ctx := context.Background()
	dir := t.TempDir()
	argvFile := filepath.Join(dir, "argv out")
	// What NewSystem builds on Linux, for the manager's home.
	a := agentCmd{Program: copyTestBinary(t, dir), Args: []string{helperArg, argvFile, "two words", `q"uote`, "a&b<c>'d'"}}
	m := &Manager{b: newBackend("linux", command.Exec{Timeout: CommandTimeout}, um.home, a)}
	s, ok := m.b.(*systemdBackend)
	if !ok || s.Systemctl == "" {
		t.Fatalf("the linux backend %#v has no systemctl", m.b)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("systemd --user log:\n%s", um.log.String())
		}
	})

	gone := func(pid int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); errors.Is(err, os.ErrNotExist) {
				return
			}
		}
		t.Errorf("pid %d still running", pid)
	}

	// install: unit written, enabled, started.
	if err := m.Install(ctx, true); err != nil {
		t.Fatal(err)
	}
	st := waitStatus(t, m, "running after install", running)
	if st.System != "systemd" || !st.Installed || !st.Loaded || st.Program != a.Program {
		t.Errorf("after install: %+v", st)
	}
	if on, err := m.LoginItem().Enabled(t.Context()); err != nil || !on {
		t.Errorf("Launch at Login after install: %v %v", on, err)
	}
	// The unit's quoting survives systemd's parser: the agent got exactly
	// our argv.
	argv := agentArgv(t, argvFile)
	if want := append([]string{a.Program}, a.Args...); !reflect.DeepEqual(argv, want) {
		t.Errorf("the agent's argv:\n got %q\nwant %q", argv, want)
	}
	first := st.PID

	// stop / start / restart.
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	st = waitStatus(t, m, "stopped", func(st Status) bool { return !st.Running })
	if !st.Installed || st.PID != 0 {
		t.Errorf("after stop: %+v", st)
	}
	gone(first)
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	second := waitStatus(t, m, "running after start", running).PID
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	third := waitStatus(t, m, "running after restart", func(st Status) bool { return running(st) && st.PID != second }).PID
	gone(second)

	// Quit (exit 0) stays quit; a crash is restarted (Restart=on-failure).
	syscall.Kill(third, syscall.SIGTERM)
	waitStatus(t, m, "quit", func(st Status) bool { return !st.Running && strings.HasPrefix(st.State, "inactive") })
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	fourth := waitStatus(t, m, "running again", running).PID
	syscall.Kill(fourth, syscall.SIGKILL)
	waitStatus(t, m, "restart scheduled after a crash", func(st Status) bool { return strings.Contains(st.State, "auto-restart") })

	// Installing over the install is an upgrade: the agent is restarted.
	if err := m.Install(ctx, true); err != nil {
		t.Fatal(err)
	}
	fifth := waitStatus(t, m, "running after reinstall", running).PID

	// uninstall: unit gone, agent stopped.
	if err := m.Uninstall(ctx); err != nil {
		t.Fatal(err)
	}
	st = waitStatus(t, m, "uninstalled", func(st Status) bool { return !st.Running && !st.Installed })
	if fileExists(s.unitPath()) {
		t.Error("unit file left")
	}
	gone(fifth)
	if err := m.Uninstall(ctx); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("second uninstall: %v", err)
	}

	// Launch at Login through the real manager: on enables without
	// starting, off disables.
	li := m.LoginItem()
	if err := li.SetEnabled(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	if on, err := li.Enabled(t.Context()); err != nil || !on {
		t.Errorf("Launch at Login on: %v %v", on, err)
	}
	if st, _ := m.Status(ctx); st.Running {
		t.Errorf("Launch at Login started the agent: %+v", st)
	}
	if err := li.SetEnabled(t.Context(), false); err != nil {
		t.Fatal(err)
	}
	if on, err := li.Enabled(t.Context()); err != nil || on {
		t.Errorf("Launch at Login off: %v %v", on, err)
	}
}
