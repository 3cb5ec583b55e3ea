//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/idpulse/idpulse/probes/filetest"
)

// The umask must not narrow a file other processes are meant to read.
func TestWriteIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "state.json")
	if err := Write(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := filetest.Stat(t, path).Mode().Perm(); got != 0o644 {
		t.Errorf("perm = %v, want 0644", got)
	}
}

func TestWriteKeepsOwnerAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files away")
	}
	path := filepath.Join(t.TempDir(), "hosts")
	filetest.Write(t, path, "old", 0o644)
	if err := os.Chown(path, 4321, 8765); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := filetest.Stat(t, path).Sys().(*syscall.Stat_t)
	if st.Uid != 4321 || st.Gid != 8765 {
		t.Errorf("owner = %d:%d, want 4321:8765", st.Uid, st.Gid)
	}
}
