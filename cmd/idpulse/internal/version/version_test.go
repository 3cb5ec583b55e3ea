package version

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime"
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
