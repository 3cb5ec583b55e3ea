//go:build linux

package e2e

// `idpulse run` end to end: the built agent runs inside a namespace's fake
// Internet for many check cycles, its tray is read and clicked over a
// private D-Bus (as a panel would), its notifications are recorded, and a
// network fault is injected and removed while it runs.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/desktoptest"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/cmd/idpulse/internal/history"
	"github.com/idpulse/idpulse/probes/probetest"
)

const (
	// waitCap bounds each wait for the agent to show something. It is a
	// safety net against a hang, never a measurement: every wait polls and
	// ends as soon as the state appears. The schedule below shows a state
	// change within about 3 s.
	waitCap = 20 * time.Second
	// exitCap bounds the agent's exit after Quit or SIGTERM.
	exitCap   = 10 * time.Second
	pollEvery = 50 * time.Millisecond

	healthyHeadline = "Apple ID connectivity is healthy"
	blockedHeadline = "Something on this network blocks Apple's sign-in servers"
)

// agentConfig is a config file with a fast schedule: a cycle every 2 s while
// healthy, every 1 s while confirming a problem (the minimums are 1 s/10 s/1 s).
const agentConfig = `{
  "check": {"deadline": "3s", "probe_timeout": "2s"},
  "apple_status": {"url": "` + feedURL + `"},
  "agent": {"interval": "2s", "feed_interval": "10s", "recheck": "1s"}
}
`

// clearFault undoes blockSignIn.
const clearFault = "delete table inet f\n"

// agentProc is one running `idpulse run` inside a namespace.
type agentProc struct {
	cmd  *exec.Cmd
	pid  int
	root string   // its HOME and XDG directories live here
	env  []string // its environment, for commands run beside it (idpulse history)
	// stdout and stderr are the agent's own: `ip netns exec` execs it.
	stdout, stderr *probetest.SyncBuffer
	exited         chan struct{}
	waitErr        error
	// started is when the process was started (just before fork, so the
	// `ip netns exec` hop is included).
	started time.Time
}

// startAgent runs `idpulse run args…` inside the namespace with HOME and
// every XDG directory in a scratch directory, the helper's CA as the only
// trust anchor, no proxy variables, and DBUS_SESSION_BUS_ADDRESS=bus unless
// bus is "" (then there is no session bus at all: XDG_RUNTIME_DIR is empty).
// Cleanup kills it if it still runs, before the namespace goes.
func (ns *netns) startAgent(t testing.TB, bus string, args ...string) *agentProc {
	t.Helper()
	return ns.startAgentTee(t, bus, nil, args...)
}

// startAgentTee is startAgent with the agent's stdout also copied to tee
// (when not nil) as it arrives, for a caller that must see it the moment it
// is written rather than by polling.
func (ns *netns) startAgentTee(t testing.TB, bus string, tee io.Writer, args ...string) *agentProc {
	t.Helper()
	if ns.caFile == "" {
		t.Fatal("startAgent before startServers")
	}
	a := &agentProc{root: t.TempDir(), stdout: &probetest.SyncBuffer{}, stderr: &probetest.SyncBuffer{}, exited: make(chan struct{})}
	env := []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"NO_COLOR=1",
		"SSL_CERT_FILE=" + ns.caFile,
		"SSL_CERT_DIR=" + ns.dir, // no *.pem there: the system's roots stay out
	}
	for _, d := range []struct{ env, dir string }{
		{"HOME", "home"}, {"XDG_CONFIG_HOME", "config"}, {"XDG_STATE_HOME", "state"},
		{"XDG_CACHE_HOME", "cache"}, {"XDG_RUNTIME_DIR", "run"},
	} {
		dir := filepath.Join(a.root, d.dir)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, d.env+"="+dir)
	}
	if bus != "" {
		env = append(env, "DBUS_SESSION_BUS_ADDRESS="+bus)
	}
	a.cmd = exec.Command("ip", append([]string{"netns", "exec", ns.Name, binPath}, args...)...)
	a.cmd.Env, a.env = env, env
	a.cmd.Stdout, a.cmd.Stderr = a.stdout, a.stderr
	if tee != nil {
		a.cmd.Stdout = io.MultiWriter(a.stdout, tee)
	}
	a.cmd.WaitDelay = 5 * time.Second
	a.started = time.Now()
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start idpulse %s: %v", strings.Join(args, " "), err)
	}
	// `ip netns exec` enters the namespace and execs the command: this
	// pid is idpulse's, and so is its StatusNotifierItem name.
	a.pid = a.cmd.Process.Pid
	go func() {
		a.waitErr = a.cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-a.exited:
		default:
			a.cmd.Process.Kill()
			<-a.exited
		}
		if t.Failed() {
			t.Logf("idpulse %s (pid %d): %v\n--- stdout:\n%s--- stderr:\n%s--- log (last 40 lines):\n%s",
				strings.Join(args, " "), a.pid, a.waitErr, a.stdout, a.stderr, a.logTail(40))
		}
	})
	return a
}

func (a *agentProc) logPath() string {
	return filepath.Join(a.root, "state", "idpulse", "log", "idpulse.log")
}

// logEntry is one line of the agent's JSON log.
type logEntry map[string]any

func (e logEntry) str(key string) string {
	s, _ := e[key].(string)
	return s
}

// log reads the agent's log file: one slog JSON object per line. A line
// being written (no newline yet) is left for the next read.
func (a *agentProc) log() []logEntry {
	data, err := os.ReadFile(a.logPath())
	if err != nil {
		return nil
	}
	var out []logEntry
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e logEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out
}

func (a *agentProc) logTail(n int) string {
	data, _ := os.ReadFile(a.logPath())
	lines := strings.SplitAfter(string(data), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "")
}

// stateFile is the agent's state file: the last check, written after
// every cycle, atomically.
func (a *agentProc) stateFile() []byte {
	data, _ := os.ReadFile(filepath.Join(a.root, "state", "idpulse", "state.json"))
	return data
}

// betweenCycles returns just after a check cycle has finished, when the
// next one is at least a second away (the shortest recheck). A fault
// injected then applies to whole cycles: one injected while a cycle runs
// could break its later probes only, a verdict the scenario is not about.
func (a *agentProc) betweenCycles(t *testing.T) {
	t.Helper()
	prev := a.stateFile()
	waitFor(t, a, "a check cycle to finish", func() (bool, string) {
		cur := a.stateFile()
		return len(cur) > 0 && !bytes.Equal(cur, prev), "the state file did not change"
	})
}

// cycles counts started check cycles with the given reason ("" = any).
func (a *agentProc) cycles(reason string) int {
	n := 0
	for _, e := range a.log() {
		if e.str("msg") == "cycle start" && (reason == "" || e.str("reason") == reason) {
			n++
		}
	}
	return n
}

// verdicts lists the verdict codes the agent logged transitions to.
func (a *agentProc) verdicts() []string {
	var out []string
	for _, e := range a.log() {
		if e.str("msg") == "verdict" {
			out = append(out, e.str("to"))
		}
	}
	return out
}

// notified lists the notifications the agent decided to send, as "kind:title".
func (a *agentProc) notified() []string {
	var out []string
	for _, e := range a.log() {
		if e.str("msg") == "notification" {
			out = append(out, e.str("kind")+":"+e.str("title"))
		}
	}
	return out
}

// running fails the test if the agent has exited.
func (a *agentProc) running(t testing.TB) {
	t.Helper()
	select {
	case <-a.exited:
		t.Fatalf("idpulse exited early: %v\n--- stderr:\n%s", a.waitErr, a.stderr)
	default:
	}
}

// waitExit waits for the agent to exit and returns its exit status.
func (a *agentProc) waitExit(t testing.TB) int {
	t.Helper()
	select {
	case <-a.exited:
	case <-time.After(exitCap):
		t.Fatalf("idpulse did not exit within %s", exitCap)
	}
	var ee *exec.ExitError
	switch {
	case a.waitErr == nil:
		return 0
	case errors.As(a.waitErr, &ee) && ee.Exited():
		return ee.ExitCode()
	}
	t.Fatalf("idpulse did not exit normally: %v", a.waitErr)
	return -1
}

// waitFor polls cond until it reports done, failing after waitCap with the
// last state it described, or at once if the agent exits.
func waitFor(t testing.TB, a *agentProc, what string, cond func() (done bool, state string)) time.Duration {
	t.Helper()
	return waitForUpTo(t, a, what, waitCap, cond)
}

// waitForUpTo is waitFor with its own cap, for a wait that is long by design
// (a default 60 s interval, hundreds of cycles); still never a measurement.
func waitForUpTo(t testing.TB, a *agentProc, what string, limit time.Duration, cond func() (done bool, state string)) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(limit)
	for {
		done, state := cond()
		if done {
			return time.Since(start)
		}
		a.running(t)
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last seen:\n%s", what, limit, state)
		}
		time.Sleep(pollEvery)
	}
}

// waitCycles waits until n more cycles have started after the first
// `from` (so at least n-1 have finished: cycles never overlap).
func waitCycles(t *testing.T, a *agentProc, from, n int) {
	t.Helper()
	waitFor(t, a, fmt.Sprintf("%d more check cycles", n), func() (bool, string) {
		got := a.cycles("")
		return got >= from+n, fmt.Sprintf("%d cycles started, waiting for %d", got, from+n)
	})
}

// verdictLines are the headless agent's transition lines in its stdout,
// split into fields: date time LEVEL code headline…. A line still being
// written (no newline yet) is left out.
func verdictLines(stdout string) [][]string {
	var out [][]string
	lines := strings.SplitAfter(stdout, "\n")
	for _, l := range lines {
		if !strings.HasSuffix(l, "\n") {
			break
		}
		f := strings.Fields(l)
		if len(f) >= 5 && strings.Count(f[0], "-") == 2 && strings.Count(f[1], ":") == 2 {
			out = append(out, f)
		}
	}
	return out
}

// agentWorld is a namespace with healthy servers and the agent's config.
func agentWorld(t *testing.T) (*netns, string) {
	t.Helper()
	ns := newNetns(t, "")
	ns.startServers(t, helperConfig{})
	cfg := filepath.Join(ns.dir, "agent.json")
	if err := os.WriteFile(cfg, []byte(agentConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return ns, cfg
}

// trayState is one reading of the tray over D-Bus.
type trayState struct {
	icon    menu.IconState
	colour  string
	tooltip string
	menu    menuView
	err     error
}

func (v *trayView) read() trayState {
	var s trayState
	px, err := v.Pixmap()
	if err != nil {
		s.err = err
		return s
	}
	s.icon, s.colour = iconState(px), dominantColour(px)
	if s.tooltip, err = v.ToolTipTitle(); err != nil {
		s.err = err
		return s
	}
	s.menu, s.err = v.menuLayout()
	return s
}

func (s trayState) String() string {
	if s.err != nil {
		return "error: " + s.err.Error()
	}
	return fmt.Sprintf("icon %q (dominant %s), tooltip %q, menu:\n%s", s.icon, s.colour, s.tooltip, s.menu)
}

// label is the row's label when it is visible, "" otherwise.
func (s trayState) label(id string) string {
	if r, ok := s.menu[id]; ok && r.Visible {
		return r.Label
	}
	return ""
}

// healthy reports whether the tray shows the healthy state in full.
func (s trayState) healthy() bool {
	return s.err == nil && s.icon == menu.IconOK &&
		s.tooltip == "idpulse — "+healthyHeadline &&
		s.label("headline") == healthyHeadline &&
		len(s.menu.visible("fix.")) == 0 &&
		slices.ContainsFunc(s.menu.visible("checks."), func(l string) bool { return strings.HasPrefix(l, "✓ "+menu.ProbeLabel("reach")) })
}

// blocked reports whether the tray shows the blocked verdict in full.
func (s trayState) blocked() bool {
	return s.err == nil && s.icon == menu.IconDown &&
		s.tooltip == "idpulse — "+blockedHeadline &&
		s.label("headline") == blockedHeadline &&
		strings.HasPrefix(s.label("fix.0"), "Fix: ") &&
		slices.ContainsFunc(s.menu.visible("checks."), func(l string) bool { return strings.HasPrefix(l, "✗ "+menu.ProbeLabel("reach")) })
}

func TestAgentTrayEndToEnd(t *testing.T) {
	requireNetns(t)
	desktoptest.RequireDaemon(t)
	t.Parallel()
	start := time.Now()

	// A socket file: the agent runs in another network namespace.
	bus := desktoptest.StartBus(t, desktoptest.SocketFile())
	services := bus.Connect(t)
	w := desktoptest.OwnWatcher(t, services)
	notes := desktoptest.OwnNotifications(t, services)
	client := bus.Connect(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("notifications received:\n%s", notes)
		}
	})

	ns, cfg := agentWorld(t)
	a := ns.startAgent(t, bus.Address(), "run", "--config", cfg, "--log-level", "debug")

	// The tray registers with our watcher under its own unique name.
	var registered string
	select {
	case registered = <-w.Registered():
	case <-a.exited:
		t.Fatalf("idpulse exited before registering its tray: %v\n--- stderr:\n%s", a.waitErr, a.stderr)
	case <-time.After(waitCap):
		t.Fatalf("no StatusNotifierItem registered within %s\n--- stderr:\n%s", waitCap, a.stderr)
	}
	dest := desktoptest.ItemName(a.pid)
	var owner string
	if err := client.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, dest).Store(&owner); err != nil {
		t.Fatalf("%s has no owner: %v (registered item: %s)", dest, err, registered)
	}
	if registered != owner+desktoptest.ItemPath {
		t.Errorf("registered item %q, want %q (the owner of %s plus %s)", registered, owner+desktoptest.ItemPath, dest, desktoptest.ItemPath)
	}
	if strings.Contains(a.stderr.String(), "headless") {
		t.Fatalf("idpulse ran headless with a tray host on the bus:\n%s", a.stderr)
	}
	tray := newTrayView(client, dest)
	t.Logf("tray registered as %s after %s", registered, time.Since(start).Round(time.Millisecond))

	// Healthy: the ok icon (green), the healthy headline, no fix rows.
	var s trayState
	took := waitFor(t, a, "the tray shows the healthy state", func() (bool, string) {
		s = tray.read()
		return s.healthy(), s.String()
	})
	t.Logf("healthy after %s: icon %s (dominant %s)", took.Round(time.Millisecond), s.icon, s.colour)
	if s.colour != "#30b050" {
		t.Errorf("ok icon's dominant colour = %s, want the green #30b050", s.colour)
	}
	if px, err := tray.Pixmap(); err == nil {
		bad, semi := edgeErrors(px, menu.IconOK)
		t.Logf("ok icon: %d of %d anti-aliased edge pixels have a wrong colour (fyne.io/systray argbForImage)", bad, semi)
	}
	// Logged, not asserted: the agent sets no Title, and systray then
	// makes the Id "systray_<pid>", which changes at every launch (panels
	// key an item's shown/hidden setting by Id).
	for _, p := range []string{"Title", "Id", "Status", "Category"} {
		if v, err := tray.StringProp(p); err != nil {
			t.Errorf("StatusNotifierItem %s: %v", p, err)
		} else {
			t.Logf("StatusNotifierItem %s = %q", p, v)
		}
	}
	if st := s.label("status"); !strings.HasPrefix(st, "Last checked ") {
		t.Errorf("status row = %q, want \"Last checked …\"", st)
	}
	if got := s.label("quit"); got != "Quit idpulse" {
		t.Errorf("quit row = %q", got)
	}
	// Apple's feed is left out of the first cycle after start-up and rides
	// with the second (schedule.Config.FeedAfterStart), agentConfig's
	// interval later.
	waitFor(t, a, "✓ Apple Services rows from the fake feed", func() (bool, string) {
		s = tray.read()
		svc := s.menu.visible("services.")
		return len(svc) > 0 && strings.HasPrefix(svc[0], "✓ "), fmt.Sprintf("Apple Services rows %q", svc)
	})

	// Check Now: a cycle with reason check-now follows the click. The row is
	// disabled for the ~50 ms a cycle runs and a click then is dropped, as
	// it must be; so click again if nothing happened.
	for attempt := 1; ; attempt++ {
		if err := tray.Click(s.menu["check-now"].ID); err != nil {
			t.Fatalf("click Check Now: %v", err)
		}
		deadline := time.Now().Add(3 * time.Second)
		for a.cycles("check-now") == 0 && time.Now().Before(deadline) {
			time.Sleep(pollEvery)
		}
		if a.cycles("check-now") > 0 {
			t.Logf("Check Now started a cycle (attempt %d)", attempt)
			break
		}
		if attempt == 3 {
			t.Fatalf("3 clicks on Check Now started no check-now cycle; log:\n%s", a.logTail(30))
		}
	}
	if n := notes.Calls(); len(n) != 0 {
		t.Fatalf("notifications while healthy:\n%s", notes)
	}

	// Fault: the sign-in hosts refuse TCP 443.
	a.betweenCycles(t)
	before := a.cycles("")
	faultAt := time.Now()
	ns.nft(t, blockSignIn())
	took = waitFor(t, a, "the tray shows the blocked verdict", func() (bool, string) {
		s = tray.read()
		return s.blocked(), s.String()
	})
	t.Logf("blocked shown %s after the fault: icon %s (dominant %s), %s", took.Round(time.Millisecond), s.icon, s.colour, s.label("fix.0"))
	if s.colour != "#f03a30" {
		t.Errorf("down icon's dominant colour = %s, want the red #f03a30", s.colour)
	}
	if v := a.verdicts(); !slices.Equal(v, []string{"ok", "blocked"}) {
		t.Errorf("logged verdict transitions = %q, want [ok blocked]", v)
	}
	waitFor(t, a, "the problem notification", func() (bool, string) {
		return len(notes.Calls()) >= 1, notes.String()
	})
	// Several more cycles with the fault in place: still one notification.
	waitCycles(t, a, before, 5)
	got := notes.Calls()
	if len(got) != 1 {
		t.Fatalf("%d notifications after %d cycles with the fault, want exactly 1:\n%s", len(got), a.cycles("")-before, notes)
	}
	if n := got[0]; n.App != "idpulse" || n.Summary != "Can't reach Apple ID" || !strings.Contains(n.Body, "blocks Apple's sign-in servers") {
		t.Errorf("problem notification = %+v, want idpulse / \"Can't reach Apple ID\" naming the blocked sign-in servers", n)
	}
	t.Logf("problem notified %s after the fault: %q", got[0].At.Sub(faultAt).Round(time.Millisecond), got[0].Body)

	// Clear the fault: back to ok, and one recovery notification.
	a.betweenCycles(t)
	before = a.cycles("")
	clearAt := time.Now()
	ns.nft(t, clearFault)
	took = waitFor(t, a, "the tray shows the healthy state again", func() (bool, string) {
		s = tray.read()
		return s.healthy(), s.String()
	})
	t.Logf("healthy again %s after clearing the fault", took.Round(time.Millisecond))
	waitFor(t, a, "the recovery notification", func() (bool, string) {
		return len(notes.Calls()) >= 2, notes.String()
	})
	waitCycles(t, a, before, 3)
	got = notes.Calls()
	if len(got) != 2 {
		t.Fatalf("%d notifications in all, want exactly 2 (problem, recovery):\n%s", len(got), notes)
	}
	if n := got[1]; n.Summary != "Apple ID is reachable again" || !strings.Contains(n.Body, "cleared") {
		t.Errorf("recovery notification = %+v, want \"Apple ID is reachable again\"", n)
	}
	t.Logf("recovery notified %s after clearing: %q", got[1].At.Sub(clearAt).Round(time.Millisecond), got[1].Summary)
	if v := a.verdicts(); !slices.Equal(v, []string{"ok", "blocked", "ok"}) {
		t.Errorf("logged verdict transitions = %q, want [ok blocked ok]", v)
	}

	// Quit: the app exits without answering the click.
	if err := tray.ClickNoReply(s.menu["quit"].ID); err != nil {
		t.Fatalf("click Quit: %v", err)
	}
	if code := a.waitExit(t); code != 0 {
		t.Errorf("exit status after Quit = %d, want 0\n--- stderr:\n%s", code, a.stderr)
	}
	if e := a.stderr.String(); strings.Contains(e, "panic") || strings.Contains(e, "systray error") {
		t.Errorf("stderr reports a panic or a systray error:\n%s", e)
	} else if e != "" {
		t.Logf("idpulse stderr:\n%s", e)
	}
	var has bool
	if err := client.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, dest).Store(&has); err != nil || has {
		t.Errorf("%s still owned after exit (err %v)", dest, err)
	}
	t.Logf("%d cycles, %d notifications, exit 0; %s in all", a.cycles(""), len(notes.Calls()), time.Since(start).Round(time.Millisecond))
}

func TestAgentHeadlessEndToEnd(t *testing.T) {
	requireNetns(t)
	t.Parallel()
	start := time.Now()
	ns, cfg := agentWorld(t)
	a := ns.startAgent(t, "", "run", "--config", cfg, "--log-level", "debug")

	waitFor(t, a, "the headless notice on stderr", func() (bool, string) {
		return strings.Contains(a.stderr.String(), "no menu bar (no session bus); running headless"), a.stderr.String()
	})

	waitLines := func(what string, n int) [][]string {
		t.Helper()
		var got [][]string
		waitFor(t, a, what, func() (bool, string) {
			got = verdictLines(a.stdout.String())
			return len(got) >= n, a.stdout.String()
		})
		return got
	}
	lines := waitLines("the first verdict line", 1)
	if first := strings.Join(lines[0], " "); lines[0][2] != "OK" || lines[0][3] != "ok" || !strings.Contains(first, healthyHeadline) {
		t.Errorf("first verdict line %q, want OK ok %s", first, healthyHeadline)
	}

	a.betweenCycles(t)
	before := a.cycles("")
	faultAt := time.Now()
	ns.nft(t, blockSignIn())
	lines = waitLines("a verdict line after the fault", 2)
	if l := lines[1]; l[2] != "DOWN" || l[3] != "blocked" || !strings.Contains(strings.Join(l, " "), blockedHeadline) {
		t.Errorf("verdict line after the fault %q, want DOWN blocked", strings.Join(l, " "))
	}
	if !strings.Contains(a.stdout.String(), "fixes: Try Another Network") {
		t.Errorf("no fixes line after the blocked verdict:\n%s", a.stdout)
	}
	waitCycles(t, a, before, 4)

	a.betweenCycles(t)
	clearedAt := time.Now()
	ns.nft(t, clearFault)
	lines = waitLines("a verdict line after the fault is cleared", 3)
	recoveredBy := time.Now()
	if l := lines[2]; l[2] != "OK" || l[3] != "ok" {
		t.Errorf("verdict line after clearing %q, want OK ok", strings.Join(l, " "))
	}
	// The alert policy runs headless too: one problem, one recovery, logged
	// (there is no notifier without a session bus).
	waitFor(t, a, "the recovery in the log", func() (bool, string) {
		n := a.notified()
		return len(n) >= 2, fmt.Sprint(n)
	})

	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := a.waitExit(t); code != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0\n--- stderr:\n%s", code, a.stderr)
	}
	var codes []string
	for _, l := range verdictLines(a.stdout.String()) {
		codes = append(codes, l[3])
	}
	if !slices.Equal(codes, []string{"ok", "blocked", "ok"}) {
		t.Errorf("verdict lines %q, want one per transition: [ok blocked ok]\n%s", codes, a.stdout)
	}
	if n := a.notified(); !slices.Equal(n, []string{"problem:Can't reach Apple ID", "recovered:Apple ID is reachable again"}) {
		t.Errorf("notifications logged = %q, want one problem and one recovery", n)
	}
	if strings.Contains(a.stderr.String(), "panic") {
		t.Errorf("stderr mentions a panic:\n%s", a.stderr)
	}
	checkHistory(t, a, faultAt, clearedAt, recoveredBy)
	t.Logf("%d cycles; %s in all\n%s", a.cycles(""), time.Since(start).Round(time.Millisecond), a.stdout)
}

// checkHistory runs `idpulse history --json` beside the stopped agent (same
// HOME and XDG folders) and checks that the per-cycle history holds exactly
// the one incident the test caused: code blocked, starting with the first
// cycle after the fault and ending with the first cycle after it was lifted.
// Each cycle was started after the state change that caused it (the test
// waits between cycles); a check's time is kept to the second, so the lower
// bounds are too.
func checkHistory(t *testing.T, a *agentProc, faultAt, clearedAt, recoveredBy time.Time) {
	t.Helper()
	faultAt, clearedAt = faultAt.Truncate(time.Second), clearedAt.Truncate(time.Second)
	cmd := exec.Command(binPath, "history", "--json", "--since", "24h")
	cmd.Env = a.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("idpulse history --json: %v\n%s", err, stderr.String())
	}
	// The command's own type: its JSON contract is pinned field by field
	// in its package's tests; this test is about what the agent recorded.
	var h history.Document
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("history --json is not JSON: %v\n%s", err, out)
	}
	if h.Schema != "idpulse.history/v1" || h.Checks != a.cycles("") {
		t.Errorf("schema %q, %d checks; want idpulse.history/v1 and the agent's %d cycles", h.Schema, h.Checks, a.cycles(""))
	}
	if len(h.Incidents) != 1 {
		t.Fatalf("history has %d incidents, want 1:\n%s", len(h.Incidents), out)
	}
	in := h.Incidents[0]
	if in.Code != "blocked" || in.Level != "down" || in.Checks < 2 {
		t.Errorf("incident %s/%s over %d checks, want blocked/down over at least 2", in.Code, in.Level, in.Checks)
	}
	if in.Start.Before(faultAt) || !in.Start.Before(clearedAt) {
		t.Errorf("incident starts %s, want between the fault (%s) and its removal (%s)", in.Start, faultAt, clearedAt)
	}
	if in.End == nil || in.End.Before(clearedAt) || in.End.After(recoveredBy) {
		t.Errorf("incident ends %v, want between the removal (%s) and the recovered verdict (%s)", in.End, clearedAt, recoveredBy)
	}
}
