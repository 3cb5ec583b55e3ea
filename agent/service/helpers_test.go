package service

import (
	"context"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperArg makes the test binary act as a stand-in agent: the real-service
// cycles install it as the service's program. It records its argv in the
// file named by argv[2], then waits for SIGTERM and exits 0, as `idpulse
// run` does on Quit.
const helperArg = "idpulse-test-agent"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == helperArg {
		helperAgent()
		return
	}
	os.Exit(m.Run())
}

func helperAgent() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	// argv[2] is where to record argv: a unit or plist passes no
	// environment of ours, so the path travels as an argument.
	if len(os.Args) > 2 {
		os.WriteFile(os.Args[2], []byte(strings.Join(os.Args, "\x00")), 0o644)
	}
	select {
	case <-sig:
	case <-time.After(10 * time.Minute):
	}
	os.Exit(0)
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// copyTestBinary puts this test binary, the stand-in agent, at a path with
// spaces (install refuses go-build paths, and quoting is under test).
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "my bin", "idpulse agent")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// The real-service cycles (cycle_linux_test.go, darwin_test.go) wait for the
// service manager, which acts asynchronously: they poll until a state is
// reached, and give up after cycleWait.
const cycleWait = 20 * time.Second

// waitStatus polls m.Status until ok accepts it.
func waitStatus(t *testing.T, m *Manager, what string, ok func(Status) bool) Status {
	t.Helper()
	var st Status
	var err error
	for deadline := time.Now().Add(cycleWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st, err = m.Status(context.Background()); err == nil && ok(st) {
			return st
		}
	}
	t.Fatalf("waiting for %s: last status %+v, err %v", what, st, err)
	return st
}

// running: the agent runs with a known pid.
func running(st Status) bool { return st.Running && st.PID > 0 }

// agentArgv is the argv the stand-in agent recorded in path (see
// helperAgent), once it has started.
func agentArgv(t *testing.T, path string) []string {
	t.Helper()
	for deadline := time.Now().Add(cycleWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if data, err := os.ReadFile(path); err == nil {
			return strings.Split(string(data), "\x00")
		}
	}
	t.Errorf("the agent did not record its argv in %s", path)
	return nil
}
