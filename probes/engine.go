package probes

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// Engine runs a list of probes concurrently. Each probe gets its own timeout,
// capped by the cycle deadline; a probe that panics or ignores its context
// becomes an error result and never stalls or crashes the cycle.
type Engine struct {
	// Deadline bounds the whole cycle.
	Deadline time.Duration
	// ProbeTimeout bounds each probe; zero means the cycle deadline.
	ProbeTimeout time.Duration
	Logger       *slog.Logger
}

// Run runs every probe and returns their results in the order of list.
func (e Engine) Run(ctx context.Context, list []Probe) Results {
	deadline := e.Deadline
	if deadline <= 0 {
		deadline = 5 * time.Second
	}
	// Clamped, so that the grace below cannot overflow into the past (a
	// 9223372036854775807ns deadline once made every probe "not finish"
	// at once).
	deadline = min(deadline, MaxDeadline)
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()

	type indexed struct {
		i int
		r Result
	}
	// Buffered so that a probe finishing after we stopped waiting never blocks.
	done := make(chan indexed, len(list))
	started := make([]time.Time, len(list))
	for i, p := range list {
		started[i] = time.Now()
		go func() {
			done <- indexed{i, e.runOne(ctx, p)}
		}()
	}

	results := make(Results, len(list))
	have := make([]bool, len(list))
	remaining := len(list)
	// Grace past the deadline for probes that honour ctx to report their own
	// timeout with evidence, rather than being cut off by the engine.
	grace := time.NewTimer(deadline + deadline/20)
	defer grace.Stop()
wait:
	for remaining > 0 {
		select {
		case d := <-done:
			results[d.i] = d.r
			have[d.i] = true
			remaining--
		case <-grace.C:
			break wait
		}
	}
	for i, p := range list {
		if !have[i] {
			results[i] = Result{
				ID:       p.ID(),
				Status:   StatusError,
				Summary:  fmt.Sprintf("did not finish within the %s cycle deadline", deadline),
				Duration: time.Since(started[i]),
				Evidence: &ErrorEvidence{Error: "probe ignored its deadline", Class: ClassTimeout},
			}
		}
	}
	return results
}

// MaxDeadline bounds a cycle: nothing a probe does needs longer, and
// configuration validation refuses more.
const MaxDeadline = 10 * time.Minute

// MinDeadline is the shortest cycle configuration accepts: below it every
// connection times out on any network, and a dead network could not be
// told from the cycle's own limit (a 1 ns check once said "offline").
const MinDeadline = time.Second

// ErrorEvidence is the evidence of a probe that broke rather than reported.
type ErrorEvidence struct {
	Error string `json:"error"`
	Class Class  `json:"class,omitempty"`
}

func (e Engine) runOne(ctx context.Context, p Probe) (r Result) {
	start := time.Now()
	timeout := e.ProbeTimeout
	if timeout <= 0 {
		timeout = e.Deadline
	}
	pctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	defer func() {
		if v := recover(); v != nil {
			if e.Logger != nil {
				e.Logger.Error("probe panicked", "probe", p.ID(), "panic", v, "stack", string(debug.Stack()))
			}
			r = Result{
				ID:       p.ID(),
				Status:   StatusError,
				Summary:  fmt.Sprintf("probe crashed: %v", v),
				Evidence: &ErrorEvidence{Error: fmt.Sprint(v), Class: ClassOther},
			}
		}
		r.ID = p.ID()
		r.Duration = time.Since(start)
	}()
	return p.Run(pctx)
}
