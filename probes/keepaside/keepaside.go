// Package keepaside moves an unusable file out of the way without losing
// it: the agent's settings and the currency probe's cache each rename a
// file they cannot read as theirs, so that the next save does not
// overwrite what a user (or a bug) left there and the file can still be
// looked at.
//
// It lives under probes, like textsafe, so that probes and agent alike can
// use it; it imports nothing of idpulse.
package keepaside

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// stamp is the time in a kept file's name: sortable, and second-precise
// because a person reads it.
const stamp = "20060102-150405"

// Rename renames path to path.corrupt-YYYYMMDD-HHMMSS, at's time, or to
// the first of …-1, …-2, … not taken yet, and returns the new name: two
// files set aside in the same second both survive. The check and the
// rename are not one atomic step; each file has one writer (the agent, or
// the probe's cycle), so nothing races it in practice.
func Rename(path string, at time.Time) (string, error) {
	base := path + ".corrupt-" + at.Format(stamp)
	dst := base
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		} else if err != nil {
			return "", err
		}
		dst = base + "-" + strconv.Itoa(i)
	}
	if err := os.Rename(path, dst); err != nil {
		return "", err
	}
	return dst, nil
}
