//go:build linux

package packaging

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/statefile"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/probetest"
)

// mdmScript is one of packaging/mdm's inventory scripts and what it makes
// of the verdict line of `idpulse status --ea`.
type mdmScript struct {
	name string
	// output is what the script prints for the value v of --ea's
	// <result>; code is its exit status then.
	output func(v string) string
	code   func(v string) int
}

var mdmScripts = []mdmScript{
	{"jamf-extension-attribute.sh", func(v string) string { return "<result>" + v + "</result>\n" }, func(string) int { return -1 }},
	{"kandji-custom-script.sh", func(v string) string { return "idpulse: " + v + "\n" }, func(v string) int {
		switch {
		case strings.HasPrefix(v, "OK:"):
			return 0
		case strings.HasPrefix(v, "DOWN:"):
			return 2
		}
		return 1
	}},
	{"intune-custom-attribute.sh", func(v string) string { return v + "\n" }, func(string) int { return 0 }},
}

// TestMDMScripts runs the three scripts with the real idpulse binary (built
// here) against a user's real service state and state files: not installed,
// installed but not running, then, with an agent running, state files for
// ok, degraded and down, none and a corrupt one. On Linux the scripts take
// their non-macOS branch (run as the current user); the console-user switch
// is macOS's.
//
// The running agent is the built binary itself (`idpulse run --headless`,
// which is what `idpulse status` looks for), in an empty network namespace
// so its checks reach nothing, with its own state folder so it does not
// overwrite the state files under test.
func TestMDMScripts(t *testing.T) {
	sh := probetest.RequireTool(t, "IDPULSE_REQUIRE_NETNS", "sh", "")
	unshare := probetest.RequireTool(t, "IDPULSE_REQUIRE_NETNS", "unshare", "apt-get install util-linux")
	dir := t.TempDir()
	bin := filepath.Join(dir, "idpulse")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../cmd/idpulse").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	user := filepath.Join(dir, "user")
	env := func(home string) []string {
		return append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_STATE_HOME="+home+"/state",
			"XDG_RUNTIME_DIR="+home+"/run", "DBUS_SESSION_BUS_ADDRESS=", "TZ=UTC")
	}
	os.MkdirAll(filepath.Join(user, "run"), 0o700)
	statePath := filepath.Join(user, "state", "idpulse", "state.json")

	run := func(t *testing.T, s mdmScript, idpulse, want string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, sh, filepath.Join("mdm", s.name))
		cmd.Env = append(env(user), "IDPULSE="+idpulse)
		out, err := cmd.Output()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if string(out) != s.output(want) || (s.code(want) >= 0 && code != s.code(want)) {
			t.Errorf("%s: exit %d, output %q; want exit %d, %q", s.name, code, out, s.code(want), s.output(want))
		}
	}
	each := func(name, idpulse, want string) {
		t.Run(name, func(t *testing.T) {
			for _, s := range mdmScripts {
				run(t, s, idpulse, want)
			}
		})
	}

	each("no binary", filepath.Join(dir, "missing", "idpulse"), "not installed")
	each("service not installed", bin, "not installed")
	autostart := filepath.Join(user, "config", "autostart", "idpulse.desktop")
	os.MkdirAll(filepath.Dir(autostart), 0o755)
	if err := os.WriteFile(autostart, []byte("[Desktop Entry]\nType=Application\nExec="+bin+" run\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	each("installed, not running", bin, "not running")

	agentHome := filepath.Join(dir, "agent")
	os.MkdirAll(filepath.Join(agentHome, "run"), 0o700)
	cfg := filepath.Join(dir, "agent.json")
	os.WriteFile(cfg, []byte(`{"apple_status": {"enabled": false}, "agent": {"interval": "1h", "recheck": "1h"}}`), 0o644)
	agent := exec.Command(unshare, "--net", bin, "run", "--headless", "--config", cfg)
	agent.Env = env(agentHome)
	var agentOut probetest.SyncBuffer
	agent.Stdout, agent.Stderr = &agentOut, &agentOut
	if err := agent.Start(); err != nil {
		probetest.Require(t, "IDPULSE_REQUIRE_NETNS", err, "unshare --net needs root")
	}
	exited := make(chan struct{})
	go func() { agent.Wait(); close(exited) }()
	defer func() {
		agent.Process.Signal(syscall.SIGTERM)
		<-exited
	}()
	// Up once its first cycle wrote its own state file.
	for {
		if _, err := os.Stat(filepath.Join(agentHome, "state", "idpulse", "state.json")); err == nil {
			break
		}
		select {
		case <-exited:
			probetest.Require(t, "IDPULSE_REQUIRE_NETNS", errors.New("the agent exited: "+agentOut.String()), "unshare --net needs root")
		case <-ctx.Done():
			t.Fatalf("the agent wrote no state file: %s", agentOut.String())
		case <-time.After(50 * time.Millisecond):
		}
	}

	each("running, no check yet", bin, "no check yet")
	at := time.Date(2026, 11, 21, 14, 2, 11, 0, time.UTC)
	for _, v := range []verdict.Verdict{
		{Level: verdict.LevelOK, Code: verdict.CodeOK, Cause: verdict.CauseNone, Headline: "Apple ID connectivity is healthy"},
		{Level: verdict.LevelDegraded, Code: verdict.CodePushBlocked, Cause: verdict.CauseNetwork, Headline: "Push notifications are blocked"},
		{Level: verdict.LevelDown, Code: verdict.CodeDNSFiltered, Cause: verdict.CauseNetwork, Headline: "This network's DNS blocks Apple's servers"},
	} {
		if err := statefile.Write(statePath, verdict.Document{Schema: verdict.Schema, Time: at, Verdict: v}); err != nil {
			t.Fatal(err)
		}
		each(string(v.Level), bin, strings.ToUpper(string(v.Level))+": "+string(v.Code)+" — "+v.Headline+" (checked 14:02)")
	}
	if err := os.WriteFile(statePath, []byte(`{"schema": "idpulse.check/v1", "verdict": `), 0o644); err != nil {
		t.Fatal(err)
	}
	each("corrupt state file", bin, "state file unreadable")
}
