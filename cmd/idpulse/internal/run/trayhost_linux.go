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
	if !sessionBus() {
		// Without this check godbus would exec dbus-launch and start a
		// stray bus, and systray v1.12.2 panics on quit without a bus.
		return "no session bus"
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

// sessionBus reports whether a session bus is there to connect to: its
// address is set, or the user's runtime directory has one. Without either,
// godbus (under systray and beeep) would autolaunch a bus of its own with
// dbus-launch, left running after idpulse exits.
func sessionBus() bool {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	rt := os.Getenv("XDG_RUNTIME_DIR")
	if rt == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(rt, "bus"))
	return err == nil
}
