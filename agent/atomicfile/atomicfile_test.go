package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/probes/filetest"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name     string
		existing *fs.FileMode // nil: no file before the write
		perm     fs.FileMode
		wantPerm fs.FileMode
	}{
		{name: "new file gets perm", perm: 0o644, wantPerm: 0o644},
		{name: "new private file", perm: 0o600, wantPerm: 0o600},
		{name: "existing permissions win", existing: ptr(fs.FileMode(0o640)), perm: 0o600, wantPerm: 0o640},
		{name: "existing wider permissions kept", existing: ptr(fs.FileMode(0o644)), perm: 0o600, wantPerm: 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.json")
			if tt.existing != nil {
				filetest.Write(t, path, "old", *tt.existing)
			}
			if err := Write(path, []byte("new"), tt.perm); err != nil {
				t.Fatal(err)
			}
			if got := filetest.Read(t, path); got != "new" {
				t.Errorf("content = %q, want %q", got, "new")
			}
			if runtime.GOOS != "windows" {
				if got := filetest.Stat(t, path).Mode().Perm(); got != tt.wantPerm {
					t.Errorf("perm = %v, want %v", got, tt.wantPerm)
				}
			}
			assertOnly(t, dir, "f.json")
		})
	}
}

func TestWriteCreatesParents(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "f")
	if err := Write(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := filetest.Read(t, path); got != "x" {
		t.Errorf("content = %q", got)
	}
	if runtime.GOOS != "windows" {
		for _, d := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b")} {
			if got := filetest.Stat(t, d).Mode().Perm(); got != 0o700 {
				t.Errorf("%s perm = %v, want 0700", d, got)
			}
		}
	}
}

// The point of the package: a failure after the new content is written but
// before it is renamed into place leaves the old file intact and no debris.
func TestWriteFailureBeforeRenameKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	filetest.Write(t, path, "old content", 0o600)

	injected := errors.New("power cut")
	var sawTemp bool
	w := Writer{beforeRename: func() error {
		// The temp file must be complete at this point, next to the target.
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".settings.json.tmp-") {
				sawTemp = filetest.Read(t, filepath.Join(dir, e.Name())) == "new content"
			}
		}
		return injected
	}}
	err := w.Write(path, []byte("new content"), 0o600)
	if !errors.Is(err, injected) {
		t.Fatalf("err = %v, want the injected error", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if !sawTemp {
		t.Error("temp file with the new content was not in the target directory before rename")
	}
	if got := filetest.Read(t, path); got != "old content" {
		t.Errorf("content = %q, want the old content", got)
	}
	assertOnly(t, dir, "settings.json")
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path to write
	}{
		{"target is a directory", func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "d")
			if err := os.Mkdir(p, 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"parent is a file", func(t *testing.T, dir string) string {
			filetest.Write(t, filepath.Join(dir, "file"), "x", 0o600)
			return filepath.Join(dir, "file", "child")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tt.setup(t, dir)
			before := filetest.Names(t, dir)
			if err := Write(path, []byte("x"), 0o600); err == nil {
				t.Fatal("Write succeeded")
			}
			if after := filetest.Names(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("directory changed: %v -> %v", before, after)
			}
		})
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	link := filepath.Join(dir, "link")
	filetest.Write(t, real, "old", 0o644)
	filetest.Symlink(t, "real", link)
	if err := Write(link, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("link replaced by a file (%v, %v)", fi, err)
	}
	if got := filetest.Read(t, real); got != "new" {
		t.Errorf("target content = %q", got)
	}
	if got := filetest.Stat(t, real).Mode().Perm(); got != 0o644 {
		t.Errorf("target perm = %v, want 0644 kept", got)
	}
}

func ptr[T any](v T) *T { return &v }

// assertOnly fails when dir holds anything but want (a leftover temp file).
func assertOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := filetest.Names(t, dir); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("directory holds %v, want %v", got, want)
	}
}
