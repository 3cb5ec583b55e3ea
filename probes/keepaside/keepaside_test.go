package keepaside

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/filetest"
)

func TestRename(t *testing.T) {
	at := time.Date(2026, 8, 23, 9, 0, 5, 0, time.UTC)
	const base = "f.json.corrupt-20260823-090005"
	tests := []struct {
		name  string
		taken []string // names already kept aside
		want  string
	}{
		{"first of the second", nil, base},
		{"second in the same second", []string{base}, base + "-1"},
		{"third", []string{base, base + "-1"}, base + "-2"},
		{"a gap is filled", []string{base, base + "-2"}, base + "-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.json")
			filetest.Write(t, path, "{broken", 0o600)
			for _, n := range tt.taken {
				filetest.Write(t, filepath.Join(dir, n), "earlier "+n, 0o600)
			}
			got, err := Rename(path, at)
			if err != nil || got != filepath.Join(dir, tt.want) {
				t.Fatalf("Rename = %q, %v; want %s", got, err, tt.want)
			}
			if data := filetest.Read(t, got); data != "{broken" {
				t.Errorf("kept file holds %q, want the original bytes", data)
			}
			for _, n := range tt.taken {
				if data := filetest.Read(t, filepath.Join(dir, n)); data != "earlier "+n {
					t.Errorf("%s was overwritten: %q", n, data)
				}
			}
			if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the file is still in place: %v", err)
			}
		})
	}
}

// A file that is not there cannot be kept: the error says so, and
// nothing is created.
func TestRenameMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := Rename(filepath.Join(dir, "absent"), time.Now()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
	if names := filetest.Names(t, dir); len(names) != 0 {
		t.Errorf("created %v", names)
	}
}
