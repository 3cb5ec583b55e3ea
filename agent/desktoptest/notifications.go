//go:build linux

package desktoptest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

const (
	// NotificationsName is the bus name and interface of the server.
	NotificationsName = "org.freedesktop.Notifications"
	// NotificationsPath is the server's object.
	NotificationsPath = "/org/freedesktop/Notifications"
)

// Notification is one Notify call the server received.
type Notification struct {
	App, Icon, Summary, Body string
	Hints                    map[string]dbus.Variant
	// At is when the server received the call.
	At time.Time
}

// Notifications is a test-owned org.freedesktop.Notifications: it records
// each Notify call instead of drawing anything. A call is recorded before it
// is answered, so once the sender has its reply the call is in Calls.
type Notifications struct {
	mu    sync.Mutex
	calls []Notification
	caps  []string // nil: "body" only
}

// SetCapabilities sets what GetCapabilities announces from now on
// ("body-markup" for a server that reads bodies as markup).
func (n *Notifications) SetCapabilities(caps ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.caps = slices.Clone(caps)
}

// OwnNotifications owns org.freedesktop.Notifications on conn. The object is
// exported before the name is requested, so no call can find it missing.
func OwnNotifications(tb testing.TB, conn *dbus.Conn) *Notifications {
	tb.Helper()
	n := &Notifications{}
	if err := conn.Export(notificationsObject{n}, NotificationsPath, NotificationsName); err != nil {
		tb.Fatal(err)
	}
	requestName(tb, conn, NotificationsName)
	return n
}

// Calls returns a copy of every call so far, in order.
func (n *Notifications) Calls() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.calls)
}

// String lists the calls, one indented line each, for failure messages.
func (n *Notifications) String() string {
	var b strings.Builder
	for i, c := range n.Calls() {
		fmt.Fprintf(&b, "  %d. %s [%s] %q: %q\n", i+1, c.At.Format("15:04:05.000"), c.App, c.Summary, c.Body)
	}
	if b.Len() == 0 {
		return "  (none)\n"
	}
	return b.String()
}

// notificationsObject is what the bus sees: its exported methods are the
// D-Bus methods, and Notifications' own API stays off the bus.
type notificationsObject struct{ n *Notifications }

// Notify records the call; its id is the call's number, from 1.
func (o notificationsObject) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n := o.n
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, Notification{App: app, Icon: icon, Summary: summary, Body: body, Hints: hints, At: time.Now()})
	return uint32(len(n.calls)), nil
}

func (o notificationsObject) GetCapabilities() ([]string, *dbus.Error) {
	o.n.mu.Lock()
	defer o.n.mu.Unlock()
	if o.n.caps == nil {
		return []string{"body"}, nil
	}
	return slices.Clone(o.n.caps), nil
}

func (o notificationsObject) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "idpulse-desktoptest", "idpulse", "1", "1.2", nil
}

func (o notificationsObject) CloseNotification(id uint32) *dbus.Error { return nil }
