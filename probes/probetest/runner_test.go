package probetest

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// The shape of netenv.Runner, restated so this package need not import netenv.
var _ interface {
	Run(ctx context.Context, path string, args ...string) ([]byte, error)
} = (*Runner)(nil)

func TestRunner(t *testing.T) {
	r := NewRunner()
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
	if got := r.Calls(); !slices.Equal(got, want) {
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
