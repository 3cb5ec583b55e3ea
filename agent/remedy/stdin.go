package remedy

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"time"
)

// runWithStdin runs argv (absolute path, no shell) feeding it in, bounded by
// a timeout. Its output goes to the null device, never to a pipe: xclip forks
// a child that keeps serving the selection with the parent's stdout and
// stderr, and waiting for a pipe that child holds would take a tool that
// worked for one that failed. The exit status is what says whether it did.
func runWithStdin(ctx context.Context, argv []string, in []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(in)
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", argv[0], err)
	}
	return nil
}
