package service

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	agentsvc "github.com/idpulse/idpulse/agent/service"
	"github.com/idpulse/idpulse/agent/statefile"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
)

// fakeCtl records what the commands ask of the service.
type fakeCtl struct {
	calls  []string
	err    error // returned by every action
	status agentsvc.Status
	stErr  error
}

func (f *fakeCtl) Install(_ context.Context, start bool) error {
	if start {
		f.calls = append(f.calls, "install")
	} else {
		f.calls = append(f.calls, "install --no-start")
	}
	return f.err
}
func (f *fakeCtl) Uninstall(context.Context) error {
	f.calls = append(f.calls, "uninstall")
	return f.err
}
func (f *fakeCtl) Start(context.Context) error   { f.calls = append(f.calls, "start"); return f.err }
func (f *fakeCtl) Stop(context.Context) error    { f.calls = append(f.calls, "stop"); return f.err }
func (f *fakeCtl) Restart(context.Context) error { f.calls = append(f.calls, "restart"); return f.err }
func (f *fakeCtl) Status(context.Context) (agentsvc.Status, error) {
	f.calls = append(f.calls, "status")
	return f.status, f.stErr
}

var now = time.Date(2026, 11, 21, 14, 5, 11, 0, time.UTC)

func runCmd(t *testing.T, ctl *fakeCtl, statePath string, args ...string) (int, string, string) {
	t.Helper()
	io, out, errOut := cli.Test()
	opts := &Options{IO: io, Now: func() time.Time { return now }, StatePath: statePath, Command: args[0],
		NewController: func() (Controller, error) { return ctl, nil }}
	if err := Parse(opts, args[1:]); err != nil {
		return cli.Exit(io, err), out.String(), errOut.String()
	}
	code := Run(context.Background(), opts)
	return code, out.String(), errOut.String()
}

var running = agentsvc.Status{System: "launchd", Label: "io.idpulse.agent", Domain: "gui/501", Installed: true, Loaded: true,
	Running: true, PID: 4242, State: "running", Definition: "/Users/me/Library/LaunchAgents/io.idpulse.agent.plist",
	Program: "/Applications/idpulse.app/Contents/MacOS/idpulse", LogDir: "/Users/me/Library/Logs/idpulse"}

func TestActions(t *testing.T) {
	for _, tt := range []struct {
		args []string
		call string
		out  string
	}{
		{[]string{"install"}, "install", "Installed the idpulse agent; it starts at every login."},
		{[]string{"install", "--no-start"}, "install --no-start", "starts at the next login"},
		{[]string{"uninstall"}, "uninstall", "Uninstalled the idpulse agent."},
		{[]string{"start"}, "start", "Started the idpulse agent."},
		{[]string{"stop"}, "stop", "until the next login"},
		{[]string{"restart"}, "restart", "Restarted the idpulse agent."},
	} {
		ctl := &fakeCtl{status: running}
		code, out, errOut := runCmd(t, ctl, "", tt.args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, errOut)
		}
		if !strings.Contains(out, tt.out) || !strings.Contains(out, "Status: running (pid 4242)") {
			t.Errorf("%v: output %q", tt.args, out)
		}
		if got := strings.Join(ctl.calls, ","); got != tt.call+",status" {
			t.Errorf("%v: calls %s", tt.args, got)
		}
	}
}

// Without a systemd user manager install writes an autostart entry and
// starts nothing: it must not claim otherwise, nor advise 'idpulse start'.
func TestInstallWithoutUserManager(t *testing.T) {
	autostart := agentsvc.Status{System: "autostart", Label: "idpulse.desktop", Installed: true, State: "not running",
		Definition: "/home/me/.config/autostart/idpulse.desktop"}
	for _, args := range [][]string{{"install"}, {"install", "--no-start"}} {
		code, out, errOut := runCmd(t, &fakeCtl{status: autostart}, "", args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
		if !strings.Contains(out, "Nothing was started now") || !strings.Contains(out, "'idpulse run'") ||
			strings.Contains(out, "every login") || strings.Contains(out, "idpulse start") {
			t.Errorf("%v: output %q", args, out)
		}
	}
}

func TestActionErrors(t *testing.T) {
	ctl := &fakeCtl{err: errors.New("launchctl bootstrap gui/501 …: Input/output error")}
	code, _, errOut := runCmd(t, ctl, "", "start")
	if code != ExitFailed || !strings.Contains(errOut, "idpulse start: launchctl bootstrap") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// A failure with advice: the advice follows on its own lines.
	ctl = &fakeCtl{err: &agentsvc.HintError{Err: errors.New("launchctl bootstrap: exit status 5"), Hint: "Switch it on."}}
	if _, _, errOut := runCmd(t, ctl, "", "install"); errOut != "idpulse install: launchctl bootstrap: exit status 5\nSwitch it on.\n" {
		t.Errorf("hint: stderr %q", errOut)
	}
	ctl = &fakeCtl{err: agentsvc.ErrNotInstalled}
	code, out, errOut := runCmd(t, ctl, "", "uninstall")
	if code != 0 || !strings.Contains(out, "was not installed; nothing to do") || errOut != "" {
		t.Errorf("uninstall, not installed: exit %d, out %q, err %q", code, out, errOut)
	}
	ctl = &fakeCtl{err: agentsvc.ErrNotInstalled}
	if code, _, errOut := runCmd(t, ctl, "", "start"); code != ExitFailed || !strings.Contains(errOut, "idpulse install") {
		t.Errorf("start, not installed: exit %d, err %q", code, errOut)
	}
	// The controller cannot be built.
	io, _, errBuf := cli.Test()
	opts := &Options{IO: io, Command: "status", NewController: func() (Controller, error) { return nil, errors.New("no home") }}
	if code := Run(context.Background(), opts); code != ExitFailed || !strings.Contains(errBuf.String(), "no home") {
		t.Errorf("exit %d, %q", code, errBuf.String())
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"install", "--json"}, cli.ExitUsage, "flag provided but not defined: -json"},
		{[]string{"status", "--no-start"}, cli.ExitUsage, "-no-start"},
		{[]string{"stop", "now"}, cli.ExitUsage, `unexpected argument "now"`},
		{[]string{"status", "--help"}, cli.ExitOK, ""},
	} {
		code, out, errOut := runCmd(t, &fakeCtl{}, "", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, err %q", tt.args, code, errOut)
		}
		if tt.code == cli.ExitOK && !strings.Contains(out, "idpulse status [--json]") {
			t.Errorf("help: %q", out)
		}
	}
	if err := Parse(&Options{Command: "bogus"}, nil); err == nil {
		t.Error("unknown command parsed")
	}
}

func writeState(t *testing.T, v verdict.Verdict, at time.Time) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	doc := verdict.Document{Schema: verdict.Schema, Time: at, Verdict: v, Findings: []verdict.Finding{}}
	if err := statefile.Write(path, doc); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStatusText(t *testing.T) {
	down := verdict.Verdict{Level: verdict.LevelDown, Code: verdict.CodeDNSFiltered, Cause: verdict.CauseNetwork,
		Headline: "This network's DNS blocks Apple's servers", Fixes: []string{"flush-dns"}, Evidence: []string{}}
	state := writeState(t, down, now.Add(-3*time.Minute))

	code, out, _ := runCmd(t, &fakeCtl{status: running}, state, "status")
	if code != StatusRunning {
		t.Errorf("exit %d", code)
	}
	clitest.Contains(t, out,
		"idpulse agent: running (pid 4242)",
		"service     io.idpulse.agent in gui/501 (launchd)",
		"definition  /Users/me/Library/LaunchAgents/io.idpulse.agent.plist",
		"logs        /Users/me/Library/Logs/idpulse/",
		"last check  DOWN dns_filtered: This network's DNS blocks Apple's servers (",
		"3m ago)")

	stopped := running
	stopped.Running, stopped.PID, stopped.State, stopped.LastExit = false, 0, "not running", "1"
	code, out, _ = runCmd(t, &fakeCtl{status: stopped}, filepath.Join(t.TempDir(), "none.json"), "status")
	if code != StatusNotRunning || !strings.Contains(out, "installed, not running (last exit 1)") ||
		!strings.Contains(out, "last check  none yet (no state file at ") {
		t.Errorf("stopped: exit %d\n%s", code, out)
	}

	code, out, _ = runCmd(t, &fakeCtl{status: agentsvc.Status{System: "systemd", Label: "idpulse.service", Definition: "/h/.config/systemd/user/idpulse.service"}}, state, "status")
	if code != StatusNotInstalled || !strings.Contains(out, "idpulse agent: not installed") || strings.Contains(out, "definition") {
		t.Errorf("not installed: exit %d\n%s", code, out)
	}

	bad := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(bad, []byte("{not json"), 0o644)
	code, out, errOut := runCmd(t, &fakeCtl{stErr: errors.New("launchctl print: boom")}, bad, "status")
	if code != StatusNotRunning || !strings.Contains(out, "idpulse agent: unknown") || !strings.Contains(errOut, "boom") ||
		!strings.Contains(out, "last check  unreadable: ") {
		t.Errorf("errors: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestStatusJSON(t *testing.T) {
	ok := verdict.Verdict{Level: verdict.LevelOK, Code: verdict.CodeOK, Cause: verdict.CauseNone, Headline: "Apple ID is reachable",
		Fixes: []string{}, Evidence: []string{}}
	at := now.Add(-time.Minute)
	state := writeState(t, ok, at)
	code, out, _ := runCmd(t, &fakeCtl{status: running}, state, "status", "--json")
	if code != StatusRunning {
		t.Errorf("exit %d", code)
	}
	var doc struct {
		Service   map[string]any `json:"service"`
		StateFile string         `json:"state_file"`
		LastCheck *struct {
			Time    time.Time      `json:"time"`
			Verdict map[string]any `json:"verdict"`
		} `json:"last_check"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Service["running"] != true || doc.Service["pid"] != 4242.0 || doc.Service["label"] != "io.idpulse.agent" ||
		doc.Service["installed"] != true || doc.StateFile != state {
		t.Errorf("service %v, state file %q", doc.Service, doc.StateFile)
	}
	if doc.LastCheck == nil || !doc.LastCheck.Time.Equal(at) || doc.LastCheck.Verdict["code"] != "ok" {
		t.Errorf("last check %+v", doc.LastCheck)
	}

	code, out, _ = runCmd(t, &fakeCtl{}, filepath.Join(t.TempDir(), "missing.json"), "status", "--json")
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	if code != StatusNotInstalled || raw["last_check"] != nil || raw["state_error"] != nil {
		t.Errorf("not installed, no state: exit %d %v", code, raw)
	}
}

func TestAppArgs(t *testing.T) {
	app := "/Applications/idpulse.app/Contents/MacOS/idpulse"
	for _, tt := range []struct {
		exe  string
		args []string
		want []string
	}{
		{app, nil, []string{"run"}},
		{app, []string{"-psn_0_12345"}, []string{"run"}},
		{app, []string{"status"}, []string{"status"}},
		{"/usr/local/bin/idpulse", nil, nil},
		{"/opt/homebrew/bin/idpulse", []string{}, []string{}},
	} {
		got := AppArgs(tt.exe, tt.args)
		if strings.Join(got, " ") != strings.Join(tt.want, " ") || (got == nil) != (tt.want == nil) {
			t.Errorf("AppArgs(%q, %q) = %q, want %q", tt.exe, tt.args, got, tt.want)
		}
	}
}

// TestStatusJSONWriteError: a status that cannot be written is said, and
// the exit is the table's "unknown", whatever the agent's state.
func TestStatusJSONWriteError(t *testing.T) {
	io, _, errOut := cli.Test()
	io.Out = clitest.BrokenWriter{}
	opts := &Options{IO: io, Command: "status", JSON: true, StatePath: filepath.Join(t.TempDir(), "none.json"),
		NewController: func() (Controller, error) { return &fakeCtl{status: running}, nil }}
	if code := Run(context.Background(), opts); code != StatusNotRunning ||
		errOut.String() != "idpulse status: write JSON: broken pipe\n" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// status reads the state file with statefile's cap: a huge file (planted, or
// left by an old version) costs a line naming it and the cap, not memory.
func TestStatusHugeStateFile(t *testing.T) {
	huge := filepath.Join(t.TempDir(), "state.json")
	pad := strings.Repeat("x", statefile.MaxBytes)
	if err := os.WriteFile(huge, []byte(`{"schema":"idpulse.check/v1","pad":"`+pad+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status"}, {"status", "--json"}} {
		code, out, _ := runCmd(t, &fakeCtl{status: running}, huge, args...)
		want := huge + " is larger than 1 MiB, the most idpulse reads from it"
		if code != StatusRunning || !strings.Contains(out, want) {
			t.Errorf("%v: exit %d, output without %q:\n%.300s", args, code, want, out)
		}
	}
}

// TestStatusEA: `status --ea` is one <result> line from the state file; a
// stopped agent's verdict is stale and not shown; text that would end
// Jamf's tag early cannot.
func TestStatusEA(t *testing.T) {
	at := now.Add(-3 * time.Minute)
	hhmm := at.Local().Format("15:04")
	down := verdict.Verdict{Level: verdict.LevelDown, Code: verdict.CodeDNSFiltered, Cause: verdict.CauseNetwork,
		Headline: "This network's DNS blocks Apple's servers", Fixes: []string{}, Evidence: []string{}}
	hostile := down
	hostile.Headline = "Broken</result><result>OK\nand \x1b[31mred"
	corrupt := filepath.Join(t.TempDir(), "state.json")
	os.WriteFile(corrupt, []byte("{not json"), 0o644)
	stopped := running
	stopped.Running, stopped.PID = false, 0
	for _, tt := range []struct {
		name  string
		ctl   *fakeCtl
		state string
		code  int
		want  string
	}{
		{"down", &fakeCtl{status: running}, writeState(t, down, at), StatusRunning,
			"<result>DOWN: dns_filtered — This network's DNS blocks Apple's servers (checked " + hhmm + ")</result>\n"},
		{"hostile headline", &fakeCtl{status: running}, writeState(t, hostile, at), StatusRunning,
			"<result>DOWN: dns_filtered — Broken‹/result›‹result›OK and red (checked " + hhmm + ")</result>\n"},
		{"no state file", &fakeCtl{status: running}, filepath.Join(t.TempDir(), "none.json"), StatusRunning, "<result>no check yet</result>\n"},
		{"corrupt state file", &fakeCtl{status: running}, corrupt, StatusRunning, "<result>state file unreadable</result>\n"},
		{"stopped", &fakeCtl{status: stopped}, writeState(t, down, at), StatusNotRunning, "<result>not running</result>\n"},
		{"not installed", &fakeCtl{status: agentsvc.Status{System: "systemd"}}, writeState(t, down, at), StatusNotInstalled, "<result>not installed</result>\n"},
		{"service state unknown", &fakeCtl{stErr: errors.New("launchctl print: boom")}, writeState(t, down, at), StatusNotRunning,
			"<result>DOWN: dns_filtered — This network's DNS blocks Apple's servers (checked " + hhmm + ")</result>\n"},
	} {
		code, out, errOut := runCmd(t, tt.ctl, tt.state, "status", "--ea")
		if code != tt.code || out != tt.want || errOut != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q", tt.name, code, out, errOut, tt.code, tt.want)
		}
	}
	if code, _, errOut := runCmd(t, &fakeCtl{}, "", "status", "--ea", "--json"); code != cli.ExitUsage || !strings.Contains(errOut, "choose one") {
		t.Errorf("--ea --json: exit %d, stderr %q", code, errOut)
	}
}
