//go:build unix

// Package userdirtest sets up what agent/userdir guards against, for the
// tests of every package that writes in a user's folder: root writing in a
// folder another user owns.
package userdirtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/filetest"
	"github.com/idpulse/idpulse/probes/probetest"
)

// Nobody is the user who owns the folders: 65534, "nobody" on Debian and
// most Linux systems, with its own group.
const Nobody = 65534

// Folder is a folder owned by Nobody (mode 0755) in a world-readable
// temporary folder, so that a command run as Nobody can reach it too. The
// test needs root, to give the folder away: probetest.RequireRoot (CI runs
// as root and fails the test without it).
func Folder(t testing.TB) string {
	t.Helper()
	probetest.RequireRoot(t, "files root writes in another user's folder", nil)
	base, err := os.MkdirTemp("", "idpulse-userdir-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "home")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, Nobody, Nobody); err != nil {
		t.Fatal(err)
	}
	return dir
}

// AssertOwnedByNobody fails t for each path (not followed if a link) that
// does not belong to Nobody:Nobody.
func AssertOwnedByNobody(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != Nobody || st.Gid != Nobody {
			t.Errorf("%s is owned by %d:%d, want %d:%d (the folder's owner)", p, st.Uid, st.Gid, Nobody, Nobody)
		}
	}
}

// AssertOwnedBelow fails t unless each path, and every folder between home
// and it, belongs to Nobody: what root creates on a fresh account
// (~/Library/Logs/idpulse/idpulse.log) must be the user's at every level,
// or the user's own runs cannot write there later.
func AssertOwnedBelow(t testing.TB, home string, paths ...string) {
	t.Helper()
	levels, err := levelsBelow(home, paths)
	if err != nil {
		t.Fatal(err)
	}
	AssertOwnedByNobody(t, levels...)
}

// levelsBelow lists each path and every folder between home and it, once
// each, every folder before what it holds; home itself is not listed.
func levelsBelow(home string, paths []string) ([]string, error) {
	home = filepath.Clean(home)
	var levels []string
	for _, p := range paths {
		rel, err := filepath.Rel(home, p)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s is not below %s", p, home)
		}
		for q := filepath.Clean(p); q != home; q = filepath.Dir(q) {
			if !slices.Contains(levels, q) {
				levels = append(levels, q)
			}
		}
	}
	slices.Sort(levels)
	return levels, nil
}

// CheckUntouched fails t unless target (from filetest.Plant) still holds
// what Plant wrote and is root's: a root run neither wrote through the link
// nor gave the file away.
func CheckUntouched(t testing.TB, target string) {
	t.Helper()
	filetest.Untouched(t, target)
	fi, err := os.Stat(target)
	if err == nil && fi.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Errorf("the link's target %s was given away", target)
	}
}

// AsNobody runs the test named test again as Nobody, in a copy of the test
// binary Nobody can execute (go test keeps its own in a folder only root
// can enter), with env added to this process's environment. It fails t
// unless that run passed: a test that skipped or did not run is a failure.
// Root runs the tests in CI, so this is how a test of what an ordinary
// user sees (mode bits that bind, the user's own append after root's) runs
// there.
func AsNobody(t testing.TB, test string, env ...string) {
	t.Helper()
	home := Folder(t)
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(filepath.Dir(home), filepath.Base(os.Args[0]))
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^"+regexp.QuoteMeta(test)+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Dir = home
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: Nobody, Gid: Nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test+" ") {
		t.Fatalf("%s as user %d: %v\n%s", test, Nobody, err, out)
	}
}
