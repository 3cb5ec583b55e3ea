package commandtest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/idpulse/idpulse/probes/command"
)

var _ command.Runner = (*Runner)(nil)

func TestRunner(t *testing.T) {
	r := New()
	exit1 := errors.New("exit status 1")
	r.Set("/usr/sbin/scutil --proxy", []byte("<dictionary> {\n}\n"), nil)
	r.Set("/usr/bin/sw_vers", []byte("ProductVersion: 15.1\n"), nil)
	r.Set("/sbin/route -n get default", []byte("partial"), exit1)

	tests := []struct {
		path    string
		args    []string
		out     string
		err     error
		errText string
	}{
		{path: "/usr/sbin/scutil", args: []string{"--proxy"}, out: "<dictionary> {\n}\n"},
		{path: "/usr/bin/sw_vers", out: "ProductVersion: 15.1\n"},
		{path: "/sbin/route", args: []string{"-n", "get", "default"}, out: "partial", err: exit1},
		{path: "/usr/sbin/scutil", args: []string{"--dns"}, errText: `fake runner: no output recorded for "/usr/sbin/scutil --dns"`},
	}
	for _, tt := range tests {
		out, err := r.Run(context.Background(), tt.path, tt.args...)
		if string(out) != tt.out {
			t.Errorf("%s %v: out = %q, want %q", tt.path, tt.args, out, tt.out)
		}
		switch {
		case tt.errText != "":
			if err == nil || err.Error() != tt.errText {
				t.Errorf("%s %v: err = %v, want %q", tt.path, tt.args, err, tt.errText)
			}
		case err != tt.err:
			t.Errorf("%s %v: err = %v, want %v", tt.path, tt.args, err, tt.err)
		}
	}
	want := []string{"/usr/sbin/scutil --proxy", "/usr/bin/sw_vers", "/sbin/route -n get default", "/usr/sbin/scutil --dns"}
	if got := r.Cmdlines(); !slices.Equal(got, want) {
		t.Fatalf("Calls() = %q, want %q", got, want)
	}

	// The caller cannot change what is recorded through the returned slice.
	out, _ := r.Run(context.Background(), "/usr/bin/sw_vers")
	out[0] = 'X'
	if again, _ := r.Run(context.Background(), "/usr/bin/sw_vers"); again[0] != 'P' {
		t.Fatal("recorded output was modified through a returned slice")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Run(ctx, "/usr/bin/sw_vers"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: err = %v, want context.Canceled", err)
	}
}

func TestRunnerQueuesHooksAndLimits(t *testing.T) {
	r := New()
	r.On("/bin/a", OK("one"), OK("two"))
	hooked := 0
	r.Before("/bin/a", func() { hooked++ })
	r.Reply = func(argv []string) ([]byte, error) { return []byte("fallback " + argv[0]), nil }
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	var got []string
	for range 3 {
		out, _ := r.Run(ctx, "/bin/a")
		got = append(got, string(out))
	}
	out, _ := r.Run(context.Background(), "/bin/b", "x")
	got = append(got, string(out))
	if want := []string{"one", "two", "two", "fallback /bin/b"}; !slices.Equal(got, want) {
		t.Errorf("replies %q, want %q", got, want)
	}
	if hooked != 3 {
		t.Errorf("hook ran %d times, want 3", hooked)
	}
	calls := r.Calls()
	if calls[0].Limit <= 0 || calls[0].Limit > time.Hour || calls[3].Limit != -1 {
		t.Errorf("limits %v, %v; want (0, 1h] and -1", calls[0].Limit, calls[3].Limit)
	}
	if _, err := r.Run(ctx, "/bin/a"); err != nil {
		t.Errorf("queued command: %v", err)
	}
	err := Fail("/bin/x", 3, "boom").Err
	if command.ExitCode(err) != 3 || command.Stderr(err) != "boom" {
		t.Errorf("Fail: exit %d stderr %q", command.ExitCode(err), command.Stderr(err))
	}
}

func TestStrictRunnerFailsOnUnknownCommands(t *testing.T) {
	ft := &fakeT{}
	r := Strict(ft)
	r.Run(context.Background(), "/bin/nope")
	if !ft.failed {
		t.Error("an unknown command did not fail the test")
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}
