package root_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/remedy"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/root"
	"github.com/idpulse/idpulse/probes/probetest"
)

// TestConfigInjected: every command that reads a configuration asks the
// injected loader, with the --config path, and a configuration it cannot
// load is exit 3 with one "config:" line.
func TestConfigInjected(t *testing.T) {
	w := probetest.NewWorld(t)
	for _, args := range [][]string{
		{"check"}, {"check", "--json"}, {"fix", "list"}, {"fix", "flush-dns", "--dry-run"}, {"report"},
		{"run", "--headless"}, {"apple-status"}, {"metrics"},
	} {
		d, out, errOut := deps(w)
		var asked []string
		d.LoadConfig = func(path string) (config.Config, error) {
			asked = append(asked, path)
			return config.Config{}, errors.New("managed preferences: plutil: exit status 1")
		}
		code := root.Main(context.Background(), append(args, "--config", "/etc/idpulse.json"), d)
		want := "idpulse: config: managed preferences: plutil: exit status 1\n"
		if code != cli.ExitUsage || errOut.String() != want || out.Len() > 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 3 and %q", args, code, out, errOut, want)
		}
		if len(asked) != 1 || asked[0] != "/etc/idpulse.json" {
			t.Errorf("%v: loader asked for %q, want once for the --config path", args, asked)
		}
	}
}

// TestEncodeErrorsReported: a --json output that cannot be written is said
// on stderr and is not a success.
func TestEncodeErrorsReported(t *testing.T) {
	w := probetest.NewWorld(t)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"check", "--json"}, cli.ExitOK}, // the contract keeps the verdict's code
		{[]string{"fix", "list", "--json"}, cli.ExitFailure},
		{[]string{"apple-status", "--json"}, 2},
		{[]string{"version", "--json"}, cli.ExitFailure},
	} {
		d, _, errOut := deps(w)
		d.IO.Out = clitest.BrokenWriter{}
		d.NewRemedy = func(config.Config) remedy.Service { return remedy.Service{} } // fix list only plans
		code := root.Main(context.Background(), tt.args, d)
		if code != tt.code || !strings.Contains(errOut.String(), "idpulse: write JSON: broken pipe") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and the write error", tt.args, code, errOut, tt.code)
		}
	}
}
