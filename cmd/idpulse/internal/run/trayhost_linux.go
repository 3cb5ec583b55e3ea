package run

import (
	"os"
	"path/filepath"

	"github.com/godbus/dbus/v5"
)

// trayUnavailable says why there can be no menu bar here ("" when there can).
// It checks on a private connection: systray and beeep share the session
// connection, and nothing else may subscribe on it.
func trayUnavailable() string {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		rt := os.Getenv("XDG_RUNTIME_DIR")
		if _, err := os.Stat(filepath.Join(rt, "bus")); rt == "" || err != nil {
			// Without this check godbus would exec dbus-launch and start a
			// stray bus, and systray v1.12.2 panics on quit without a bus.
			return "no session bus"
		}
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return "no session bus"
	}
	defer conn.Close()
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has); err != nil || !has {
		return "no tray host on the session bus (GNOME needs the AppIndicator extension)"
	}
	return ""
}
