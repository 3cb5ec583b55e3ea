package readcap

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		size  int
		limit int64
		big   bool
	}{
		{"empty", 0, 10, false},
		{"under", 9, 10, false},
		{"at the limit", 10, 10, false},
		{"one over", 11, 10, true},
		{"far over", 5 << 20, 1 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			want := bytes.Repeat([]byte("x"), tc.size)
			if err := os.WriteFile(path, want, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(path, tc.limit)
			if tc.big {
				var tl *TooLargeError
				if !errors.As(err, &tl) || tl.Path != path || tl.Limit != tc.limit {
					t.Fatalf("err = %v, want a TooLargeError naming %s and %d", err, path, tc.limit)
				}
				return
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("ReadFile = %d bytes, %v; want %d bytes", len(got), err, tc.size)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope"), 10)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want ErrNotExist", err)
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		limit int64
		want  string
	}{
		{1 << 20, "/x/state.json is larger than 1 MiB, the most idpulse reads from it"},
		{64 << 10, "/x/state.json is larger than 64 KiB, the most idpulse reads from it"},
		{100, "/x/state.json is larger than 100 bytes, the most idpulse reads from it"},
	} {
		if got := (&TooLargeError{Path: "/x/state.json", Limit: tc.limit}).Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
