package notify

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// notificationServer is a test-owned org.freedesktop.Notifications: it
// records each Notify call instead of drawing anything.
type notificationServer struct {
	mu    sync.Mutex
	calls []notifyCall
}

type notifyCall struct {
	App, Icon, Summary, Body string
	Hints                    map[string]dbus.Variant
	Timeout                  int32
}

func (s *notificationServer) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, notifyCall{app, icon, summary, body, hints, timeout})
	return uint32(len(s.calls)), nil
}

func (s *notificationServer) take() []notifyCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls = nil
	return c
}

// privateBus starts a dbus-daemon only this test talks to and returns its
// address. No service directories: no real notification daemon can start.
func privateBus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("IDPULSE_REQUIRE_DBUS") == "1" {
			t.Fatalf("IDPULSE_REQUIRE_DBUS=1 but dbus-daemon is not installed: %v (apt-get install -y dbus)", err)
		}
		t.Skipf("dbus-daemon not installed (apt-get install -y dbus): %v", err)
	}
	cfg := filepath.Join(t.TempDir(), "bus.conf")
	const conf = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+cfg, "--nofork", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatalf("dbus-daemon printed no address; stderr: %s", stderr.String())
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatalf("dbus-daemon did not print its address; stderr: %s", stderr.String())
	}
	return ""
}

// serveNotifications connects to addr and owns org.freedesktop.Notifications.
func serveNotifications(t *testing.T, addr string) *notificationServer {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to private bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	srv := &notificationServer{}
	// Export before taking the name, so no call can arrive at a missing object.
	if err := conn.Export(srv, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName = %v, %v", reply, err)
	}
	return srv
}

// Desktop.Notify on Linux, end to end over a real (private) D-Bus.
//
// beeep uses godbus's shared session connection, which remembers the first
// bus it connected to for the life of the process; each case therefore runs
// in a fresh re-exec of this test binary (TestHelperNotify) whose environment
// points at the private bus.
func TestDesktopNotifyDBus(t *testing.T) {
	addr := privateBus(t)
	srv := serveNotifications(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	emptyPath := t.TempDir() // no notify-send/kdialog: a D-Bus failure must fail the test

	tests := []struct {
		name, title, body string
		withIcon          bool
		wantIcon          string
	}{
		{name: "plain", title: "Apple ID: sign-in blocked", body: "DNS filter returns 0.0.0.0 for idmsa.apple.com",
			wantIcon: "dialog-information"},
		{name: "sanitised", title: "bad\x07 title\n" + strings.Repeat("x", 100), body: "line1\nline2\t\u202e \" & `id` $(rm -rf ~)",
			wantIcon: "dialog-information"},
		{name: "png icon", title: "t", body: "b", withIcon: true, wantIcon: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperNotify$", "-test.count=1")
			cmd.Env = append(os.Environ(),
				"IDPULSE_NOTIFY_HELPER=1",
				"IDPULSE_NOTIFY_TITLE="+tt.title,
				"IDPULSE_NOTIFY_BODY="+tt.body,
				"PATH="+emptyPath,
			)
			if tt.withIcon {
				cmd.Env = append(cmd.Env, "IDPULSE_NOTIFY_ICON=1")
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			calls := srv.take()
			if len(calls) != 1 {
				t.Fatalf("server got %d Notify calls, want 1: %+v", len(calls), calls)
			}
			c := calls[0]
			if c.App != "idpulse-test" || c.Summary != Sanitize(tt.title, MaxTitle) || c.Body != Sanitize(tt.body, MaxBody) || c.Icon != tt.wantIcon {
				t.Errorf("Notify(app=%q icon=%q summary=%q body=%q), want app %q icon %q summary %q body %q",
					c.App, c.Icon, c.Summary, c.Body, "idpulse-test", tt.wantIcon, Sanitize(tt.title, MaxTitle), Sanitize(tt.body, MaxBody))
			}
			if _, ok := c.Hints["image-data"]; ok != tt.withIcon {
				t.Errorf("image-data hint present = %v, want %v", ok, tt.withIcon)
			}
		})
	}
}

// TestHelperNotify is not a test on its own: TestDesktopNotifyDBus runs it
// in a child process with a fresh environment.
func TestHelperNotify(t *testing.T) {
	if os.Getenv("IDPULSE_NOTIFY_HELPER") != "1" {
		t.Skip("helper process for TestDesktopNotifyDBus")
	}
	var icon []byte
	if os.Getenv("IDPULSE_NOTIFY_ICON") == "1" {
		icon = testPNG(t)
	}
	d := NewDesktop("idpulse-test", icon)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Notify(ctx, os.Getenv("IDPULSE_NOTIFY_TITLE"), os.Getenv("IDPULSE_NOTIFY_BODY")); err != nil {
		t.Fatal(err)
	}
}

func testPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
