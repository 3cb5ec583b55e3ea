package tray

// These tests run the real systray against a private D-Bus daemon and read
// the tray back the way a panel does: the StatusNotifierItem properties
// and the com.canonical.dbusmenu layout. systray keeps global state, so
// the tray runs in a helper process (this test binary, re-executed with
// IDPULSE_TRAY_HELPER set), driven by lines on its stdin and reporting on
// its stdout.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/idpulse/idpulse/agent/desktoptest"
	"github.com/idpulse/idpulse/agent/menu"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes"
	"github.com/idpulse/idpulse/probes/applestatus"
)

const (
	helperEnv    = "IDPULSE_TRAY_HELPER"
	helperPrefix = "helper: "
	// waitCap bounds every wait. It is a safety net against a hang, never
	// a measurement: each wait ends as soon as what it waits for happens.
	waitCap = 15 * time.Second

	markerIface  = "org.idpulse.Test"
	markerMember = "Marker"
)

// helperModels are the menus the helper applies, by name. Both processes
// build them from the same fixed inputs.
func helperModels() map[string]menu.Model {
	now := time.Date(2026, 3, 14, 14, 2, 15, 0, time.UTC)
	in := menu.Input{Now: now, LastChecked: now.Add(-15 * time.Second), NextCheck: now.Add(45 * time.Second),
		Notifications: menu.Notifications{Enabled: true, QuietLabel: "22:00–07:00"}, Version: "0.0.0-test"}
	results := probes.Results{{ID: "dns", Status: probes.StatusOK, Summary: "7 Apple names resolve"}}

	down := in
	down.Doc = &verdict.Document{Verdict: verdict.Verdict{Level: verdict.LevelDown, Headline: "DNS is not working",
		Fixes: []string{verdict.FixFlushDNS, verdict.FixRenewDHCP}}, Probes: results}
	ok := in
	ok.Doc = &verdict.Document{Verdict: verdict.Verdict{Level: verdict.LevelOK, Headline: "Apple ID connectivity is healthy"}, Probes: results}
	okLater := ok
	okLater.Now = now.Add(30 * time.Second) // same icon, new "next in" text
	launch := true
	okLater.LaunchAtLogin = &launch
	return map[string]menu.Model{"down": menu.Build(down), "ok": menu.Build(ok), "ok-later": menu.Build(okLater)}
}

// TestHelperTray is the helper process; it does nothing in a normal run.
func TestHelperTray(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("the tray helper process; runs only when a test re-executes it")
	}
	out := &lines{w: os.Stdout}
	cfg := configFor("linux")
	// Short, so the test does not wait a second; the export it guards
	// against takes milliseconds.
	cfg.reassert = 200 * time.Millisecond
	loopDone := make(chan struct{})
	err := run(cfg, func(tr *Tray) {
		if mode == "early" {
			// Inside ready: systray has not exported itself yet, so
			// this is the window where Linux loses values (#35).
			tr.Apply(helperModels()["down"])
		}
		go func() {
			defer close(loopDone)
			helperLoop(tr, mode, out)
		}()
	}, func() { out.println("exit-callback") })
	// The loop's last words race with the exit callback; "exited" comes
	// after both.
	<-loopDone
	out.println("exited", err)
}

func helperLoop(tr *Tray, mode string, out *lines) {
	models := helperModels()
	go func() {
		for a := range tr.Clicks() {
			out.println("action", a.Kind, a.Arg)
		}
	}()
	if mode == "nobus" {
		// No bus: every call must be a harmless no-op, and Quit must not
		// take the process down (v1.12.2 panics in its loop).
		tr.Apply(models["down"])
		tr.Apply(models["ok"])
		tr.Quit()
		return
	}
	<-tr.reasserted
	bus, err := dbus.SessionBus() // systray's own connection: markers follow its signals in order
	if err != nil {
		out.println("error", err)
		return
	}
	seq := uint32(0)
	if mode == "early" {
		// Everything the re-assert sent is before this marker.
		seq++
		if err := bus.Emit("/org/idpulse/test", markerIface+"."+markerMember, seq); err != nil {
			out.println("error", err)
		}
	}
	out.println("ready")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "apply":
			tr.Apply(models[arg])
			seq++
			if err := bus.Emit("/org/idpulse/test", markerIface+"."+markerMember, seq); err != nil {
				out.println("error", err)
			}
			out.println("applied", seq)
		case "quit":
			tr.Quit()
			tr.Quit()
			tr.Apply(models["down"]) // after Quit: must return without touching systray
			out.println("quit-returned")
			return
		}
	}
}

// lines writes whole prefixed lines from several goroutines.
type lines struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lines) println(a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, helperPrefix+strings.TrimSpace(fmt.Sprintln(a...)))
}

// helper is a running helper process.
type helper struct {
	pid    int
	stdin  io.WriteCloser
	lines  chan string
	stderr *bytes.Buffer
}

func startHelper(t *testing.T, mode, busAddr string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTray$", "-test.count=1", "-test.timeout=2m")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, helperEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, helperEnv+"="+mode, "DBUS_SESSION_BUS_ADDRESS="+busAddr)
	h := &helper{lines: make(chan string, 64), stderr: &bytes.Buffer{}}
	var err error
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = h.stderr // systray logs here
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h.pid = cmd.Process.Pid
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(h.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if s, ok := strings.CutPrefix(sc.Text(), helperPrefix); ok {
				h.lines <- s
			}
		}
	}()
	t.Cleanup(func() {
		h.stdin.Close()
		_ = cmd.Process.Kill()
		<-readDone
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("helper stderr:\n%s", h.stderr)
		}
	})
	return h
}

func (h *helper) send(t *testing.T, line string) {
	t.Helper()
	if _, err := fmt.Fprintln(h.stdin, line); err != nil {
		t.Fatalf("send %q: %v", line, err)
	}
}

// expectAnyOrder reads the helper's next len(want) lines, which must be
// want in any order (they come from different goroutines).
func (h *helper) expectAnyOrder(t *testing.T, want ...string) {
	t.Helper()
	left := map[string]int{}
	for _, w := range want {
		left[w]++
	}
	for range want {
		select {
		case got, ok := <-h.lines:
			if !ok {
				t.Fatalf("helper exited while waiting for %q", want)
			}
			if left[got] == 0 {
				t.Fatalf("helper said %q, want one of %q", got, want)
			}
			left[got]--
		case <-time.After(waitCap):
			t.Fatalf("helper did not say all of %q within %v", want, waitCap)
		}
	}
}

// expect reads the helper's next line, which must be want.
func (h *helper) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got, ok := <-h.lines:
		if !ok {
			t.Fatalf("helper exited while waiting for %q", want)
		}
		if got != want {
			t.Fatalf("helper said %q, want %q", got, want)
		}
	case <-time.After(waitCap):
		t.Fatalf("no %q from the helper within %v", want, waitCap)
	}
}

// compare lists how the layout differs from the model, and maps each item
// ID to its dbusmenu id. Items pair up by position: systray appends items
// in creation order, which is the skeleton's.
func compare(nodes []desktoptest.Node, items []menu.Item, ids map[string]int32) []string {
	if len(nodes) != len(items) {
		return []string{fmt.Sprintf("%d layout entries for %d items", len(nodes), len(items))}
	}
	var diffs []string
	for i, it := range items {
		n := nodes[i]
		ids[it.ID] = n.ID
		if it.Separator {
			if n.Prop("type") != "separator" {
				diffs = append(diffs, fmt.Sprintf("%s: not a separator: %v", it.ID, n.Props))
			}
			continue
		}
		visible := true
		if v, ok := n.Prop("visible").(bool); ok {
			visible = v
		}
		if got := n.Prop("label"); got != it.Title {
			diffs = append(diffs, fmt.Sprintf("%s: label %q, want %q", it.ID, got, it.Title))
		}
		if got := n.Prop("enabled"); got != it.Enabled {
			diffs = append(diffs, fmt.Sprintf("%s: enabled %v, want %v", it.ID, got, it.Enabled))
		}
		if visible == it.Hidden {
			diffs = append(diffs, fmt.Sprintf("%s: visible %v, want %v", it.ID, visible, !it.Hidden))
		}
		if it.Checkable {
			state := int32(0)
			if it.Checked {
				state = 1
			}
			if n.Prop("toggle-type") != "checkmark" || n.Prop("toggle-state") != state {
				diffs = append(diffs, fmt.Sprintf("%s: toggle %v/%v, want checkmark/%d", it.ID, n.Prop("toggle-type"), n.Prop("toggle-state"), state))
			}
		}
		if len(it.Children) > 0 {
			diffs = append(diffs, compare(n.Children, it.Children, ids)...)
		}
	}
	return diffs
}

// waitLayout polls the layout until it shows m (see desktoptest.Item.Layout:
// one read is not enough).
func waitLayout(t *testing.T, item *desktoptest.Item, m menu.Model) map[string]int32 {
	t.Helper()
	deadline := time.Now().Add(waitCap)
	for {
		ids := map[string]int32{}
		root, err := item.Layout()
		var diffs []string
		if err != nil {
			diffs = []string{err.Error()}
		} else {
			diffs = compare(root.Children, m.Items, ids)
		}
		if len(diffs) == 0 {
			return ids
		}
		if time.Now().After(deadline) {
			t.Fatalf("menu layout does not match the model after %v:\n%s", waitCap, strings.Join(diffs, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func iconPixmap(t *testing.T, item *desktoptest.Item) desktoptest.Pixmap {
	t.Helper()
	px, err := item.Pixmap()
	if err != nil {
		t.Fatal(err)
	}
	if px.W != 32 || px.H != 32 || len(px.Pix) != 32*32*4 {
		t.Fatalf("IconPixmap: %d×%d, %d bytes; want one 32×32 ARGB image", px.W, px.H, len(px.Pix))
	}
	return px
}

func tooltipTitle(t *testing.T, item *desktoptest.Item) string {
	t.Helper()
	title, err := item.ToolTipTitle()
	if err != nil {
		t.Fatal(err)
	}
	return title
}

// iconsBefore counts NewIcon signals until the helper's marker seq. The
// marker goes out on the connection systray uses, after Apply returns, and
// the bus keeps one sender's messages in order: any NewIcon that Apply sent
// arrives before it.
func iconsBefore(t *testing.T, sigs <-chan *dbus.Signal, seq uint32) int {
	t.Helper()
	n := 0
	timeout := time.After(waitCap)
	for {
		select {
		case s := <-sigs:
			switch s.Name {
			case desktoptest.ItemIface + ".NewIcon":
				n++
			case markerIface + "." + markerMember:
				if len(s.Body) == 1 && s.Body[0] == seq {
					return n
				}
			}
		case <-timeout:
			t.Fatalf("no marker %d within %v", seq, waitCap)
		}
	}
}

func TestTrayOverDBus(t *testing.T) {
	bus := desktoptest.StartBus(t, desktoptest.SocketFile())
	conn, sigs := subscribe(t, bus)

	h := startHelper(t, "full", bus.Address())
	h.expect(t, "ready")
	dest := desktoptest.ItemName(h.pid)
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, dest).Store(&owned); err != nil || !owned {
		t.Fatalf("%s has no owner (err %v)", dest, err)
	}
	item := desktoptest.NewItem(conn, dest)
	models := helperModels()

	// down: the first Apply creates the items and sets the icon once.
	h.send(t, "apply down")
	h.expect(t, "applied 1")
	if n := iconsBefore(t, sigs, 1); n != 1 {
		t.Errorf("first Apply sent %d NewIcon signals, want 1", n)
	}
	ids := waitLayout(t, item, models["down"])
	if got := tooltipTitle(t, item); got != "idpulse — DNS is not working" {
		t.Errorf("ToolTip title %q", got)
	}
	pixDown := iconPixmap(t, item)

	// ok: a new icon, the fix rows hidden.
	h.send(t, "apply ok")
	h.expect(t, "applied 2")
	if n := iconsBefore(t, sigs, 2); n != 1 {
		t.Errorf("Apply with a new icon state sent %d NewIcon signals, want 1", n)
	}
	waitLayout(t, item, models["ok"])
	if pixOK := iconPixmap(t, item); bytes.Equal(pixOK.Pix, pixDown.Pix) {
		t.Errorf("IconPixmap did not change from down to ok")
	}
	if got := tooltipTitle(t, item); got != "idpulse — Apple ID connectivity is healthy" {
		t.Errorf("ToolTip title %q", got)
	}

	// ok again, other texts: the icon is not sent again.
	h.send(t, "apply ok-later")
	h.expect(t, "applied 3")
	if n := iconsBefore(t, sigs, 3); n != 0 {
		t.Errorf("Apply with the same icon state sent %d NewIcon signals, want 0", n)
	}
	waitLayout(t, item, models["ok-later"])

	// Spot checks a person would make, beyond the generic comparison.
	for id, want := range map[string]string{"headline": "Apple ID connectivity is healthy", "check-now": "Check Now"} {
		it, _ := models["ok-later"].Find(id)
		if it.Title != want {
			t.Errorf("model %s = %q, want %q", id, it.Title, want)
		}
	}

	click := func(id string) {
		t.Helper()
		if err := item.Click(ids[id]); err != nil {
			t.Fatalf("click %s: %v", id, err)
		}
	}
	click("check-now")
	h.expect(t, "action check-now")
	click("headline") // informational: nothing to deliver
	click("fix.0")    // hidden in this model: nothing to deliver
	click("status-page")
	h.expect(t, "action open-url "+applestatus.PageURL)
	click("launch-at-login")
	h.expect(t, "action toggle-launch-at-login")

	h.send(t, "quit")
	h.expectAnyOrder(t, "quit-returned", "exit-callback")
	h.expect(t, "exited <nil>")
}

// subscribe opens a private connection to the bus and watches NewIcon
// signals and the helper's markers. Private: the test's subscriptions must
// share nothing with what it observes.
func subscribe(t *testing.T, bus *desktoptest.Bus) (*dbus.Conn, <-chan *dbus.Signal) {
	t.Helper()
	conn := bus.Connect(t, dbus.WithSignalHandler(dbus.NewSequentialSignalHandler()))
	for _, match := range [][]dbus.MatchOption{
		{dbus.WithMatchInterface(desktoptest.ItemIface), dbus.WithMatchMember("NewIcon")},
		{dbus.WithMatchInterface(markerIface), dbus.WithMatchMember(markerMember)},
	} {
		if err := conn.AddMatchSignal(match...); err != nil {
			t.Fatal(err)
		}
	}
	sigs := make(chan *dbus.Signal, 256)
	conn.Signal(sigs)
	return conn, sigs
}

// TestTrayReassertsIcon: an Apply inside ready happens before systray has
// exported itself on D-Bus; the re-assert must leave the icon and tooltip
// right on the bus, whatever the first attempt did.
func TestTrayReassertsIcon(t *testing.T) {
	bus := desktoptest.StartBus(t, desktoptest.SocketFile())
	conn, sigs := subscribe(t, bus)
	h := startHelper(t, "early", bus.Address())
	h.expect(t, "ready")
	if n := iconsBefore(t, sigs, 1); n < 1 {
		t.Errorf("%d NewIcon signals by the end of the re-assert, want at least 1", n)
	}
	item := desktoptest.NewItem(conn, desktoptest.ItemName(h.pid))
	iconPixmap(t, item)
	if got := tooltipTitle(t, item); got != "idpulse — DNS is not working" {
		t.Errorf("ToolTip title %q", got)
	}
	h.send(t, "quit")
	h.expectAnyOrder(t, "quit-returned", "exit-callback")
	h.expect(t, "exited <nil>")
}

// TestTrayWithoutUsableBus: an address that does not answer leaves systray
// without a connection; it must still run, take Applies, and quit cleanly
// (v1.12.2 panics after Quit here; Run recovers it).
func TestTrayWithoutUsableBus(t *testing.T) {
	h := startHelper(t, "nobus", "unix:path="+filepath.Join(t.TempDir(), "no-bus-here"))
	h.expect(t, "exit-callback")
	h.expect(t, "exited <nil>")
}

func TestRunWithoutSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	called := false
	err := Run(func(*Tray) { called = true }, nil)
	if !errors.Is(err, ErrNoSessionBus) {
		t.Fatalf("Run = %v, want ErrNoSessionBus", err)
	}
	if called {
		t.Error("ready was called")
	}
}
