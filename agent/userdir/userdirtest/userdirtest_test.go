//go:build unix

package userdirtest

import (
	"slices"
	"strings"
	"testing"
)

// TestLevelsBelow: every level between home and each path is listed once,
// home itself never, and a path outside home is a mistake in the test.
func TestLevelsBelow(t *testing.T) {
	const home = "/tmp/x/home"
	for _, tt := range []struct {
		name    string
		paths   []string
		want    []string
		wantErr string
	}{
		{"one file", []string{home + "/Library/Logs/idpulse/idpulse.log"},
			[]string{home + "/Library", home + "/Library/Logs", home + "/Library/Logs/idpulse", home + "/Library/Logs/idpulse/idpulse.log"}, ""},
		{"two files share their folders", []string{home + "/s/a.jsonl", home + "/s/a.jsonl.lock"},
			[]string{home + "/s", home + "/s/a.jsonl", home + "/s/a.jsonl.lock"}, ""},
		{"a folder itself", []string{home + "/.local/state/"},
			[]string{home + "/.local", home + "/.local/state"}, ""},
		{"home is not below home", []string{home}, nil, "is not below"},
		{"a sibling of home", []string{"/tmp/x/homework/f"}, nil, "is not below"},
		{"above home", []string{"/tmp/x"}, nil, "is not below"},
		{"relative", []string{"Library/f"}, nil, "is not below"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := levelsBelow(home, tt.paths)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("levelsBelow = %q, %v; want an error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("levelsBelow = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
