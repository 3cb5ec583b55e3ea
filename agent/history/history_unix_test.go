//go:build unix

package history

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/userdir/userdirtest"
	"github.com/idpulse/idpulse/probes/filetest"
)

// TestRootRunLeavesTheUserRecording reproduces `sudo idpulse fix` on a
// fresh account and then the user's own fix: root's append must leave the
// state folder, the log and its lock file to the user, so that the user's
// next append (a process running as that user) is recorded too. It once
// left a root-owned attempts.jsonl.lock, and every later fix of the user's
// went unrecorded.
func TestRootRunLeavesTheUserRecording(t *testing.T) {
	home := userdirtest.Folder(t)
	dir := filepath.Join(home, ".local", "state", "idpulse")
	l := Attempts(dir)
	if err := l.Append(Attempt{At: at(0), Fix: "flush-dns", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	userdirtest.AssertOwnedBelow(t, home, l.Path, l.Path+".lock")

	// The user's own append, in a process of the user's.
	userdirtest.AsNobody(t, "TestHelperAppender", "HISTORY_HELPER_PATH="+l.Path, "HISTORY_HELPER_ID=user", "HISTORY_HELPER_N=1")
	got, err := l.Recent(0)
	if err != nil || len(got) != 2 || got[0].Fix != "flush-dns" || got[1].Fix != "user" {
		t.Errorf("recorded %+v, %v; want root's attempt, then the user's", got, err)
	}

	// Root's compaction replaces the log: the new one is the user's too.
	c := Log[Attempt]{Path: filepath.Join(dir, "transitions.jsonl"), keep: 1}
	for i := range 3 {
		if err := c.Append(Attempt{At: at(i), Fix: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := c.Recent(0); len(got) != 1 {
		t.Fatalf("not compacted: %d lines", len(got))
	}
	userdirtest.AssertOwnedByNobody(t, c.Path)
}

// TestRootAppendFollowsNoLink: links planted in the user's folder, at the
// log, at its lock file or as the folder itself, are refused, and nothing
// is written through them.
func TestRootAppendFollowsNoLink(t *testing.T) {
	for _, name := range []string{"attempts.jsonl", "attempts.jsonl.lock"} {
		t.Run(name, func(t *testing.T) {
			dir := userdirtest.Folder(t)
			target := filetest.Plant(t, filepath.Join(dir, name))
			err := Attempts(dir).Append(Attempt{At: at(0), Fix: "flush-dns", Outcome: "ok"})
			if err == nil || !strings.Contains(err.Error(), "symbolic link") {
				t.Errorf("error %v, want a refused link", err)
			}
			userdirtest.CheckUntouched(t, target)
		})
	}
	t.Run("the folder", func(t *testing.T) {
		home := userdirtest.Folder(t)
		elsewhere := t.TempDir() // root's
		link := filepath.Join(home, "idpulse")
		if err := os.Symlink(elsewhere, link); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(link, userdirtest.Nobody, userdirtest.Nobody); err != nil {
			t.Fatal(err)
		}
		err := Attempts(link).Append(Attempt{At: at(0), Fix: "flush-dns", Outcome: "ok"})
		if err == nil || !strings.Contains(err.Error(), "refusing a symbolic link made by another user") {
			t.Errorf("error %v, want the folder refused", err)
		}
		if names, _ := os.ReadDir(elsewhere); len(names) != 0 {
			t.Errorf("wrote %v through the folder link", names)
		}
	})
}
