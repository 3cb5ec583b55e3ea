package notify

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/idpulse/idpulse/agent/desktoptest"
)

// Desktop.Notify on Linux, end to end over a real (private) D-Bus.
//
// beeep uses godbus's shared session connection, which remembers the first
// bus it connected to for the life of the process; each case therefore runs
// in a fresh re-exec of this test binary (TestHelperNotify) whose environment
// points at the private bus.
func TestDesktopNotifyDBus(t *testing.T) {
	bus := desktoptest.StartBus(t)
	srv := desktoptest.OwnNotifications(t, bus.Connect(t))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address())
	emptyPath := t.TempDir() // no notify-send/kdialog: a D-Bus failure must fail the test

	tests := []struct {
		name, title, body string
		withIcon          bool
		wantIcon          string
		caps              []string // the server's capabilities; nil is "body"
		wantBody          string   // "": Sanitize(body, MaxBody)
	}{
		{name: "plain", title: "Apple ID: sign-in blocked", body: "DNS filter returns 0.0.0.0 for idmsa.apple.com",
			wantIcon: "dialog-information"},
		{name: "sanitised", title: "bad\x07 title\n" + strings.Repeat("x", 100), body: "line1\nline2\t\u202e \" & `id` $(rm -rf ~)",
			wantIcon: "dialog-information"},
		{name: "png icon", title: "t", body: "b", withIcon: true, wantIcon: ""},
		{name: "markup server: body escaped", title: "Apple ID <b>", caps: []string{"body", "body-markup", "body-hyperlinks"},
			body:     `Outage <a href="http://evil">details</a><img src="http://evil/t.png"/> & more` + "\x1b]52;c;eA==\x07",
			wantBody: `Outage &lt;a href="http://evil"&gt;details&lt;/a&gt;&lt;img src="http://evil/t.png"/&gt; &amp; more`,
			wantIcon: "dialog-information"},
		{name: "plain-text server: body as is", title: "t", caps: []string{"body"},
			body: "AT&T <not a tag>", wantBody: "AT&T <not a tag>", wantIcon: "dialog-information"},
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
			srv.SetCapabilities(tt.caps...)
			if tt.caps == nil {
				srv.SetCapabilities("body")
			}
			wantBody := tt.wantBody
			if wantBody == "" {
				wantBody = Sanitize(tt.body, MaxBody)
			}
			before := len(srv.Calls())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			calls := srv.Calls()[before:]
			if len(calls) != 1 {
				t.Fatalf("server got %d Notify calls, want 1: %+v", len(calls), calls)
			}
			c := calls[0]
			if c.App != "idpulse-test" || c.Summary != Sanitize(tt.title, MaxTitle) || c.Body != wantBody || c.Icon != tt.wantIcon {
				t.Errorf("Notify(app=%q icon=%q summary=%q body=%q), want app %q icon %q summary %q body %q",
					c.App, c.Icon, c.Summary, c.Body, "idpulse-test", tt.wantIcon, Sanitize(tt.title, MaxTitle), wantBody)
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
