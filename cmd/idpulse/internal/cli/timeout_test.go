package cli

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// TestTimeoutFlag: one rule for every command's --timeout, and an error
// that names the expected form.
func TestTimeoutFlag(t *testing.T) {
	tests := []struct {
		arg     string
		want    time.Duration
		wantErr string
	}{
		{"3s", 3 * time.Second, ""},
		{"1m30s", 90 * time.Second, ""},
		{"5", 0, `want a duration such as "5s", got "5"`},
		{"0", 0, `want a positive duration such as "5s", got "0"`},
		{"-1s", 0, "positive"},
		{"9223372036854775807ns", 0, "longer than the 10m0s a check may take"},
		{"1ns", 0, "shorter than the 1s a check needs"},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("demo", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var d time.Duration
		TimeoutFlag(fs, &d, 7*time.Second)
		err := fs.Parse([]string{"--timeout", tt.arg})
		switch {
		case tt.wantErr == "" && (err != nil || d != tt.want):
			t.Errorf("--timeout %s: %v, %v; want %v", tt.arg, d, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("--timeout %s: error %v, want %q", tt.arg, err, tt.wantErr)
		}
	}
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var d time.Duration
	TimeoutFlag(fs, &d, 7*time.Second)
	if fs.Parse(nil); d != 7*time.Second {
		t.Errorf("default %v, want 7s", d)
	}
}
