//go:build unix

package userdir

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// oNoFollow makes open fail on a symbolic link as the final component.
const oNoFollow = syscall.O_NOFOLLOW

// isLinkRefusal: what open with O_NOFOLLOW returns for a link (ELOOP on
// Linux and macOS, EMLINK on FreeBSD).
func isLinkRefusal(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}

func ownerOf(fi fs.FileInfo) Owner {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return Owner{}
	}
	return Owner{UID: int(st.Uid), GID: int(st.Gid), known: true}
}

func fileOwner(fi fs.FileInfo) (uid int, links uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), uint64(st.Nlink), true
}

// trustedLink: a symbolic link this process's user or root made.
func trustedLink(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || st.Uid == 0 || int(st.Uid) == os.Geteuid()
}
