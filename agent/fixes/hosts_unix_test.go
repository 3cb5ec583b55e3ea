//go:build linux || darwin

package fixes

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/idpulse/idpulse/agent/userdir/userdirtest"
	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/probetest"
)

// Owner and group survive the edit, on the file and on its backup. Only
// root can give files away, so only root can run this.
func TestHostsApplyKeepsOwner(t *testing.T) {
	probetest.RequireRoot(t, "giving files away", nil)
	_, path := hostsFile(t, sampleHosts, 0o644)
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	backup, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, backup} {
		st := filetest.Stat(t, p).Sys().(*syscall.Stat_t)
		if st.Uid != 1234 || st.Gid != 5678 {
			t.Errorf("%s owner %d:%d, want 1234:5678", p, st.Uid, st.Gid)
		}
	}
}

// TestBackupNeverTruncated: a backup is written under a temporary name and
// linked into place, so a crash half-way never leaves a truncated file under
// a backup's name; what such a crash left is removed by the next backup.
func TestBackupNeverTruncated(t *testing.T) {
	dir := t.TempDir()
	hosts := filepath.Join(dir, "hosts")
	filetest.Write(t, hosts, "127.0.0.1 localhost\n0.0.0.0 gs.apple.com\n", 0o644)
	stale := filepath.Join(dir, "hosts.idpulse-20260101-000000.bak"+tempInfix+"123")
	filetest.Write(t, stale, "127.0.0.1 loc", 0o600) // a crash mid-write
	info := filetest.Stat(t, hosts)
	name := filepath.Join(dir, "hosts.idpulse-20261202-000000.bak")
	if err := (osFS{}).WriteNew(name, []byte("127.0.0.1 localhost\n0.0.0.0 gs.apple.com\n"), info); err != nil {
		t.Fatal(err)
	}
	if got := filetest.Read(t, name); got != "127.0.0.1 localhost\n0.0.0.0 gs.apple.com\n" {
		t.Errorf("backup %q", got)
	}
	for _, n := range filetest.Names(t, dir) {
		if strings.Contains(n, tempInfix) {
			t.Errorf("temporary file %s left behind", n)
		}
	}
	if err := (osFS{}).WriteNew(name, []byte("other"), info); !errors.Is(err, fs.ErrExist) {
		t.Errorf("a second backup under the same name: %v, want fs.ErrExist", err)
	}
	if got := filetest.Read(t, name); !strings.HasPrefix(got, "127.0.0.1") {
		t.Errorf("the existing backup was replaced: %q", got)
	}
}

// TestHostsApplyReadOnlyDir: a folder the user cannot write to, for real.
// Root ignores the mode bits (TestHostsApplyImmutable covers root), so as
// root the test runs itself again as an ordinary user.
func TestHostsApplyReadOnlyDir(t *testing.T) {
	if os.Geteuid() == 0 {
		userdirtest.AsNobody(t, t.Name())
		return
	}
	dir, path := hostsFile(t, sampleHosts, 0o644)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	_, _, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
	if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("err = %v", err)
	}
	assertUntouched(t, dir, path, sampleHosts)
}
