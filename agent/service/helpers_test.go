package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/command"
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

// exitError is a command that ran and exited with code.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
func (e exitError) ExitCode() int { return int(e) }

// failed is what command.Exec returns for a failed command.
func failed(path string, code int, stderr string) error {
	return &command.RunError{Path: path, Stderr: stderr, Err: exitError(code)}
}

type reply struct {
	out string
	err error
}

func ok(out string) reply { return reply{out: out} }

// fakeRunner answers commands from per-argv queues (the last reply of a
// queue repeats) and records every call. A command it was not told about
// fails the test.
type fakeRunner struct {
	t     *testing.T
	calls []string
	queue map[string][]reply
	// before runs before the reply, to assert the state of the world at the
	// moment the command runs.
	before map[string]func()
}

func newFake(t *testing.T) *fakeRunner {
	return &fakeRunner{t: t, queue: map[string][]reply{}, before: map[string]func(){}}
}

func (f *fakeRunner) on(argv string, replies ...reply) *fakeRunner {
	f.queue[argv] = append(f.queue[argv], replies...)
	return f
}

func (f *fakeRunner) Run(_ context.Context, path string, args ...string) ([]byte, error) {
	key := strings.Join(append([]string{path}, args...), " ")
	f.calls = append(f.calls, key)
	if fn := f.before[key]; fn != nil {
		fn()
	}
	q := f.queue[key]
	if len(q) == 0 {
		f.t.Errorf("unexpected command: %s", key)
		return nil, errors.New("unexpected command")
	}
	r := q[0]
	if len(q) > 1 {
		f.queue[key] = q[1:]
	}
	return []byte(r.out), r.err
}

func (f *fakeRunner) assertCalls(t *testing.T, want ...string) {
	t.Helper()
	if strings.Join(f.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n  %s\nwant:\n  %s", strings.Join(f.calls, "\n  "), strings.Join(want, "\n  "))
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
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
