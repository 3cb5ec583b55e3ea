//go:build unix

package userdir_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/idpulse/idpulse/agent/userdir"
	"github.com/idpulse/idpulse/agent/userdir/userdirtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

func TestOpenFileAsRoot(t *testing.T) {
	const rw = os.O_RDWR | os.O_APPEND | os.O_CREATE
	tests := []struct {
		name    string
		setup   func(t *testing.T, path string) (check func(t *testing.T))
		wantErr string
	}{
		{"a file root creates is the folder owner's", nil, ""},
		{"a root-owned file an older run left is given back", func(t *testing.T, path string) func(*testing.T) {
			filetest.Write(t, path, "old\n", 0o600)
			return nil
		}, ""},
		{"the owner's own file is used as it is", func(t *testing.T, path string) func(*testing.T) {
			filetest.Write(t, path, "old\n", 0o600)
			if err := os.Chown(path, userdirtest.Nobody, userdirtest.Nobody); err != nil {
				t.Fatal(err)
			}
			return nil
		}, ""},
		{"a symbolic link is not followed", func(t *testing.T, path string) func(*testing.T) {
			target := filetest.Plant(t, path)
			return func(t *testing.T) { userdirtest.CheckUntouched(t, target) }
		}, "refusing to open through a symbolic link"},
		{"a hard link to root's file is refused", func(t *testing.T, path string) func(*testing.T) {
			target := filepath.Join(filepath.Dir(path), "precious")
			filetest.Write(t, target, "precious", 0o600)
			if err := os.Link(target, path); err != nil {
				t.Fatal(err)
			}
			return func(t *testing.T) {
				if fi, _ := os.Stat(target); fi.Sys().(*syscall.Stat_t).Uid != 0 {
					t.Error("the hard link's file was given away")
				}
			}
		}, "refusing a file with other hard links"},
		{"a third user's file is refused", func(t *testing.T, path string) func(*testing.T) {
			filetest.Write(t, path, "", 0o600)
			if err := os.Chown(path, 4321, 4321); err != nil {
				t.Fatal(err)
			}
			return nil
		}, "refusing a file of user 4321 in user 65534's folder"},
		{"a FIFO is not a log", func(t *testing.T, path string) func(*testing.T) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
			// Someone holds the other end, so the open itself returns.
			r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			return nil
		}, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := userdirtest.Folder(t)
			path := filepath.Join(dir, "attempts.jsonl")
			var check func(*testing.T)
			if tt.setup != nil {
				check = tt.setup(t, path)
			}
			f, err := userdir.OpenFile(path, rw, 0o600)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one containing %q", err, tt.wantErr)
				}
				if err == nil {
					f.Close()
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.WriteString("new\n"); err != nil {
					t.Fatal(err)
				}
				f.Close()
				userdirtest.AssertOwnedByNobody(t, path)
			}
			if check != nil {
				check(t)
			}
		})
	}
}

func TestCheckFolder(t *testing.T) {
	tests := []struct {
		name    string
		folder  func(t *testing.T, home string) string
		wantErr string
	}{
		{"the user's own folder", func(t *testing.T, home string) string { return home }, ""},
		{"a symbolic link the user made", func(t *testing.T, home string) string {
			real := filepath.Join(filepath.Dir(home), "elsewhere")
			mkdir(t, real, 0o755)
			link := filepath.Join(home, "state")
			filetest.Symlink(t, real, link)
			if err := os.Lchown(link, userdirtest.Nobody, userdirtest.Nobody); err != nil {
				t.Fatal(err)
			}
			return link
		}, "refusing a symbolic link made by another user"},
		{"a symbolic link root made", func(t *testing.T, home string) string {
			real := filepath.Join(home, "real")
			mkdir(t, real, 0o755)
			link := filepath.Join(home, "state")
			filetest.Symlink(t, real, link)
			return link
		}, ""},
		{"writable by every user", func(t *testing.T, home string) string {
			d := filepath.Join(home, "open")
			mkdir(t, d, 0o777)
			return d
		}, "refusing a folder every user can write to (mode -rwxrwxrwx, no sticky bit)"},
		{"writable by every user, sticky", func(t *testing.T, home string) string {
			d := filepath.Join(home, "tmp")
			mkdir(t, d, 0o777|os.ModeSticky)
			return d
		}, ""},
		{"a file, not a folder", func(t *testing.T, home string) string {
			p := filepath.Join(home, "file")
			filetest.Write(t, p, "", 0o600)
			return p
		}, "not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.folder(t, userdirtest.Folder(t))
			_, err := userdir.Check(dir)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Check = %v, want %q", err, tt.wantErr)
			}
			// OpenFile refuses what Check refuses, and creates nothing there.
			_, oerr := userdir.OpenFile(filepath.Join(dir, "x"), os.O_WRONLY|os.O_CREATE, 0o600)
			if (oerr != nil) != (err != nil) {
				t.Errorf("OpenFile = %v, Check = %v", oerr, err)
			}
		})
	}
}

// TestMkdirAllAsRoot: the state folder root creates on a fresh account
// (~/.local/state/idpulse) is the user's, every level of it.
func TestMkdirAllAsRoot(t *testing.T) {
	home := userdirtest.Folder(t)
	dir := filepath.Join(home, ".local", "state", "idpulse")
	if _, err := userdir.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	userdirtest.AssertOwnedBelow(t, home, dir)
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := userdir.MkdirAll(dir); err != nil {
		t.Errorf("again: %v", err)
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}
