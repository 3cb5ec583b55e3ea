package version

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
)

func TestPrintText(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, Info{Version: "v1.2.3-4-gabcdef0-dirty"}, false); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "idpulse v1.2.3-4-gabcdef0-dirty\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPrintJSON(t *testing.T) {
	var b bytes.Buffer
	if err := Print(&b, Current(), true); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	for k, want := range map[string]string{"version": Version, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH} {
		if got[k] != want {
			t.Errorf("%s = %v, want %q", k, got[k], want)
		}
	}
	for k := range got {
		switch k {
		case "version", "commit", "go", "os", "arch":
		default:
			t.Errorf("unexpected key %q", k)
		}
	}
}

func TestCommit(t *testing.T) {
	vcs := &debug.BuildInfo{Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "c43c9b2e0d6f4a1b8e2f3a4b5c6d7e8f9a0b1c2d"},
	}}
	noVCS := &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "-buildvcs", Value: "false"}}}
	for _, tt := range []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"make build, VCS stamping off", "c43c9b2", noVCS, "c43c9b2"},
		{"make build, no build info", "c43c9b2", nil, "c43c9b2"},
		{"make build wins over Go's stamp", "c43c9b2", vcs, "c43c9b2"},
		{"go build with VCS stamping", "", vcs, "c43c9b2e0d6f4a1b8e2f3a4b5c6d7e8f9a0b1c2d"},
		{"go build -buildvcs=false", "", noVCS, ""},
		{"no build info at all", "", nil, ""},
	} {
		if got := commit(tt.stamped, tt.bi); got != tt.want {
			t.Errorf("%s: commit(%q) = %q, want %q", tt.name, tt.stamped, got, tt.want)
		}
	}
}

// TestMakefileStampsCommit guards the Makefile's -X flags: the linker
// ignores an -X whose symbol does not exist, so a renamed variable or
// package would silently drop the commit from `version --json`.
func TestMakefileStampsCommit(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	out, err := exec.Command("make", "-C", "../../../..", "-n", "--no-print-directory", "build",
		"VERSION=v9.9.9", "COMMIT=abc1234").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, out)
	}
	pkg := reflect.TypeOf(Info{}).PkgPath()
	for _, want := range []string{"-X " + pkg + ".Version=v9.9.9", "-X " + pkg + ".Commit=abc1234"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("make -n build does not stamp %q:\n%s", want, out)
		}
	}
}

func TestParse(t *testing.T) {
	var ue *cli.UsageError
	for _, tt := range []struct {
		args []string
		json bool
		ok   func(error) bool
	}{
		{[]string{"--json"}, true, func(err error) bool { return err == nil }},
		{nil, false, func(err error) bool { return err == nil }},
		{[]string{"--bogus"}, false, func(err error) bool { return errors.As(err, &ue) }},
		{[]string{"extra"}, false, func(err error) bool { return errors.As(err, &ue) && strings.Contains(err.Error(), `"extra"`) }},
		{[]string{"--help"}, false, func(err error) bool { return errors.Is(err, cli.ErrHelp) }},
	} {
		io, out, _ := cli.Test()
		opts := &Options{IO: io}
		err := Parse(opts, tt.args)
		if !tt.ok(err) || opts.JSON != tt.json {
			t.Errorf("%q: err %v, JSON %v", tt.args, err, opts.JSON)
		}
		if errors.Is(err, cli.ErrHelp) && !strings.Contains(out.String(), "--json") {
			t.Errorf("--help: out %q", out.String())
		}
	}
}

func TestRun(t *testing.T) {
	io, out, errOut := cli.Test()
	if code := Run(context.Background(), &Options{IO: io}); code != cli.ExitOK || out.String() != "idpulse "+Version+"\n" {
		t.Errorf("exit %d, out %q", code, out)
	}
	io.Out = clitest.BrokenWriter{}
	if code := Run(context.Background(), &Options{IO: io, JSON: true}); code != cli.ExitFailure ||
		errOut.String() != "idpulse: write JSON: broken pipe\n" {
		t.Errorf("broken output: exit %d, stderr %q", code, errOut)
	}
}
