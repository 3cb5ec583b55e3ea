package fixes

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/probetest"
)

// TestHostsApplyBindMount edits a bind-mounted file for real, the way
// Docker mounts /etc/hosts: rename over it fails with EBUSY, so the edit
// falls back to an in-place rewrite. Needs root and mount privileges.
func TestHostsApplyBindMount(t *testing.T) {
	mount, umount := "/usr/bin/mount", "/usr/bin/umount"
	probetest.RequireRoot(t, "bind mounts", nil)
	dir := t.TempDir()
	src, path := filepath.Join(dir, "container-hosts"), filepath.Join(dir, "hosts")
	filetest.Write(t, src, sampleHosts, 0o644)
	filetest.Write(t, path, "", 0o644)
	if out, err := exec.Command(mount, "--bind", src, path).CombinedOutput(); err != nil {
		probetest.RequireRoot(t, "a bind mount", fmt.Errorf("%v: %s", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command(umount, path).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	backup, n, err := HostsEdit{Path: path, Domains: appleDomains, Now: fixedNow}.Apply()
	if err != nil || n != 2 {
		t.Fatalf("Apply = %d, %v", n, err)
	}
	if got := filetest.Read(t, path); got != sampleEdited {
		t.Errorf("hosts = %q", got)
	}
	if got := filetest.Read(t, src); got != sampleEdited {
		t.Errorf("the mounted file itself = %q (the mount was replaced, not the file)", got)
	}
	if filetest.Read(t, backup) != sampleHosts {
		t.Error("backup differs")
	}
	if got := filetest.Names(t, dir); len(got) != 3 {
		t.Errorf("directory holds %q (a temp file left behind?)", got)
	}
}
