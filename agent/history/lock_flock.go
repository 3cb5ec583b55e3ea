//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package history

import (
	"os"
	"syscall"

	"github.com/idpulse/idpulse/agent/userdir"
)

// lock takes an exclusive flock on the file at path, creating it. flock locks
// belong to the open file description, so two calls in one process exclude
// each other exactly as two processes do (the tests rely on that). The lock
// file is left in place: removing it would let a writer lock an unlinked
// file while the next one creates a fresh one.
func lock(path string) (unlock func(), err error) {
	// userdir: a lock file root creates is the user's, or the user's own
	// appends could never lock it again.
	f, err := userdir.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	// Closing the descriptor releases the lock.
	return func() { f.Close() }, nil
}
