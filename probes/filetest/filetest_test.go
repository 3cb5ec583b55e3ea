package filetest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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

// errorsTB stands in for a test to see what Untouched reports.
type errorsTB struct {
	testing.TB
	errs []string
}

func (e *errorsTB) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// TestPlantUntouched: Plant leaves a link to a file elsewhere, and
// Untouched fails a test exactly when something wrote through that link.
func TestPlantUntouched(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	for _, tt := range []struct {
		name    string
		through func(link string) error // what is done through the link; nil is nothing
		fails   bool
	}{
		{"nothing written", nil, false},
		{"overwritten", func(link string) error { return os.WriteFile(link, []byte("new"), 0o600) }, true},
		{"emptied", func(link string) error { return os.Truncate(link, 0) }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			link := filepath.Join(t.TempDir(), "state.json")
			target := Plant(t, link)
			if got, err := os.Readlink(link); err != nil || got != target {
				t.Fatalf("link points at %q (%v), want %s", got, err, target)
			}
			if filepath.Dir(target) == filepath.Dir(link) {
				t.Errorf("target %s is in the link's folder", target)
			}
			if tt.through != nil {
				if err := tt.through(link); err != nil {
					t.Fatal(err)
				}
			}
			rec := &errorsTB{TB: t}
			Untouched(rec, target)
			if failed := len(rec.errs) > 0; failed != tt.fails {
				t.Errorf("Untouched reported %q, want a failure: %v", rec.errs, tt.fails)
			}
		})
	}
}
