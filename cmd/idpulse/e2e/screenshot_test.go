//go:build linux

package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/idpulse/idpulse/agent/desktoptest"
	"github.com/idpulse/idpulse/agent/menu"
)

const (
	// screenshotEnv names the directory packaging/linux/screenshot.sh wants
	// the world's description in; TestScreenshotWorld skips without it.
	screenshotEnv = "IDPULSE_SCREENSHOT_WORLD"
	// screenshotPrefix starts every line the script reads.
	screenshotPrefix = "idpulse-screenshot-world: "
	// screenshotConfig keeps the agent's default schedule, so the menu reads
	// as it would on a desk ("next in 1 min"); the world clicks Check Now
	// to show a change at once.
	screenshotConfig = `{"check": {"deadline": "3s", "probe_timeout": "2s"}, "apple_status": {"url": "` + feedURL + `"}}` + "\n"
)

// TestScreenshotWorld is not a test: it is the fake Internet for
// packaging/linux/screenshot.sh, which runs this test binary with
// IDPULSE_SCREENSHOT_WORLD=DIR. It creates a healthy namespace, writes
// DIR/world.env (NS, CONFIG, SSL_CERT_FILE, SSL_CERT_DIR: how to run the
// agent in it), prints "…: ready", then obeys lines on stdin:
//
//	healthy PID   wait until PID's tray shows the healthy state
//	fault PID     block the sign-in servers, click Check Now, wait for "blocked"
//	clear PID     remove the block, click Check Now, wait for healthy
//	keys:ID PID   how many Down keys select the top-level row ID in the
//	              open menu (GTK skips hidden and disabled rows)
//
// answering "…: done CMD" or "…: error CMD: WHY". It reads the tray over the
// session bus in DBUS_SESSION_BUS_ADDRESS, which must be a socket file the
// namespace can reach. At EOF it removes the namespace.
func TestScreenshotWorld(t *testing.T) {
	dir := os.Getenv(screenshotEnv)
	if dir == "" {
		t.Skip("the fake world of packaging/linux/screenshot.sh; runs only when it sets " + screenshotEnv)
	}
	if netnsErr != nil {
		t.Fatalf("needs root and ip netns: %v", netnsErr)
	}
	ns := newNetns(t, "")
	ns.startServers(t, helperConfig{})
	cfg := filepath.Join(ns.dir, "agent.json")
	if err := os.WriteFile(cfg, []byte(screenshotConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	env := fmt.Sprintf("NS=%s\nCONFIG=%s\nSSL_CERT_FILE=%s\nSSL_CERT_DIR=%s\n", ns.Name, cfg, ns.caFile, ns.dir)
	if err := os.WriteFile(filepath.Join(dir, "world.env"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	conn, err := dbus.SessionBusPrivate()
	if err == nil {
		err = conn.Auth(nil)
	}
	if err == nil {
		err = conn.Hello()
	}
	if err != nil {
		t.Fatalf("session bus (DBUS_SESSION_BUS_ADDRESS=%q): %v", os.Getenv("DBUS_SESSION_BUS_ADDRESS"), err)
	}
	defer conn.Close()
	fmt.Println(screenshotPrefix + "ready")

	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		cmd, arg, _ := strings.Cut(line, " ")
		pid, perr := strconv.Atoi(arg)
		if perr != nil {
			fmt.Printf("%serror %s: want CMD PID\n", screenshotPrefix, line)
			continue
		}
		tray := newTrayView(conn, desktoptest.ItemName(pid))
		if id, ok := strings.CutPrefix(cmd, "keys:"); ok {
			n, err := downPresses(tray, id)
			if err != nil {
				fmt.Printf("%serror %s: %v\n", screenshotPrefix, cmd, err)
				continue
			}
			fmt.Printf("%sdone %s %d\n", screenshotPrefix, cmd, n)
			continue
		}
		var want func(trayState) bool
		switch cmd {
		case "healthy":
			want = trayState.healthy
		case "fault":
			ns.nft(t, blockSignIn())
			want = trayState.blocked
		case "clear":
			ns.nft(t, clearFault)
			want = trayState.healthy
		default:
			fmt.Printf("%serror %s: unknown command\n", screenshotPrefix, line)
			continue
		}
		if err := showState(tray, want, cmd != "healthy"); err != nil {
			fmt.Printf("%serror %s: %v\n", screenshotPrefix, cmd, err)
			continue
		}
		fmt.Printf("%sdone %s\n", screenshotPrefix, cmd)
	}
}

// showState waits until the tray shows what want accepts, clicking Check Now
// first when checkNow is set (and again every few seconds: the row is
// disabled, and a click dropped, while a cycle runs).
func showState(tray *trayView, want func(trayState) bool, checkNow bool) error {
	deadline := time.Now().Add(30 * time.Second)
	var s trayState
	var lastClick time.Time
	for {
		s = tray.read()
		if s.err == nil && want(s) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not shown within 30s; last seen: %s", strings.ReplaceAll(s.String(), "\n", " | "))
		}
		if checkNow && s.err == nil && time.Since(lastClick) > 3*time.Second {
			if err := tray.Click(s.menu["check-now"].ID); err != nil {
				return fmt.Errorf("click Check Now: %v", err)
			}
			lastClick = time.Now()
		}
		time.Sleep(pollEvery)
	}
}

// downPresses counts the Down keys that select the top-level row id in a
// freshly opened GTK menu: each selects the next visible, enabled row.
func downPresses(tray *trayView, id string) (int, error) {
	s := tray.read()
	if s.err != nil {
		return 0, s.err
	}
	n := 0
	for _, it := range menu.Skeleton().Items {
		r, ok := s.menu[it.ID]
		if it.Separator || !ok || !r.Visible || !r.Enabled {
			continue
		}
		n++
		if it.ID == id {
			return n, nil
		}
	}
	return 0, fmt.Errorf("no visible, enabled row %q at the top level", id)
}
