//go:build linux || darwin

package fixes

import (
	"io/fs"
	"syscall"
)

// checkWritable asks the kernel, which knows about ownership, ACLs and
// immutable flags (chattr +i, chflags uchg), before anything is written.
func checkWritable(name string) error {
	const wOK = 2 // W_OK
	if err := syscall.Access(name, wOK); err != nil {
		return &fs.PathError{Op: "access", Path: name, Err: err}
	}
	return nil
}
