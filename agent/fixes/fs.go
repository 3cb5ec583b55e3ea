package fixes

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/idpulse/idpulse/agent/atomicfile"
)

// osFS is the real filesystem behind HostsEdit.
type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (osFS) CheckWritable(name string) error { return checkWritable(name) }

func (osFS) WriteNew(name string, data []byte, like fs.FileInfo) (err error) {
	// Written and fsynced under a temporary name first, then linked into
	// place: a crash half-way leaves a temporary file (cleaned by the next
	// backup), never a truncated file under a backup's name. A link, not a
	// rename, because it fails when name exists instead of replacing it.
	removeStaleTemps(name)
	f, err := os.CreateTemp(filepath.Dir(name), filepath.Base(name)+tempInfix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // the link, not the temporary name, is the backup
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	// The backup is as readable as the file it copies, no more: chmod on
	// the open file, so the umask cannot change it either way.
	if err := f.Chmod(like.Mode().Perm()); err != nil {
		return err
	}
	if err := atomicfile.KeepOwner(f, like); err != nil {
		return fmt.Errorf("keep owner: %w", err)
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Link(tmp, name)
}

// tempInfix marks WriteNew's temporary files: "<backup>.partial-<random>".
const tempInfix = ".partial-"

// removeStaleTemps removes the temporary files an interrupted WriteNew left
// beside name's siblings (same stem up to the timestamp): they were never
// a backup.
func removeStaleTemps(name string) {
	stem, _, _ := strings.Cut(filepath.Base(name), ".idpulse-")
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(name), stem+".idpulse-*"+tempInfix+"*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

func (osFS) SyncDir(dir string) error { return atomicfile.SyncDir(dir) }

// Replace is atomicfile.Write, which keeps the file's mode and, as root,
// its owner.
func (osFS) Replace(name string, data []byte, perm fs.FileMode) error {
	return atomicfile.Write(name, data, perm)
}

// Overwrite writes data over the file from the start, then cuts what is
// left of the old content. The open does not truncate, so a failure to write
// at all leaves the file as it was.
func (osFS) Overwrite(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
