//go:build unix

package timeline

import (
	"os"
	"syscall"
)

// The segments live in the user's state folder, which the agent may share
// with a root-run `idpulse` (an MDM script): a planted symlink must not
// turn an append into a write elsewhere, so the last component is never
// followed.
func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
}

func openRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
