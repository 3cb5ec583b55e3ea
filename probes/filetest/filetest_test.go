package filetest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteReadNames(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		path    string
		content string
		perm    os.FileMode
	}{
		{filepath.Join(dir, "a"), "first", 0o600},
		{filepath.Join(dir, "sub", "deeper", "b"), "second\n", 0o444},
		{filepath.Join(dir, "c"), "", 0o755},
	}
	for _, tt := range tests {
		Write(t, tt.path, tt.content, tt.perm)
		if got := Read(t, tt.path); got != tt.content {
			t.Errorf("Read(%s) = %q, want %q", tt.path, got, tt.content)
		}
		if got := Stat(t, tt.path).Mode().Perm(); got != tt.perm {
			t.Errorf("%s: mode %v, want %v past the umask", tt.path, got, tt.perm)
		}
	}
	if got, want := Names(t, dir), []string{"a", "c", "sub"}; !slices.Equal(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
}
