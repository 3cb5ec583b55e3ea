//go:build darwin || linux

package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIsTerminal(t *testing.T) {
	file := filepath.Join(t.TempDir(), "input")
	if err := os.WriteFile(file, []byte("y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want bool
	}{
		// A character device, yet no one types into it.
		{"/dev/null", os.DevNull, false},
		{"a regular file", file, false},
	}
	if _, err := os.Stat("/dev/ptmx"); err == nil {
		tests = append(tests, struct {
			name string
			path string
			want bool
		}{"a pseudo-terminal", "/dev/ptmx", true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.OpenFile(tt.path, os.O_RDWR, 0)
			if err != nil {
				t.Skip(err)
			}
			defer f.Close()
			if got := isTerminal(f); got != tt.want {
				t.Errorf("isTerminal(%s) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}
