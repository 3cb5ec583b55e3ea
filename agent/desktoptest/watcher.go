//go:build linux

package desktoptest

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"
)

const (
	// WatcherName is the bus name and interface of the watcher.
	WatcherName = "org.kde.StatusNotifierWatcher"
	// WatcherPath is the watcher's object.
	WatcherPath = "/StatusNotifierWatcher"
)

// Watcher is a deterministic org.kde.StatusNotifierWatcher (Debian's is
// racy): it records every item that registers and says a host is there, so
// a tray that waits for a panel shows itself.
type Watcher struct {
	conn  *dbus.Conn
	props *prop.Properties

	mu         sync.Mutex
	items      []string
	registered chan string
}

// OwnWatcher owns org.kde.StatusNotifierWatcher on conn. The object and its
// properties are exported before the name is requested, so a call that
// follows the name's appearance always finds them.
func OwnWatcher(tb testing.TB, conn *dbus.Conn) *Watcher {
	tb.Helper()
	w := &Watcher{conn: conn, registered: make(chan string, 16)}
	if err := conn.Export(watcherObject{w}, WatcherPath, WatcherName); err != nil {
		tb.Fatal(err)
	}
	props, err := prop.Export(conn, WatcherPath, prop.Map{WatcherName: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitConst},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	w.props = props
	requestName(tb, conn, WatcherName)
	return w
}

// Registered delivers each registration as it happens, as
// "<unique name><object path>" when the item sent a path (systray does) or
// as the service name it sent. It holds the first 16 not yet received; later
// ones are only in RegisteredItems.
func (w *Watcher) Registered() <-chan string { return w.registered }

// RegisteredItems lists every registration so far, in order.
func (w *Watcher) RegisteredItems() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.items)
}

func (w *Watcher) register(sender dbus.Sender, service string) {
	item := service
	if strings.HasPrefix(service, "/") {
		item = string(sender) + service
	}
	w.mu.Lock()
	w.items = append(w.items, item)
	items := slices.Clone(w.items)
	w.mu.Unlock()
	w.props.SetMust(WatcherName, "RegisteredStatusNotifierItems", items)
	_ = w.conn.Emit(WatcherPath, WatcherName+".StatusNotifierItemRegistered", item)
	select {
	case w.registered <- item:
	default:
	}
}

// watcherObject is what the bus sees: its exported methods are the D-Bus
// methods, and Watcher's own API stays off the bus.
type watcherObject struct{ w *Watcher }

// RegisterStatusNotifierItem registers an item. systray sends only its
// object path; the item is then the sender's unique name plus that path.
func (o watcherObject) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	o.w.register(sender, service)
	return nil
}

// RegisterStatusNotifierHost accepts a host; this watcher always has one.
func (o watcherObject) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }
