//go:build unix

package notify

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// osascript returns a backend that runs path -e <script>: argv only, no
// shell, so the script text is the only thing to get right. The process is
// killed when ctx ends. macOS shows Script Editor as the sender, and from
// macOS 15 drops these silently (no error) until Script Editor has been
// allowed to send notifications.
func osascript(path string) sendFunc {
	return func(ctx context.Context, title, body string) error {
		cmd := exec.CommandContext(ctx, path, "-e", AppleScriptNotification(title, body))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		// If a grandchild keeps stderr open after the kill, stop waiting anyway.
		cmd.WaitDelay = time.Second
		if err := cmd.Run(); err != nil {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				return fmt.Errorf("osascript: %w: %s", err, Sanitize(msg, 200))
			}
			return fmt.Errorf("osascript: %w", err)
		}
		return nil
	}
}
