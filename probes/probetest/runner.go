package probetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Runner is a fake of netenv.Runner that replays recorded command outputs.
type Runner struct {
	mu      sync.Mutex
	outputs map[string]runnerOutput
	calls   []string
}

type runnerOutput struct {
	out []byte
	err error
}

// NewRunner makes a Runner with nothing recorded.
func NewRunner() *Runner {
	return &Runner{outputs: map[string]runnerOutput{}}
}

// Set records what cmdline returns. cmdline is the path and the arguments
// joined by single spaces, for example "/usr/sbin/scutil --proxy". Like the
// real runner, a command may return output together with an error.
func (r *Runner) Set(cmdline string, out []byte, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outputs[cmdline] = runnerOutput{out: append([]byte(nil), out...), err: err}
}

// Run returns what was recorded for the command line, or an error when
// nothing was. It fails with ctx's error when ctx is already done.
func (r *Runner) Run(ctx context.Context, path string, args ...string) ([]byte, error) {
	cmdline := strings.Join(append([]string{path}, args...), " ")
	r.mu.Lock()
	r.calls = keepLast(r.calls, cmdline)
	o, ok := r.outputs[cmdline]
	r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fake runner: %s: %w", cmdline, err)
	}
	if !ok {
		return nil, fmt.Errorf("fake runner: no output recorded for %q", cmdline)
	}
	return append([]byte(nil), o.out...), o.err
}

// Calls are the latest command lines run (up to 256), in order.
func (r *Runner) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}
