//go:build unix

package notify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeOsascript writes a shell script standing in for /usr/bin/osascript
// and returns its path and the file it records its argv into.
func fakeOsascript(t *testing.T, body string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	argv := filepath.Join(dir, "argv")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > '" + argv + "'\n" + body + "\n"
	path := filepath.Join(dir, "osascript")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, argv
}

// The darwin backend passes the script as one argv element, no shell: what
// osascript receives is exactly AppleScriptNotification's output.
func TestOsascriptBackendArgv(t *testing.T) {
	path, argvFile := fakeOsascript(t, "exit 0")
	d := Desktop{send: osascript(path)}
	title := `" & do shell script "rm -rf ~" & "`
	body := "$(touch /tmp/pwned); `id`\n\"quoted\" \\ end"
	if err := d.Notify(context.Background(), title, body); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(argvFile)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
	want := []string{"-e", `display notification "$(touch /tmp/pwned); ` + "`id`" + ` \"quoted\" \\ end" with title "\" & do shell script \"rm -rf ~\" & \""`}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("argv =\n%q\nwant\n%q", got, want)
	}
}

func TestOsascriptBackendFailure(t *testing.T) {
	path, _ := fakeOsascript(t, "echo '0:5: syntax error: Expected end of line (-2741)' >&2; exit 1")
	err := Desktop{send: osascript(path)}.Notify(context.Background(), "t", "b")
	if err == nil || !strings.Contains(err.Error(), "osascript: exit status 1: 0:5: syntax error") {
		t.Errorf("err = %v, want osascript's exit status and stderr", err)
	}
}

// A hung osascript is killed at the timeout, not left behind.
func TestOsascriptBackendKilledOnTimeout(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	path, _ := fakeOsascript(t, "echo $$ > '"+pidFile+"'; exec sleep 30")
	err := Desktop{send: osascript(path), Timeout: 200 * time.Millisecond}.Notify(context.Background(), "t", "b")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("fake osascript did not start: %v", err)
	}
	pid := strings.TrimSpace(string(raw))
	// Killed and reaped by exec: /proc/<pid> disappears (Linux; elsewhere skip the check).
	if _, err := os.Stat("/proc/self"); err != nil {
		return
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat("/proc/" + pid); os.IsNotExist(err) {
			return
		}
	}
	t.Errorf("fake osascript (pid %s) still running after the timeout", pid)
}
