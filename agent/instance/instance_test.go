package instance

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/idpulse/idpulse/probes/filetest"
)

func TestAcquire(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the agent's lock is flock's (macOS, Linux)")
	}
	path := filepath.Join(t.TempDir(), "state", FileName)
	release, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	// A second agent is refused and told who runs.
	_, err = Acquire(path)
	var re *RunningError
	if !errors.As(err, &re) || re.PID != os.Getpid() {
		t.Fatalf("second Acquire: %v, want a RunningError naming pid %d", err, os.Getpid())
	}
	if want := "idpulse is already running (pid "; err.Error()[:len(want)] != want {
		t.Errorf("message %q", err)
	}
	// Released (Quit), it can be taken again.
	release()
	release2, err := Acquire(path)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	release2()
}

// TestAcquireAcrossProcesses: the lock holds against another process, and
// goes with the process that held it.
func TestAcquireAcrossProcesses(t *testing.T) {
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("needs util-linux flock(1)")
	}
	path := filepath.Join(t.TempDir(), FileName)
	filetest.Write(t, path, "4242\n", 0o600)
	// flock -n succeeds only while nobody holds the lock.
	release, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(flock, "-n", path, "true").Run(); err == nil {
		t.Error("another process took the lock while the agent held it")
	}
	release()
	if out, err := exec.Command(flock, "-n", path, "true").CombinedOutput(); err != nil {
		t.Errorf("the lock outlived its release: %v %s", err, out)
	}
}

// TestAcquireRefusesALink: a link planted in the lock's place is not
// followed.
func TestAcquireRefusesALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("O_NOFOLLOW")
	}
	path := filepath.Join(t.TempDir(), FileName)
	target := filetest.Plant(t, path)
	if _, err := Acquire(path); err == nil {
		t.Error("Acquire followed a symlink")
	}
	filetest.Untouched(t, target)
}
