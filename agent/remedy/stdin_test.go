package remedy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A clipboard tool that forks a child to keep serving the selection (xclip
// does) has done its job when it exits 0, however long the child lives.
func TestRunWithStdinForkingTool(t *testing.T) {
	dir := t.TempDir()
	got := filepath.Join(dir, "got")
	script := filepath.Join(dir, "xclip")
	// The child inherits stdout and stderr and outlives the tool, as xclip's does.
	body := "#!/bin/sh\ncat > " + got + "\n(sleep 5 &)\nexit 0\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		argv   []string
		wantOK bool
	}{
		{"forking tool that worked", []string{script}, true},
		{"tool that failed", []string{"/bin/false"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runWithStdin(context.Background(), tt.argv, []byte("report"))
			if (err == nil) != tt.wantOK {
				t.Fatalf("runWithStdin = %v, want ok %v", err, tt.wantOK)
			}
		})
	}
	if b, _ := os.ReadFile(got); string(b) != "report" {
		t.Errorf("the tool read %q", b)
	}
}
