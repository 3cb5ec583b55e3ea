// Package commandtest is the one fake of command.Runner: it replays recorded
// outputs, in order where a test queues several, runs a hook at the moment a
// command runs, and records every call with the deadline it was given.
package commandtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/command"
)

// Reply is what one run of a command returns. Like the real runner, a
// command may return output together with an error.
type Reply struct {
	Out []byte
	Err error
}

// OK is a successful reply with out on standard output.
func OK(out string) Reply { return Reply{Out: []byte(out)} }

// Fail is a reply of a command that ran and exited with code, writing stderr.
func Fail(path string, code int, stderr string) Reply {
	return Reply{Err: Failed(path, code, stderr)}
}

// Call is one command the runner was given.
type Call struct {
	Argv []string
	// Limit is the time left before the context's deadline when the call
	// came; -1 when the context had none.
	Limit time.Duration
}

// Cmdline is the path and the arguments joined by single spaces.
func (c Call) Cmdline() string { return strings.Join(c.Argv, " ") }

// Runner is a command.Runner that answers from what the test recorded.
// Commands are keyed by their command line: the path and the arguments
// joined by single spaces, for example "/usr/sbin/scutil --proxy".
type Runner struct {
	// Reply answers a command nothing was recorded for; nil means an error.
	Reply func(argv []string) ([]byte, error)

	t      testing.TB // when set, a command with no answer fails the test
	mu     sync.Mutex
	queues map[string][]Reply
	before map[string]func()
	calls  []Call
}

// maxCalls bounds the calls kept, so that an agent soak does not grow.
const maxCalls = 256

// New is a lenient Runner: a command with no answer returns an error.
func New() *Runner {
	return &Runner{queues: map[string][]Reply{}, before: map[string]func(){}}
}

// Strict is a Runner for which a command with no answer fails t.
func Strict(t testing.TB) *Runner {
	r := New()
	r.t = t
	return r
}

// Set records what cmdline returns, every time it runs.
func (r *Runner) Set(cmdline string, out []byte, err error) *Runner {
	return r.Replace(cmdline, Reply{Out: append([]byte(nil), out...), Err: err})
}

// Replace forgets what cmdline returned so far and queues replies.
func (r *Runner) Replace(cmdline string, replies ...Reply) *Runner {
	r.mu.Lock()
	delete(r.queues, cmdline)
	r.mu.Unlock()
	return r.On(cmdline, replies...)
}

// On queues replies for cmdline: each run takes the next one, and the last
// repeats.
func (r *Runner) On(cmdline string, replies ...Reply) *Runner {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queues[cmdline] = append(r.queues[cmdline], replies...)
	return r
}

// Before runs fn each time cmdline runs, before its reply: a test asserts
// the state of the world at that moment.
func (r *Runner) Before(cmdline string, fn func()) *Runner {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.before[cmdline] = fn
	return r
}

// Run answers one command. It fails with ctx's error when ctx is already done.
func (r *Runner) Run(ctx context.Context, path string, args ...string) ([]byte, error) {
	argv := append([]string{path}, args...)
	key := strings.Join(argv, " ")
	limit := time.Duration(-1)
	if dl, ok := ctx.Deadline(); ok {
		limit = time.Until(dl)
	}
	r.mu.Lock()
	r.calls = append(r.calls, Call{Argv: argv, Limit: limit})
	if len(r.calls) > maxCalls {
		r.calls = append(r.calls[:0:0], r.calls[len(r.calls)-maxCalls:]...)
	}
	hook := r.before[key]
	q := r.queues[key]
	var reply *Reply
	if len(q) > 0 {
		reply = &q[0]
		if len(q) > 1 {
			r.queues[key] = q[1:]
		}
	}
	fallback := r.Reply
	r.mu.Unlock()

	if hook != nil {
		hook()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fake runner: %s: %w", key, err)
	}
	switch {
	case reply != nil:
		return append([]byte(nil), reply.Out...), reply.Err
	case fallback != nil:
		return fallback(argv)
	}
	if r.t != nil {
		r.t.Errorf("unexpected command: %s", key)
	}
	return nil, fmt.Errorf("fake runner: no output recorded for %q", key)
}

// Calls are the latest calls (up to 256), in order.
func (r *Runner) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

// Cmdlines are the latest calls' command lines, in order.
func (r *Runner) Cmdlines() []string {
	calls := r.Calls()
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Cmdline()
	}
	return out
}

// Reset forgets the calls made so far.
func (r *Runner) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// AssertCalls fails t unless exactly these command lines ran, in this order.
func (r *Runner) AssertCalls(t testing.TB, want ...string) {
	t.Helper()
	got := r.Cmdlines()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// ExitError is an error with an exit code, as *exec.ExitError has.
type ExitError int

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// ExitCode is the command's exit status.
func (e ExitError) ExitCode() int { return int(e) }

// Failed is what command.Exec returns for a command that ran and exited
// with code, writing stderr.
func Failed(path string, code int, stderr string) error {
	return &command.RunError{Path: path, Stderr: stderr, Err: ExitError(code)}
}
