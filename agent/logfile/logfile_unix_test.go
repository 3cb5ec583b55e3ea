//go:build unix

package logfile

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/userdir/userdirtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

// TestRootLogInTheUsersFolder: a root run's log, its folder and the files
// a rotation creates are the user's, and a link planted at the log is
// refused, not written through.
func TestRootLogInTheUsersFolder(t *testing.T) {
	home := userdirtest.Folder(t)
	dir := filepath.Join(home, "Library", "Logs", "idpulse")
	path := filepath.Join(dir, "idpulse.log")
	w, err := Open(path, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{"first record\n", "second record\n"} { // the second rotates
		if _, err := w.Write([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	userdirtest.AssertOwnedBelow(t, home, path, path+".1")

	other := filepath.Join(dir, "other.log")
	target := filetest.Plant(t, other)
	if _, err := Open(other, 1<<20, 1); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("error %v, want a refused link", err)
	}
	userdirtest.CheckUntouched(t, target)
}
