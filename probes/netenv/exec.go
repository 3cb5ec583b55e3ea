// Package netenv reads the machine's network environment: default route,
// proxies, VPN services, name servers and OS version. Each reader is a pure
// parser of a command's output (tested on Linux against real macOS captures)
// behind the small Runner exec boundary.
package netenv

import (
	"bytes"
	"context"
	"fmt"
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

// DefaultExecTimeout bounds a command when the caller's context has no deadline.
const DefaultExecTimeout = 3 * time.Second

// Exec is the real Runner. It insists on absolute paths (a LaunchAgent's PATH
// is minimal, and a relative name could be hijacked) and never uses a shell:
// arguments go to the program as a vector, so no value is ever parsed by sh.
type Exec struct {
	// Timeout bounds each command; zero means DefaultExecTimeout.
	Timeout time.Duration
}

// Run executes path with args and returns its standard output.
func (e Exec) Run(ctx context.Context, path string, args ...string) ([]byte, error) {
	if !filepath.IsAbs(path) {
		return nil, fmt.Errorf("run %s: not an absolute path", path)
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultExecTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if ctx.Err() != nil {
			return stdout.Bytes(), fmt.Errorf("run %s: timed out after %s", path, timeout)
		}
		if msg != "" {
			return stdout.Bytes(), fmt.Errorf("run %s: %w: %s", path, err, msg)
		}
		return stdout.Bytes(), fmt.Errorf("run %s: %w", path, err)
	}
	return stdout.Bytes(), nil
}
