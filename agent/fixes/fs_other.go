//go:build !linux && !darwin

package fixes

import (
	"io/fs"
	"os"
)

// checkWritable leaves the verdict to the write itself where there is no
// access(2).
func checkWritable(string) error { return nil }

func chownLike(*os.File, fs.FileInfo) error { return nil }
