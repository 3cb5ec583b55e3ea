package report_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/timeline"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/report"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/command/commandtest"
	"github.com/idpulse/idpulse/probes/probetest"
)

// The serial the system probe reads and the full name of macOS's user
// record are redacted although neither is in the Redactor SystemRedactor
// returns: a VPN service named after both shows them.
func TestReportRedactsSerialAndFullNameFromTheSystem(t *testing.T) {
	const (
		serial   = "C02ZZ9QQXY7K"
		fullName = "Zed Quxley"
	)
	w := probetest.NewWorld(t)
	w.Runner.
		On("/usr/bin/sw_vers", commandtest.OK("ProductName:\tmacOS\nProductVersion:\t14.4.1\nBuildVersion:\t23E224\n")).
		On("/usr/sbin/ioreg -rd1 -c IOPlatformExpertDevice", commandtest.OK(`    "IOPlatformSerialNumber" = "`+serial+`"`+"\n")).
		On("/usr/bin/id -F", commandtest.OK(fullName+"\n")).
		On("/usr/sbin/scutil --nc list", commandtest.OK("Available network connection services in the current set (*=enabled):\n"+
			`* (Connected)      6D8C5A3F-2B1E-4C7A-9E0D-3F5B7A1C9E24 PPP --> L2TP       "`+fullName+`'s VPN `+serial+`" [PPP:L2TP]`+"\n"))
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		io, out, errOut := cli.Test()
		opts := &report.Options{Deps: cli.Deps{IO: io, Now: time.Now,
			NewEnv: func(probes.Config) probes.Env {
				env := w.Env()
				env.GOOS = "darwin"
				return env
			},
			LoadConfig: clitest.Loader(clitest.WorldConfig(w), nil)}}
		if err := report.Parse(opts, args); err != nil {
			t.Fatal(err)
		}
		if code := report.Run(context.Background(), opts); code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		return out.String()
	}
	if out := run(t, "--no-redact"); !strings.Contains(out, fullName+"'s VPN "+serial) {
		t.Fatalf("the planted VPN name is not in the report:\n%s", out)
	}
	for _, f := range []string{"text", "markdown", "json"} {
		out := run(t, "--format", f)
		if strings.Contains(out, serial) || strings.Contains(out, fullName) {
			t.Errorf("%s: the serial or the full name survived:\n%s", f, out)
		}
		// Markdown escapes the placeholders' brackets.
		if !strings.Contains(strings.ReplaceAll(out, `\`, ""), "<user>'s VPN <serial>") {
			t.Errorf("%s: no redacted VPN name in:\n%s", f, out)
		}
	}
}

// --format html --output FILE writes the page, with the incidents the agent
// recorded in the state folder, whole and private to the user.
func TestReportHTMLToFile(t *testing.T) {
	w := probetest.NewWorld(t)
	dir := t.TempDir()
	now := time.Now()
	store := timeline.Store{Dir: timeline.In(dir)}
	for i := range 120 {
		r := timeline.Record{At: now.Add(time.Duration(i-120) * time.Minute), Code: "ok", Level: "ok"}
		if i >= 60 && i < 72 {
			r.Code, r.Level, r.Headline = "dns_failure", "down", "DNS is not working"
		}
		if err := store.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "report.html")
	io, stdout, errOut := cli.Test()
	opts := &report.Options{Deps: cli.Deps{IO: io, Now: func() time.Time { return now },
		NewEnv:     func(probes.Config) probes.Env { return w.Env() },
		LoadConfig: clitest.Loader(clitest.WorldConfig(w), nil)}, HistoryDir: dir}
	if err := report.Parse(opts, []string{"--format", "html", "--output", out}); err != nil {
		t.Fatal(err)
	}
	if code := report.Run(context.Background(), opts); code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "DNS is not working") ||
		!strings.Contains(page, `id="history"`) || !strings.Contains(page, "120 checks recorded") {
		t.Errorf("the page lacks the history:\n%.2000s", page)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if stdout.Len() != 0 || !strings.Contains(errOut.String(), "Report written to "+out) {
		t.Errorf("stdout %q, stderr %q", stdout, errOut)
	}
}

func TestReportFormatFlag(t *testing.T) {
	for _, tt := range []struct {
		format string
		ok     bool
	}{{"html", true}, {"md", true}, {"pdf", false}} {
		io, _, _ := cli.Test()
		err := report.Parse(&report.Options{Deps: cli.Deps{IO: io}}, []string{"--format", tt.format})
		if (err == nil) != tt.ok {
			t.Errorf("--format %s: %v", tt.format, err)
		}
	}
}

// An --output whose folder is missing, or is a file, is a usage error found
// before the check runs; no folder is created.
func TestReportOutputFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		output, want string
	}{
		{filepath.Join(dir, "missing", "report.html"), "there is no folder " + filepath.Join(dir, "missing")},
		{filepath.Join(file, "report.html"), file + " is not a folder"},
	} {
		io, stdout, errOut := cli.Test()
		opts := &report.Options{Deps: cli.Deps{IO: io, Now: time.Now,
			NewEnv: func(probes.Config) probes.Env {
				t.Errorf("--output %s: the check ran", tt.output)
				return probes.Env{}
			},
			LoadConfig: clitest.Loader(config.Default(), nil)}}
		if err := report.Parse(opts, []string{"--output", tt.output}); err != nil {
			t.Fatal(err)
		}
		if code := report.Run(context.Background(), opts); code != cli.ExitUsage {
			t.Errorf("--output %s: exit %d, want %d", tt.output, code, cli.ExitUsage)
		}
		if !strings.Contains(errOut.String(), "--output "+tt.output+": "+tt.want) || stdout.Len() != 0 {
			t.Errorf("--output %s: stdout %q, stderr %q, want %q", tt.output, stdout, errOut, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the missing folder: %v, want it still missing", err)
	}
}
