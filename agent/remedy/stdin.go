package remedy

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"time"
)

// runWithStdin runs argv (absolute path, no shell) feeding it in, bounded by
// a timeout: xclip forks to keep serving the selection, which is why its
// stdout is not waited on.
func runWithStdin(ctx context.Context, argv []string, in []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(in)
	cmd.WaitDelay = time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", argv[0], err, bytes.TrimSpace(out))
	}
	return nil
}
