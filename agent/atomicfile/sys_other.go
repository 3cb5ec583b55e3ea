//go:build !unix

package atomicfile

import (
	"io/fs"
	"os"
)

// KeepOwner is a no-op where ownership is not a uid/gid pair (Windows ACLs are
// inherited from the directory).
func KeepOwner(*os.File, fs.FileInfo) error { return nil }

// SyncDir is a no-op: Windows cannot open a directory for fsync, and its
// rename (MoveFileEx with REPLACE_EXISTING) is already metadata-journaled.
func SyncDir(string) error { return nil }

// ownedByCaller: no owners to compare here.
func ownedByCaller(fs.FileInfo) bool { return true }
