package fixes

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/idpulse/idpulse/agent/atomicfile"
)

// osFS is the real filesystem behind HostsEdit.
type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (osFS) CheckWritable(name string) error { return checkWritable(name) }

func (osFS) WriteNew(name string, data []byte, like fs.FileInfo) (err error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(name)
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
	return f.Close()
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
