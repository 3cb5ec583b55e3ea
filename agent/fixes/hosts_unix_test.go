//go:build linux || darwin

package fixes

import (
	"os"
	"syscall"
	"testing"

	"github.com/idpulse/idpulse/probes/filetest"
)

// Owner and group survive the edit, on the file and on its backup. Only
// root can give files away, so only root can run this.
func TestHostsApplyKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
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
