// Package filetest holds the file helpers that tests across the tree share:
// write a file with an exact mode, read or stat one, list a directory, make
// a link or plant one where a file is expected. Each fails the test on an
// error, so a test reads as what it checks.
package filetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes content to path with exactly perm (chmod'ed past the umask,
// for tests of modes), creating missing parent directories (0755).
func Write(t testing.TB, path, content string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

// Read returns the content of path.
func Read(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Testdata returns the content of the package's testdata/name: the real
// command outputs and payloads the parsers are tested against.
func Testdata(t testing.TB, name string) []byte {
	t.Helper()
	return []byte(Read(t, filepath.Join("testdata", name)))
}

// Stat returns path's file info, following links.
func Stat(t testing.TB, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// Names lists the names in dir, sorted.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// Symlink makes link a symbolic link to target.
func Symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// precious is what a planted link's target holds until something writes
// through the link.
const precious = "precious"

// Plant makes path a symbolic link to a fresh file holding "precious", in a
// folder of its own, and returns that file's path: Untouched tells whether
// anything was written through the link.
func Plant(t testing.TB, path string) string {
	t.Helper()
	target := filepath.Join(t.TempDir(), "precious")
	Write(t, target, precious, 0o600)
	Symlink(t, target, path)
	return target
}

// Untouched fails t unless target (from Plant) still holds "precious".
func Untouched(t testing.TB, target string) {
	t.Helper()
	if b, err := os.ReadFile(target); err != nil || string(b) != precious {
		t.Errorf("the link's target %s now holds %q (%v): written through the link", target, b, err)
	}
}
