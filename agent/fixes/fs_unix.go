//go:build linux || darwin

package fixes

import (
	"io/fs"
	"os"
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

// chownLike gives f the owner of like. Only root can, and only root edits a
// file that is not its own.
func chownLike(f *os.File, like fs.FileInfo) error {
	st, ok := like.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}
