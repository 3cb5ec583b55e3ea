//go:build !unix

package instance

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked by another process")

func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

// tryLock is unavailable here: the agent runs on macOS and Linux, where
// lock_unix.go applies; elsewhere every Acquire succeeds.
func tryLock(*os.File) error { return nil }
