// Package atomicfile replaces files so that a reader (or a crash) sees either
// the old content or the new content, never a torn mix. Settings, the state
// file MDM tools read and the hosts-file fix all go through it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/idpulse/idpulse/agent/userdir"
)

// Writer replaces files atomically. The zero Writer is ready to use; the hook
// exists so tests can inject a failure at the one point that matters (after
// the new content is durable, before it becomes visible).
type Writer struct {
	// NoFollow is for a path someone else chose, written by a process that
	// may run as root (`idpulse report --output` from an MDM script): a
	// symlink at path is refused, not followed; a missing folder is an
	// error, not created; and a file owned by another user in a sticky or
	// another user's folder is refused. The rename then replaces path's
	// own directory entry, never what a link points at.
	NoFollow bool
	// UserDir is for idpulse's own files in a user's folder (the state
	// file), which root may write too: the folder is created and checked
	// by userdir.MkdirAll, a symlink at path is refused, not followed, and
	// as root the new file is given to the folder's owner rather than kept
	// as the old file's (see agent/userdir).
	UserDir bool

	beforeRename func() error
}

// Write replaces path with data using the zero Writer.
func Write(path string, data []byte, perm fs.FileMode) error {
	return Writer{}.Write(path, data, perm)
}

// Write replaces path with data: a temporary file in the same directory (so
// the rename cannot cross filesystems) is written and fsynced, renamed over
// path, and the directory is fsynced so the rename itself survives a crash.
//
// When path exists its permission bits win over perm, and when running as
// root its owner and group are kept too: rewriting a file must not change who
// can read it (the hosts file, a state file an MDM agent reads). When path is
// a symlink its target is replaced and the link kept. Missing parent
// directories are created 0700. On any error path is untouched and no
// temporary file is left behind.
func (w Writer) Write(path string, data []byte, perm fs.FileMode) (err error) {
	target := path
	var owner *userdir.Owner // UserDir: who the new file is given to
	switch {
	case w.UserDir:
		o, err := userdir.MkdirAll(filepath.Dir(path))
		if err != nil {
			return fmt.Errorf("atomic write %s: %w", path, err)
		}
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("atomic write %s: refusing to write through a symbolic link", path)
		}
		owner = &o
	case w.NoFollow:
		if err := checkOwnPath(path); err != nil {
			return fmt.Errorf("atomic write %s: %w", path, err)
		}
	default:
		if target, err = resolve(path); err != nil {
			return err
		}
	}
	dir := filepath.Dir(target)
	if !w.NoFollow && !w.UserDir {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("atomic write %s: create directory: %w", path, err)
		}
	}

	mode := perm.Perm()
	var old fs.FileInfo
	switch fi, err := os.Stat(target); {
	case err == nil:
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("atomic write %s: not a regular file (%s)", path, fi.Mode().Type())
		}
		old, mode = fi, fi.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("atomic write %s: %w", path, err)
	}

	removeStaleTemps(dir, filepath.Base(target))
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // may already be closed; the error is moot then
			os.Remove(tmp)
		}
	}()

	// Chmod on the open file, not the mode argument of an open call, so the
	// umask cannot narrow a 0644 state file to something MDM cannot read.
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("atomic write %s: set permissions: %w", path, err)
	}
	switch {
	case owner != nil:
		if err := owner.Give(f); err != nil {
			return fmt.Errorf("atomic write %s: give it to the folder's owner: %w", path, err)
		}
	case old != nil:
		if err := KeepOwner(f, old); err != nil {
			return fmt.Errorf("atomic write %s: keep owner: %w", path, err)
		}
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	// On darwin os.File.Sync is F_FULLFSYNC, i.e. really on disk.
	if err := f.Sync(); err != nil {
		return fmt.Errorf("atomic write %s: sync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("atomic write %s: close: %w", path, err)
	}
	if w.beforeRename != nil {
		if err := w.beforeRename(); err != nil {
			return fmt.Errorf("atomic write %s: %w", path, err)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("atomic write %s: %w", path, err)
	}
	// From here the new content is in place; a directory sync failure is
	// still reported because the rename may not survive a crash.
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("atomic write %s: sync directory: %w", path, err)
	}
	return nil
}

// staleAfter is how old a temporary file must be before a later Write of
// the same file removes it: a crash left it, no writer is still at it.
const staleAfter = 10 * time.Minute

// removeStaleTemps removes the temporary files a crashed Write of base left
// in dir. Only regular files are touched, never through a link.
func removeStaleTemps(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+base+".tmp-*"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleAfter {
			os.Remove(m)
		}
	}
}

// checkOwnPath refuses what NoFollow refuses (see Writer).
func checkOwnPath(path string) error {
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("folder %s: %w", dir, err)
	}
	if !di.IsDir() {
		return fmt.Errorf("%s is not a folder", dir)
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return errors.New("refusing to write through a symbolic link")
	case !ownedByCaller(fi) && (di.Mode()&fs.ModeSticky != 0 || !ownedByCaller(di)):
		return errors.New("refusing to replace another user's file in a shared folder")
	}
	return nil
}

// resolve follows a symlink at path so that the link survives and its target
// is what gets replaced (renaming over the link would turn it into a file).
func resolve(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil // missing or not a link: Write reports real problems
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("atomic write %s: resolve symlink: %w", path, err)
	}
	return target, nil
}
