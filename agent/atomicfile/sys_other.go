//go:build !unix

package atomicfile

import (
	"io/fs"
	"os"
)

// keepOwner is a no-op where ownership is not a uid/gid pair (Windows ACLs are
// inherited from the directory).
func keepOwner(*os.File, fs.FileInfo) error { return nil }

// syncDir is a no-op: Windows cannot open a directory for fsync, and its
// rename (MoveFileEx with REPLACE_EXISTING) is already metadata-journaled.
func syncDir(string) error { return nil }
