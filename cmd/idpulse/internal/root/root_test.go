package root_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/config"
	"github.com/idpulse/idpulse/agent/instance"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/cli/clitest"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/root"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/probetest"
)

// deps are the outside world of a test: w, with its configuration injected
// (no file is read, no plutil runs).
func deps(w *probetest.World) (root.Deps, *bytes.Buffer, *bytes.Buffer) {
	io, out, errOut := cli.Test()
	return root.Deps{Deps: cli.Deps{IO: io, Now: time.Now, NewEnv: func(probes.Config) probes.Env { return w.Env() },
		LoadConfig: clitest.Loader(clitest.WorldConfig(w), nil)}}, out, errOut
}

func run(t *testing.T, w *probetest.World, args ...string) (int, string, string) {
	t.Helper()
	d, out, errOut := deps(w)
	code := root.Main(context.Background(), args, d)
	return code, out.String(), errOut.String()
}

// TestFeedUserAgent: every command that reads Apple's System Status names
// idpulse and its version, as the agent does (a fleet's polls are then
// recognisable as one program's).
func TestFeedUserAgent(t *testing.T) {
	for _, args := range [][]string{{"check"}, {"apple-status"}, {"metrics"}, {"report"}} {
		t.Run(args[0], func(t *testing.T) {
			w := probetest.NewWorld(t)
			d, _, errOut := deps(w)
			d.Version = "v9.8.7"
			root.Main(context.Background(), args, d)
			uas := w.Feed.UserAgents()
			if len(uas) == 0 {
				t.Fatalf("idpulse %s did not poll the feed; stderr:\n%s", args[0], errOut)
			}
			for _, ua := range uas {
				if ua != "idpulse/v9.8.7" {
					t.Errorf("idpulse %s sent User-Agent %q, want idpulse/v9.8.7", args[0], ua)
				}
			}
		})
	}
}

func TestCheckExitCodes(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*probetest.World)
		code  int
	}{
		{"ok", func(*probetest.World) {}, cli.ExitOK},
		{"degraded", func(w *probetest.World) {
			w.Route(w.Config.PushHost, "tcp", w.Config.PushPort, probetest.Route{Unreachable: true})
		}, cli.ExitDegraded},
		{"down", func(w *probetest.World) { w.WriteHosts("0.0.0.0 appleid.apple.com\n") }, cli.ExitDown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := probetest.NewWorld(t)
			tt.setup(w)
			for _, json := range []bool{false, true} {
				args := []string{"check"}
				if json {
					args = append(args, "--json")
				}
				code, out, errOut := run(t, w, args...)
				if code != tt.code {
					t.Errorf("%v: exit %d, want %d\n%s%s", args, code, tt.code, out, errOut)
				}
			}
		})
	}
}

func TestCheckUsageAndConfigErrors(t *testing.T) {
	w := probetest.NewWorld(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"check": {"deadline": "soon"}}`), 0o644)
	tests := []struct {
		args    []string
		code    int
		wantErr string
	}{
		{[]string{"check", "--bogus"}, cli.ExitUsage, "idpulse check: flag provided but not defined: -bogus"},
		{[]string{"check", "extra"}, cli.ExitUsage, `unexpected argument "extra"`},
		{[]string{"check", "--timeout", "-1s"}, cli.ExitUsage, "want a positive duration such as \"5s\""},
		{[]string{"check", "--config", bad}, cli.ExitUsage, `check.deadline: want a duration such as "5s", got "soon"`},
		{[]string{"check", "--config", filepath.Join(t.TempDir(), "none.json")}, cli.ExitUsage, "no such file"},
		{[]string{"frobnicate"}, cli.ExitUsage, `unknown command "frobnicate"`},
		{nil, cli.ExitUsage, "Usage:"},
	}
	for _, tt := range tests {
		// The loader the real machine uses, on real files.
		d, _, errBuf := deps(w)
		d.LoadConfig = config.LoadNamed
		code := root.Main(context.Background(), tt.args, d)
		if errOut := errBuf.String(); code != tt.code || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tt.args, code, errBuf, tt.code, tt.wantErr)
		}
	}
	code, out, _ := run(t, w, "check", "--help")
	if code != cli.ExitOK || !strings.Contains(out, "Exit status: 0 ok, 1 degraded, 2 down, 3 usage") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
}

func TestCheckJSONContract(t *testing.T) {
	w := probetest.NewWorld(t)
	code, out, errOut := run(t, w, "check", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"schema", "time", "duration_ms", "verdict", "findings", "probes", "apple_status"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top-level key %q missing", k)
		}
	}
	if doc["schema"] != "idpulse.check/v1" {
		t.Errorf("schema = %v", doc["schema"])
	}
	if _, err := time.Parse(time.RFC3339, doc["time"].(string)); err != nil {
		t.Errorf("time: %v", err)
	}
	v := doc["verdict"].(map[string]any)
	for _, k := range []string{"level", "code", "cause", "headline", "detail", "fixes"} {
		if _, ok := v[k]; !ok {
			t.Errorf("verdict.%s missing", k)
		}
	}
	if _, ok := v["fixes"].([]any); !ok {
		t.Errorf("verdict.fixes = %v, want an array (never null)", v["fixes"])
	}
	wantIDs := []string{"link", "control", "captive", "dns", "hosts", "proxy", "vpn", "reach", "tls", "https", "services", "clock", "system", "currency"}
	ps := doc["probes"].([]any)
	if len(ps) != len(wantIDs) {
		t.Fatalf("%d probes, want %d", len(ps), len(wantIDs))
	}
	for i, p := range ps {
		m := p.(map[string]any)
		if m["id"] != wantIDs[i] {
			t.Errorf("probe %d = %v, want %s (stable order)", i, m["id"], wantIDs[i])
		}
		for _, k := range []string{"status", "summary", "duration_ms"} {
			if _, ok := m[k]; !ok {
				t.Errorf("probe %v: %s missing", m["id"], k)
			}
		}
		if _, ok := m["evidence"].(map[string]any); !ok {
			t.Errorf("probe %v: evidence is not an object: %v", m["id"], m["evidence"])
		}
	}
	as := doc["apple_status"].(map[string]any)
	if as["source"] != w.FeedURL() || as["error"] != nil || as["fetched"] == nil {
		t.Errorf("apple_status = %v", as)
	}
	svcs := as["services"].([]any)
	if len(svcs) == 0 || svcs[0].(map[string]any)["name"] != "Apple ID" || svcs[0].(map[string]any)["status"] != "ok" {
		t.Errorf("apple_status.services = %v, want Apple ID first", svcs)
	}
}

func TestCheckHumanOutput(t *testing.T) {
	w := probetest.NewWorld(t)
	w.DNS.Set("idmsa.apple.com", probetest.Answer{Addrs: nil, Rcode: 3})
	code, out, _ := run(t, w, "check")
	if code != cli.ExitDown {
		t.Errorf("exit %d", code)
	}
	clitest.Contains(t, out, "✗ DOWN  This network's DNS blocks Apple's servers",
		"Fixes: flush-dns, open-network-settings, try-other-network", "Checks\n", "✗ dns ", "Apple System Status\n  ✓ Apple ID")
	if strings.Contains(out, "\x1b[") {
		t.Error("colour escape codes when not on a terminal")
	}
}

// TestOneAgentPerUser: a second `idpulse run` says that idpulse is already
// running, with its pid, and exits 1 at once, before it touches any file.
func TestOneAgentPerUser(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the agent's lock is flock's (macOS, Linux)")
	}
	lock := filepath.Join(t.TempDir(), instance.FileName)
	release, err := instance.Acquire(lock)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	w := probetest.NewWorld(t)
	d, _, errOut := deps(w)
	d.AgentLock = lock
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard, not a measurement
	defer cancel()
	if code := root.Main(ctx, []string{"run", "--headless"}, d); code != cli.ExitFailure {
		t.Errorf("exit %d, want %d", code, cli.ExitFailure)
	}
	if want := fmt.Sprintf("idpulse is already running (pid %d)", os.Getpid()); !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q, want it to say %q", errOut.String(), want)
	}
}

// TestCheckOutputIsSanitized: feed text with terminal escapes, BEL and a
// bidi override reaches `idpulse check` as plain text.
func TestCheckOutputIsSanitized(t *testing.T) {
	w := probetest.NewWorld(t)
	w.SetFeed(`{"services":[{"serviceName":"Apple ID\u001b]52;c;ZXZpbA==\u0007","events":[{"statusType":"Outage","eventStatus":"ongoing",` +
		`"epochStartDate":1700000000000,"epochEndDate":null,"usersAffected":"all\u001b[2J","message":"down\u202e"}]}]}`)
	_, out, _ := run(t, w, "check")
	for _, bad := range []string{"\x1b", "\a", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%q", bad, out)
		}
	}
	if !strings.Contains(out, "Apple ID") {
		t.Errorf("the service name is gone:\n%s", out)
	}
}
