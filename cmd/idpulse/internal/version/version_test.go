package version

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
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
	io, out, _ := cli.Test()
	var asJSON bool
	if err := Parse(io, []string{"--json"}, &asJSON); err != nil || !asJSON {
		t.Errorf("--json: err %v, asJSON %v", err, asJSON)
	}
	asJSON = false
	if err := Parse(io, nil, &asJSON); err != nil || asJSON {
		t.Errorf("no flags: err %v, asJSON %v", err, asJSON)
	}
	var ue *cli.UsageError
	if err := Parse(io, []string{"--bogus"}, &asJSON); !errors.As(err, &ue) {
		t.Errorf("--bogus: %v, want a usage error", err)
	}
	if err := Parse(io, []string{"extra"}, &asJSON); !errors.As(err, &ue) || !strings.Contains(err.Error(), `"extra"`) {
		t.Errorf("extra: %v", err)
	}
	if err := Parse(io, []string{"--help"}, &asJSON); !errors.Is(err, cli.ErrHelp) || !strings.Contains(out.String(), "--json") {
		t.Errorf("--help: %v, out %q", err, out.String())
	}
}
