// Package pac evaluates proxy auto-config (PAC) files: FindProxyForURL run
// in an embedded JavaScript engine (goja) with the standard helper functions
// implemented in Go, bounded in time and memory, its answer parsed into hops.
//
// A PAC file comes from the network, on a hostile network from WPAD, so the
// script is treated as hostile. Every evaluation runs in a fresh runtime
// under the limits described on Limits; the network, the machine's addresses
// and the clock reach the script only through Env, so tests are deterministic.
//
// The entry point is FindProxyForURL, the one macOS and the browsers call;
// Microsoft's FindProxyForURLEx is not, though its helper functions are
// defined for FindProxyForURL to use.
package pac

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime/metrics"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// MaxScriptSize is the largest PAC file Parse accepts. Real corporate PACs
// are tens of kilobytes.
const MaxScriptSize = 1 << 20

var (
	ErrTooLarge     = fmt.Errorf("pac: script larger than %d bytes", MaxScriptSize)
	ErrNoEntryPoint = errors.New("pac: script does not define function FindProxyForURL")
	ErrTimeout      = errors.New("pac: evaluation exceeded its time limit")
	ErrMemory       = errors.New("pac: evaluation exceeded its memory limit")
	ErrTooDeep      = errors.New("pac: evaluation exceeded its call depth limit")
	ErrThrown       = errors.New("pac: script threw an exception")
)

// Limits bound one evaluation (the script's top level plus FindProxyForURL).
// Zero fields take the defaults.
//
// What the limits really are:
//   - Timeout (default 500 ms), shortened by the context's deadline: the
//     runtime is interrupted at its next JavaScript instruction. DNS lookups
//     get the same deadline, and an evaluation in which one was cut off by
//     it fails rather than answer as if the name didn't resolve. One built-in call is not interruptible, which is
//     why the built-ins that could run long are capped as below.
//   - MaxAlloc (default 32 MiB) bounds the bytes allocated while the script
//     runs, measured two ways, either of which stops it. (1) The process's
//     cumulative heap allocation (runtime/metrics /gc/heap/allocs:bytes) is
//     sampled every millisecond; it counts every goroutine, so it errs towards
//     stopping a script early, never late. The script stops at its next
//     instruction, so the peak can pass MaxAlloc by what one instruction
//     allocates plus a millisecond's work: for `s += s` that is one more
//     doubling, about MaxAlloc again. (2) Built-ins that can turn a small
//     input into a huge output in one uninterruptible call are charged up
//     front against the same budget and refused before they run: repeat,
//     padStart, padEnd, replace, replaceAll, concat and split on strings;
//     join (reimplemented in Go, charged as it builds), fill, concat, slice,
//     map, filter and the other copying Array methods; Array.from and
//     Function.prototype.apply. flat and flatMap are removed (their output is
//     a product of nested lengths). Array methods that only scan (indexOf,
//     forEach, …) refuse arrays longer than MaxAlloc/16 elements, so a sparse
//     `a.length = 4e9` cannot pin the CPU, and all of them refuse an
//     array-like whose length is a getter (it could answer the guard and
//     the built-in differently). The guards' charges are estimates, on the
//     generous side, and add up over the evaluation. ArrayBuffer, typed arrays,
//     DataView, JSON, Proxy and Reflect are removed: no PAC needs them and
//     each has such a call.
//   - MaxDepth (default 1000) bounds the JavaScript call depth.
//
// Not covered: a regular expression that needs backtracking (back-references,
// look-around; goja runs the others on Go's linear-time engine) can run
// exponentially long inside one native call; eval and the Function
// constructor parse their argument in one call.
type Limits struct {
	Timeout  time.Duration
	MaxAlloc int64
	MaxDepth int
}

const (
	defaultTimeout  = 500 * time.Millisecond
	defaultMaxAlloc = 32 << 20
	defaultMaxDepth = 1000
	sampleEvery     = time.Millisecond
)

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = defaultTimeout
	}
	if l.MaxAlloc <= 0 {
		l.MaxAlloc = defaultMaxAlloc
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = defaultMaxDepth
	}
	return l
}

// Script is a compiled PAC file. Set Env and Limits before the first
// FindProxy and leave them alone while evaluations run; FindProxy itself is
// safe for concurrent use (each call has its own runtime).
type Script struct {
	Env    Env
	Limits Limits

	prog *goja.Program
}

// Parse compiles a PAC file and checks, by running its top level once with
// no network (DNS fails, my address is 127.0.0.1), that it defines
// FindProxyForURL as a function.
func Parse(src []byte) (*Script, error) {
	if len(src) > MaxScriptSize {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, len(src))
	}
	prog, err := goja.Compile("pac.js", string(src), false)
	if err != nil {
		return nil, fmt.Errorf("pac: compile: %w", err)
	}
	s := &Script{prog: prog}
	probe := Script{prog: prog, Env: offlineEnv()}
	err = probe.run(context.Background(), func(*goja.Runtime, goja.Callable) error { return nil })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// FindProxy evaluates FindProxyForURL(url, host) for u and parses its answer.
// As Chromium does, the script sees no user information and no fragment, and
// for https and wss URLs no path or query either, so a PAC cannot read
// secrets from URLs it could otherwise observe.
func (s *Script) FindProxy(ctx context.Context, u *url.URL) ([]Hop, error) {
	pacURL, host := scriptArgs(u)
	var answer goja.Value
	err := s.run(ctx, func(vm *goja.Runtime, find goja.Callable) error {
		v, err := find(goja.Undefined(), vm.ToValue(pacURL), vm.ToValue(host))
		answer = v
		return err
	})
	if err != nil {
		return nil, err
	}
	if answer == nil {
		answer = goja.Undefined()
	}
	str, ok := answer.Export().(string)
	if !ok {
		return nil, fmt.Errorf("%w: FindProxyForURL(%q) returned %s, not a string", ErrBadAnswer, pacURL, textsafe.Clip(answer.String(), 80))
	}
	return ParseResult(str)
}

// scriptArgs is what FindProxyForURL sees of u.
func scriptArgs(u *url.URL) (string, string) {
	c := *u
	c.User, c.Fragment, c.RawFragment = nil, "", ""
	c.Scheme = strings.ToLower(c.Scheme)
	if c.Scheme == "https" || c.Scheme == "wss" {
		c.Path, c.RawPath, c.RawQuery, c.ForceQuery = "/", "", "", false
	}
	host := strings.ToLower(c.Hostname())
	c.Host = strings.ToLower(c.Host)
	return c.String(), host
}

// run evaluates the script's top level in a fresh runtime, then calls then
// with FindProxyForURL, all under the limits.
func (s *Script) run(ctx context.Context, then func(*goja.Runtime, goja.Callable) error) error {
	limits := s.Limits.withDefaults()
	ctx, cancel := context.WithTimeoutCause(ctx, limits.Timeout, fmt.Errorf("%w (%v)", ErrTimeout, limits.Timeout))
	defer cancel()

	vm := goja.New()
	vm.SetMaxCallStackSize(limits.MaxDepth)
	e := &eval{vm: vm, ctx: ctx, env: s.Env.withDefaults(), budget: limits.MaxAlloc, depth: limits.MaxDepth}
	vm.SetTimeSource(e.env.Now)
	e.restrict()
	e.install()

	stop := e.watch()
	err := func() error {
		if _, err := vm.RunProgram(s.prog); err != nil {
			return err
		}
		find, ok := goja.AssertFunction(vm.Get("FindProxyForURL"))
		if !ok {
			return ErrNoEntryPoint
		}
		return then(vm, find)
	}()
	stop()
	if err == nil && e.dnsCut {
		return deadlineCause(ctx)
	}
	return e.explain(err)
}

// eval is one evaluation's state, shared by the helpers and the guards.
type eval struct {
	vm     *goja.Runtime
	ctx    context.Context
	env    Env
	budget int64 // MaxAlloc
	depth  int   // MaxDepth

	charged       int64                 // bytes the guards have charged, vm goroutine only
	dns           map[string]dnsAnswer  // per-evaluation cache: PACs resolve the same host again and again
	ownDescriptor goja.Callable         // the original Object.getOwnPropertyDescriptor
	dnsCut        bool                  // a lookup was cut off by the deadline
	joining       map[*goja.Object]bool // arrays being joined, to cut cycles as the engines do
	mu            sync.Mutex            // guards cause
	cause         error                 // the limit that stopped the script, set once
}

// stopWith records why the script is being stopped and interrupts it.
func (e *eval) stopWith(err error) {
	e.mu.Lock()
	if e.cause == nil {
		e.cause = err
	}
	e.mu.Unlock()
	e.vm.Interrupt(err)
}

func (e *eval) stopped() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cause
}

// watch interrupts the runtime when the deadline passes or the process's
// allocation since the start exceeds the budget. It returns a function that
// ends the watch and waits for it.
func (e *eval) watch() func() {
	done, exited := make(chan struct{}), make(chan struct{})
	start := allocatedBytes()
	go func() {
		defer close(exited)
		tick := time.NewTicker(sampleEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-e.ctx.Done():
				e.stopWith(deadlineCause(e.ctx))
				return
			case <-tick.C:
				if used := int64(allocatedBytes() - start); used > e.budget {
					e.stopWith(fmt.Errorf("%w: %d MiB allocated, limit %d MiB", ErrMemory, used>>20, e.budget>>20))
					return
				}
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// deadlineCause says why ctx ended: the time limit (ours, or the caller's
// deadline), or the caller's cancellation.
func deadlineCause(ctx context.Context) error {
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, ErrTimeout):
		return cause
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w (the caller's deadline)", ErrTimeout)
	}
	return fmt.Errorf("pac: evaluation cancelled: %w", cause)
}

// explain turns what goja returned into one of the package's errors.
func (e *eval) explain(err error) error {
	if err == nil {
		return nil
	}
	if cause := e.stopped(); cause != nil {
		return cause
	}
	var (
		so  *goja.StackOverflowError
		ex  *goja.Exception
		ie  *goja.InterruptedError
		cpl *goja.CompilerSyntaxError
	)
	switch {
	case errors.As(err, &so):
		return fmt.Errorf("%w (%d calls)", ErrTooDeep, e.depth)
	case errors.As(err, &ie):
		return fmt.Errorf("pac: evaluation interrupted: %v", ie.Value())
	case errors.As(err, &ex):
		return fmt.Errorf("%w: %s", ErrThrown, textsafe.Clip(ex.Error(), 300))
	case errors.As(err, &cpl):
		return fmt.Errorf("pac: compile: %w", err)
	}
	return err
}

// allocatedBytes is the process's cumulative heap allocation. Reading it does
// not stop the world, unlike runtime.ReadMemStats.
func allocatedBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
