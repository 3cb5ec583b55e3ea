//go:build unix

package statefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/userdir/userdirtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

// TestRootWriteInTheUsersFolder: `sudo idpulse check` writes the user's
// state file as the user's, in a state folder it creates as the user's,
// and writes nothing through a link planted at the file.
func TestRootWriteInTheUsersFolder(t *testing.T) {
	home := userdirtest.Folder(t)
	dir := filepath.Join(home, "Library", "Application Support", "idpulse")
	path := filepath.Join(dir, "state.json")
	for range 2 { // a fresh file, then one replaced
		if err := Write(path, sampleDoc()); err != nil {
			t.Fatal(err)
		}
		userdirtest.AssertOwnedBelow(t, home, path)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 (MDM tools read it)", fi.Mode().Perm())
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	target := filetest.Plant(t, path)
	if err := Write(path, sampleDoc()); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("error %v, want a refused link", err)
	}
	userdirtest.CheckUntouched(t, target)
}
