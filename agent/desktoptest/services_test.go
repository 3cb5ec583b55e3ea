//go:build linux

package desktoptest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// ownBoth owns the watcher and the notification server on one connection,
// as the agent's end-to-end test does, and returns another connection to
// call them from.
func ownBoth(t *testing.T) (*Watcher, *Notifications, *dbus.Conn) {
	t.Helper()
	bus := StartBus(t)
	services := bus.Connect(t)
	return OwnWatcher(t, services), OwnNotifications(t, services), bus.Connect(t)
}

func TestWatcher(t *testing.T) {
	w, _, app := ownBoth(t)
	obj := app.Object(WatcherName, WatcherPath)
	for _, service := range []string{ItemPath, "org.example.Item"} {
		if err := obj.Call(WatcherName+".RegisterStatusNotifierItem", 0, service).Err; err != nil {
			t.Fatal(err)
		}
	}
	want := []string{app.Names()[0] + ItemPath, "org.example.Item"}
	for _, w1 := range want {
		select {
		case got := <-w.Registered():
			if got != w1 {
				t.Errorf("Registered() gave %q, want %q", got, w1)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no registration %q", w1)
		}
	}
	if got := w.RegisteredItems(); !slices.Equal(got, want) {
		t.Errorf("RegisteredItems() = %q, want %q", got, want)
	}
	v, err := obj.GetProperty(WatcherName + ".RegisteredStatusNotifierItems")
	if got, _ := v.Value().([]string); err != nil || !slices.Equal(got, want) {
		t.Errorf("RegisteredStatusNotifierItems = %v, %v; want %q", v, err, want)
	}
	if v, err := obj.GetProperty(WatcherName + ".IsStatusNotifierHostRegistered"); err != nil || v.Value() != true {
		t.Errorf("IsStatusNotifierHostRegistered = %v, %v", v, err)
	}
	// The Go API is not on the bus.
	if err := obj.Call(WatcherName+".RegisteredItems", 0).Err; err == nil {
		t.Error("RegisteredItems answers over D-Bus")
	}
}

func TestNotifications(t *testing.T) {
	_, n, app := ownBoth(t)
	obj := app.Object(NotificationsName, NotificationsPath)
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	for i, summary := range []string{"first", "second"} {
		var id uint32
		err := obj.Call(NotificationsName+".Notify", 0, "app", uint32(0), "dialog-information", summary, "body "+summary,
			[]string{}, hints, int32(-1)).Store(&id)
		if err != nil || id != uint32(i+1) {
			t.Fatalf("Notify = %d, %v; want id %d", id, err, i+1)
		}
	}
	calls := n.Calls()
	if len(calls) != 2 {
		t.Fatalf("Calls() = %+v, want 2", calls)
	}
	c := calls[1]
	if c.App != "app" || c.Icon != "dialog-information" || c.Summary != "second" || c.Body != "body second" ||
		c.Hints["urgency"].Value() != byte(1) || c.At.IsZero() {
		t.Errorf("second call = %+v", c)
	}
	if s := n.String(); !strings.Contains(s, `"first"`) || !strings.Contains(s, `2. `) {
		t.Errorf("String() = %q", s)
	}
	var caps []string
	if err := obj.Call(NotificationsName+".GetCapabilities", 0).Store(&caps); err != nil {
		t.Errorf("GetCapabilities: %v", err)
	}
}
