package logfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/idpulse/idpulse/probes/probetest"
)

// tinyDisk mounts a 64 KiB tmpfs on a temporary folder; where that is not
// allowed (not root, no mount rights) probetest.RequireRoot decides.
func tinyDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		probetest.RequireRoot(t, "mounting a tmpfs", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fill writes a file until the disk is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling the disk: %v", err)
			}
			return path
		}
	}
}

// A full disk is said once on the warning writer and by Failing, every
// record is still tried, and the first one that fits ends the failure.
func TestFullDiskReportedOnceThenRetried(t *testing.T) {
	dir := tinyDisk(t)
	path := filepath.Join(dir, "idpulse.log")
	w, err := Open(path, 1<<20, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var warn bytes.Buffer
	w.WarnTo(&warn)
	if _, err := w.Write([]byte("first\n")); err != nil {
		t.Fatal(err)
	}
	filler := fill(t, dir)

	big := []byte(strings.Repeat("x", 9000) + "\n") // needs pages the disk no longer has
	for range 3 {
		if _, err := w.Write(big); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("write on a full disk: err = %v, want ENOSPC", err)
		}
	}
	if !w.Failing() {
		t.Error("Failing() = false on a full disk")
	}
	if got := strings.Count(warn.String(), "idpulse cannot write its log "+path); got != 1 {
		t.Errorf("told %d times, want once:\n%s", got, warn.String())
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("after\n")); err != nil {
		t.Fatalf("write after space came back: %v", err)
	}
	if w.Failing() {
		t.Error("Failing() = true after a write that worked")
	}
	if !strings.HasSuffix(warn.String(), "idpulse writes its log "+path+" again\n") {
		t.Errorf("recovery not told:\n%s", warn.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if lines[0] != "first" || lines[len(lines)-1] != "after" {
		t.Errorf("log starts %q and ends %q, want first … after on lines of their own", lines[0], lines[len(lines)-1])
	}
}
