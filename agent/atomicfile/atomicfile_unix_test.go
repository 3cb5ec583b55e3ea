//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/userdir/userdirtest"
	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/probetest"
)

// The umask must not narrow a file other processes are meant to read.
func TestWriteIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "state.json")
	if err := Write(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := filetest.Stat(t, path).Mode().Perm(); got != 0o644 {
		t.Errorf("perm = %v, want 0644", got)
	}
}

func TestWriteKeepsOwnerAsRoot(t *testing.T) {
	probetest.RequireRoot(t, "giving files away", nil)
	path := filepath.Join(t.TempDir(), "hosts")
	filetest.Write(t, path, "old", 0o644)
	if err := os.Chown(path, 4321, 8765); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := filetest.Stat(t, path).Sys().(*syscall.Stat_t)
	if st.Uid != 4321 || st.Gid != 8765 {
		t.Errorf("owner = %d:%d, want 4321:8765", st.Uid, st.Gid)
	}
}

// TestNoFollow: a path someone else chose, written as root, never writes
// through a planted link, never creates folders, never replaces another
// user's file in a shared folder.
func TestNoFollow(t *testing.T) {
	w := Writer{NoFollow: true}
	t.Run("a symlink is refused and its target untouched", func(t *testing.T) {
		link := filepath.Join(t.TempDir(), "report.txt")
		target := filetest.Plant(t, link)
		if err := w.Write(link, []byte("new"), 0o600); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("err = %v, want a refusal", err)
		}
		filetest.Untouched(t, target)
	})
	t.Run("a missing folder is an error and nothing is created", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nonexistent")
		if err := w.Write(filepath.Join(dir, "r.txt"), []byte("x"), 0o600); err == nil {
			t.Error("wrote into a missing folder")
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the folder was created: %v", err)
		}
	})
	t.Run("a plain file of our own is replaced", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "r.txt")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(path, []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != "new" {
			t.Errorf("content %q", b)
		}
	})
	t.Run("another user's file in a sticky folder is refused", func(t *testing.T) {
		probetest.RequireRoot(t, "giving a file away", nil)
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o777|fs.ModeSticky); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "r.txt")
		if err := os.WriteFile(path, []byte("theirs"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(path, []byte("root's"), 0o600); err == nil || !strings.Contains(err.Error(), "another user's file") {
			t.Errorf("err = %v, want a refusal", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "theirs" {
			t.Errorf("content %q", b)
		}
	})
}

// TestStaleTempsRemoved: the temporary file a crashed write left is removed
// by a later write of the same file once it is old; a fresh one (another
// writer at work) is left alone.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	old := filepath.Join(dir, ".state.json.tmp-111")
	fresh := filepath.Join(dir, ".state.json.tmp-222")
	filetest.Write(t, old, "half", 0o600)
	filetest.Write(t, fresh, "half", 0o600)
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the stale temporary file is still there: %v", err)
	}
	if _, err := os.Lstat(fresh); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
}

// TestUserDirGivesTheFileToTheFolderOwner: as root in a user's folder the
// new file is the user's even where the old one was root's (left by an
// older root run), and a symlink at the path is refused.
func TestUserDirGivesTheFileToTheFolderOwner(t *testing.T) {
	dir := userdirtest.Folder(t)
	path := filepath.Join(dir, "state.json")
	filetest.Write(t, path, "old", 0o644) // root's
	w := Writer{UserDir: true}
	if err := w.Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	userdirtest.AssertOwnedByNobody(t, path)
	if got := filetest.Read(t, path); got != "new" {
		t.Errorf("content %q", got)
	}
	link := filepath.Join(dir, "linked.json")
	target := filetest.Plant(t, link)
	if err := w.Write(link, []byte("new"), 0o600); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("error %v, want a refused link", err)
	}
	userdirtest.CheckUntouched(t, target)
}
