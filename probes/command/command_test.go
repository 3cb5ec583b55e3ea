package command

import (
	"context"
	"errors"
	"io/fs"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

func skipWithoutUnixTools(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("runs /bin tools")
	}
}

func TestExecRunsAbsolutePathWithoutShell(t *testing.T) {
	skipWithoutUnixTools(t)
	out, err := Exec{}.Run(context.Background(), "/bin/echo", "hello", "$(id)", "a b")
	if err != nil {
		t.Fatal(err)
	}
	// No shell: "$(id)" reaches echo literally and "a b" stays one argument.
	if got, want := string(out), "hello $(id) a b\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestExecRefusesRelativePaths(t *testing.T) {
	for _, p := range []string{"echo", "./echo", "bin/echo", ""} {
		out, err := Exec{}.Run(context.Background(), p, "x")
		var re *RunError
		if !errors.As(err, &re) || !errors.Is(err, errRelativePath) || out != nil {
			t.Errorf("Run(%q) = %q, %v; want a RunError for a relative path", p, out, err)
			continue
		}
		if want := "run " + p + ": not an absolute path"; err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	}
}

func TestExecTimeout(t *testing.T) {
	skipWithoutUnixTools(t)
	start := time.Now()
	_, err := Exec{Timeout: 100 * time.Millisecond}.Run(context.Background(), "/bin/sleep", "10")
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want one wrapping context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "run /bin/sleep: timed out after") {
		t.Errorf("error %q does not say it timed out", err)
	}
	if elapsed > 3*time.Second {
		t.Errorf("took %s; the timeout did not stop the command", elapsed)
	}
}

func TestExecHonoursCallerCancel(t *testing.T) {
	skipWithoutUnixTools(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := Exec{Timeout: 10 * time.Second}.Run(ctx, "/bin/sleep", "10")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if strings.Contains(err.Error(), "timed out") {
		t.Errorf("a cancel is not a timeout: %q", err)
	}
}

func TestExecFailureKeepsStderrAndExitStatus(t *testing.T) {
	skipWithoutUnixTools(t)
	out, err := Exec{}.Run(context.Background(), "/bin/sh", "-c", "echo partial; echo 'route: writing to routing socket: not in table' >&2; exit 3")
	var re *RunError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want *RunError", err, err)
	}
	if re.Stderr != "route: writing to routing socket: not in table" || re.Path != "/bin/sh" {
		t.Errorf("RunError %+v", re)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("error %v does not carry exit status 3", err)
	}
	if string(out) != "partial\n" {
		t.Errorf("stdout %q, want what the command printed before failing", out)
	}
	if want := "run /bin/sh: exit status 3: route: writing to routing socket: not in table"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestExecMissingProgram(t *testing.T) {
	_, err := Exec{}.Run(context.Background(), "/nonexistent/idpulse-test-tool")
	var re *RunError
	if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), "run /nonexistent/idpulse-test-tool: ") {
		t.Errorf("error %v, want a RunError naming the path", err)
	}
	// Readers of optional tools (gsettings, nmcli) tell "not installed"
	// from "failed" by this.
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v is not fs.ErrNotExist", err)
	}
}

func TestExecForcesCLocale(t *testing.T) {
	skipWithoutUnixTools(t)
	t.Setenv("LC_ALL", "de_DE.UTF-8")
	out, err := Exec{}.Run(context.Background(), "/usr/bin/env")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\n"+string(out), "\nLC_ALL=C\n") || strings.Contains(string(out), "LC_ALL=de_DE") {
		t.Errorf("child environment does not force LC_ALL=C:\n%s", out)
	}
}

func TestExecCapsOutput(t *testing.T) {
	skipWithoutUnixTools(t)
	out, err := Exec{}.Run(context.Background(), "/bin/sh", "-c", "head -c 5000000 /dev/zero")
	if err == nil || !strings.Contains(err.Error(), "output exceeds") {
		t.Fatalf("error %v, want output cap", err)
	}
	if len(out) != maxOutput {
		t.Errorf("kept %d bytes, want the first %d", len(out), maxOutput)
	}
}
