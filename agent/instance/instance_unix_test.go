//go:build unix

package instance

import (
	"path/filepath"
	"testing"

	"github.com/idpulse/idpulse/agent/userdir/userdirtest"
)

// TestRootLockIsTheUsers: an agent started as root in the user's state
// folder leaves a lock file the user's own agent can open.
func TestRootLockIsTheUsers(t *testing.T) {
	dir := filepath.Join(userdirtest.Folder(t), "idpulse")
	path := filepath.Join(dir, FileName)
	release, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	release()
	userdirtest.AssertOwnedByNobody(t, dir, path)
}
