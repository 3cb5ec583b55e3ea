// Package command is the one way idpulse runs the OS's programs: absolute
// paths, argument vectors (never a shell), a timeout on every call and capped
// output. Everything that runs a command (the probes' readers, fixes, service
// control, managed preferences, opening URLs) takes a Runner, so tests replay
// outputs through commandtest.Runner instead. A leaf: it imports nothing of
// idpulse.
package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Runner runs one command and returns its standard output. It is the only way
// this package reaches the OS's commands, so tests replay captured outputs.
type Runner interface {
	Run(ctx context.Context, path string, args ...string) ([]byte, error)
}

// DefaultTimeout bounds a command when the caller's context has no deadline.
const DefaultTimeout = 3 * time.Second

// maxOutput caps what one command may write. The largest output parsed here
// (scutil --dns on a Mac with many interfaces) is tens of kilobytes; a runaway
// command must not be able to grow the agent's memory for the whole timeout.
const maxOutput = 4 << 20

// maxStderr caps the diagnostic text kept in a RunError.
const maxStderr = 4 << 10

// Exec is the real Runner. It insists on absolute paths (a LaunchAgent's PATH
// is minimal, and a relative name could be hijacked) and never uses a shell:
// arguments go to the program as a vector, so no value is ever parsed by sh.
type Exec struct {
	// Timeout bounds each command; zero means DefaultTimeout.
	Timeout time.Duration
}

// RunError is how Exec reports a command that could not run, failed or timed
// out. Stderr is kept as data because for some commands it is the answer:
// `route -n get default` reports a missing default route only there.
type RunError struct {
	Path   string
	Stderr string // trimmed and capped
	Err    error  // *exec.ExitError, a start error, or the context's error
}

func (e *RunError) Error() string {
	if e.Stderr != "" {
		return fmt.Sprintf("run %s: %v: %s", e.Path, e.Err, e.Stderr)
	}
	return fmt.Sprintf("run %s: %v", e.Path, e.Err)
}

func (e *RunError) Unwrap() error { return e.Err }

// errRelativePath is returned before anything is executed.
var errRelativePath = errors.New("not an absolute path")

// Run executes path with args and returns its standard output. On failure the
// output gathered so far is returned too, together with a *RunError.
func (e Exec) Run(ctx context.Context, path string, args ...string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		return nil, &RunError{Path: path, Err: errRelativePath}
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()

	cmd := exec.CommandContext(ctx, path, args...)
	// The parsers expect the untranslated C-locale wording ("not in table"),
	// whatever language the user runs macOS in.
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	stdout := &cappedBuffer{max: maxOutput}
	stderr := &cappedBuffer{max: maxStderr}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	// Without WaitDelay a grandchild that inherited the pipes would keep Wait
	// blocked after the context killed the command itself.
	cmd.WaitDelay = time.Second

	err := cmd.Run()
	out := stdout.Bytes()
	if err == nil && stdout.overflow {
		err = fmt.Errorf("output exceeds %d bytes", maxOutput)
	}
	if err == nil {
		return out, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %s: %w", time.Since(start).Round(time.Millisecond), ctxErr)
		} else {
			err = ctxErr
		}
	}
	return out, &RunError{Path: path, Stderr: strings.TrimSpace(stderr.String()), Err: err}
}

// cappedBuffer keeps the first max bytes written and drops the rest while
// still reporting success, so that the command is never killed by EPIPE and
// its exit status stays meaningful. The buffer is a field, not embedded: an
// embedded bytes.Buffer would promote ReadFrom, and io.Copy in os/exec would
// use it and bypass the cap.
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room < len(p) {
		b.overflow = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) Bytes() []byte  { return b.buf.Bytes() }
func (b *cappedBuffer) String() string { return b.buf.String() }

// ExitCode is the exit status of a command that ran and failed, or -1 when it
// did not run or err does not say.
func ExitCode(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return -1
}

// Stderr is the failed command's diagnostic text, when the Runner kept it.
func Stderr(err error) string {
	var re *RunError
	if errors.As(err, &re) {
		return re.Stderr
	}
	return ""
}
