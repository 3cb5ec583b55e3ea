// Package userdir opens files in a user's own folders (the state and log
// folders) safely when idpulse runs as root: an MDM script, `sudo idpulse
// fix`. Such a folder belongs to the user, who could plant a symbolic or
// hard link in it to make root write somewhere else, and a file root
// creates there would stay root's: the user's own idpulse could then no
// longer write it (a root-owned attempts.jsonl.lock once stopped every
// later fix from being recorded).
//
// So: the folder is refused when it is a symbolic link someone else made,
// or writable by every user without the sticky bit; the final component is
// opened without following a link; as root an existing file with more than
// one link, or owned by a third user, is refused; and whatever root creates
// (files, folders) is given to the folder's owner. As any other user the
// same checks run and nothing is given away.
package userdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Owner is who owns a folder, the one root gives what it creates there to.
type Owner struct {
	UID, GID int
	known    bool // false where ownership is not a uid/gid pair (Windows)
}

// Check refuses a folder idpulse must not write in: a symbolic link made
// by a user other than this process's (or root), something other than a
// folder, or a folder every user may write to that lacks the sticky bit
// (anyone could swap its files). It returns the folder's owner.
func Check(dir string) (Owner, error) {
	li, err := os.Lstat(dir)
	if err != nil {
		return Owner{}, fmt.Errorf("folder %s: %w", dir, err)
	}
	if li.Mode()&fs.ModeSymlink != 0 && !trustedLink(li) {
		return Owner{}, fmt.Errorf("folder %s: refusing a symbolic link made by another user", dir)
	}
	di, err := os.Stat(dir)
	if err != nil {
		return Owner{}, fmt.Errorf("folder %s: %w", dir, err)
	}
	if !di.IsDir() {
		return Owner{}, fmt.Errorf("folder %s: not a folder", dir)
	}
	if di.Mode().Perm()&0o002 != 0 && di.Mode()&fs.ModeSticky == 0 {
		return Owner{}, fmt.Errorf("folder %s: refusing a folder every user can write to (mode %s, no sticky bit)", dir, di.Mode().Perm())
	}
	return ownerOf(di), nil
}

// MkdirAll creates dir and any missing parents, mode 0700, and checks dir.
// As root, each folder it creates is given to the owner of the folder it
// was created in, so that `sudo idpulse fix` on a fresh account leaves the
// user a state folder they own.
func MkdirAll(dir string) (Owner, error) {
	dir = filepath.Clean(dir)
	var missing []string
	existing := dir
	for {
		_, err := os.Lstat(existing)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return Owner{}, fmt.Errorf("folder %s: %w", existing, err)
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		missing = append(missing, existing)
		existing = parent
	}
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		owner, err := Check(filepath.Dir(d))
		if err != nil {
			return Owner{}, err
		}
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return Owner{}, fmt.Errorf("create folder: %w", err)
		} else if err == nil {
			// Lchown: a link swapped in since Mkdir gets the owner, not
			// what it points at.
			if err := owner.giveLink(d); err != nil {
				return Owner{}, fmt.Errorf("create folder %s: give it to its parent's owner: %w", d, err)
			}
		}
	}
	return Check(dir)
}

// OpenFile is os.OpenFile for a file in a user's folder (see the package
// comment): Check on the folder, no link followed at path, only a regular
// file, and, as root, a file it creates given to the folder's owner, a
// root-owned one left there by an older idpulse given back to them, and a
// file with other links or a third owner refused.
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	owner, err := Check(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	var f *os.File
	created := false
	if flag&os.O_CREATE != 0 {
		// O_EXCL tells a file made here from one found here; it never
		// follows a link either.
		f, err = os.OpenFile(path, flag|os.O_EXCL|oNoFollow, perm)
		switch {
		case err == nil:
			created = true
		case !errors.Is(err, fs.ErrExist):
			return nil, openError(path, err)
		}
	}
	if f == nil {
		if f, err = os.OpenFile(path, flag&^(os.O_CREATE|os.O_EXCL)|oNoFollow, 0); err != nil {
			return nil, openError(path, err)
		}
	}
	if err := vet(f, owner, created); err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}

// Give gives f, just created in o's folder, to o when this process is root
// and o is not: root must not leave its files in another user's folder.
func (o Owner) Give(f *os.File) error {
	if !o.giving() {
		return nil
	}
	return f.Chown(o.UID, o.GID)
}

func (o Owner) giveLink(path string) error {
	if !o.giving() {
		return nil
	}
	return os.Lchown(path, o.UID, o.GID)
}

func (o Owner) giving() bool { return o.known && os.Geteuid() == 0 && o.UID != 0 }

// vet checks the file OpenFile opened (see there).
func vet(f *os.File, owner Owner, created bool) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	if created {
		if err := owner.Give(f); err != nil {
			return fmt.Errorf("give it to the folder's owner: %w", err)
		}
		return nil
	}
	if !owner.giving() {
		return nil
	}
	uid, links, ok := fileOwner(fi)
	switch {
	case !ok:
		return nil
	case links > 1:
		return errors.New("refusing a file with other hard links")
	case uid == 0:
		// Left by a root run before files were given away: hand it back.
		if err := owner.Give(f); err != nil {
			return fmt.Errorf("give it to the folder's owner: %w", err)
		}
	case uid != owner.UID:
		return fmt.Errorf("refusing a file of user %d in user %d's folder", uid, owner.UID)
	}
	return nil
}

// openError says plainly when a link was refused.
func openError(path string, err error) error {
	if isLinkRefusal(err) {
		return fmt.Errorf("open %s: refusing to open through a symbolic link", path)
	}
	return fmt.Errorf("open %s: %w", path, err)
}
