// Package tray shows a menu.Model in the menu bar (macOS) or the system
// tray (Linux, through StatusNotifierItem and dbusmenu over D-Bus). It is
// the only package that imports fyne.io/systray, and it hides that
// library's rules from the rest of the agent:
//
//   - Items are created once, from menu.Skeleton, and then only updated in
//     place: systray appends items and cannot remove separators.
//   - The icon is set only when the state changes (tray hosts leak on
//     repeated SetIcon).
//   - Clicks arrive on one buffered channel. systray drops a click when
//     nobody is receiving, so every item has its own always-ready reader.
//   - After Quit no systray call is made: on macOS a call after the run loop
//     stops blocks forever.
//
// On macOS Run needs cgo (systray's Cocoa code). A darwin build without cgo
// compiles, so the rest of the module vets everywhere, but Run returns
// ErrNoCgo.
package tray

import (
	"errors"
	"path/filepath"
	"time"
)

// ErrNoSessionBus is returned by Run on Linux when there is no D-Bus session
// bus to export the tray on. Without this check systray (through godbus)
// would start a dbus-launch daemon of its own, and crash on Quit.
var ErrNoSessionBus = errors.New("tray: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and $XDG_RUNTIME_DIR/bus does not exist)")

// ErrNoCgo is returned by Run in a darwin build without cgo.
var ErrNoCgo = errors.New("tray: the macOS menu bar needs a cgo build (CGO_ENABLED=1)")

// config is what differs between platforms, chosen from GOOS so that the
// choice is testable anywhere.
type config struct {
	// template: set the template icon (macOS tints it for light and dark
	// menu bars); otherwise the colour icon.
	template bool
	// iconPx is the icon size in pixels: 32 is 16 pt at 2× on macOS; Linux
	// hosts scale to their panel.
	iconPx int
	// reassert re-sets the icon and tooltip this long after the loop is up
	// (0 = never). On Linux systray runs onReady before it exports its
	// D-Bus objects, and a value set in a short window after the export
	// reads the old state is lost (fyne-io/systray#35). One late re-set
	// covers it; the window is milliseconds long, so a second is ample.
	reassert time.Duration
	// needsBus: check for a session bus before starting.
	needsBus bool
}

func configFor(goos string) config {
	switch goos {
	case "darwin":
		return config{template: true, iconPx: 32}
	case "windows":
		// Not a target: systray wants .ico bytes there, so the icon will
		// not show. Kept buildable so `GOOS=windows go build ./...` passes.
		return config{iconPx: 32}
	}
	return config{iconPx: 32, reassert: time.Second, needsBus: true}
}

// sessionBusAvailable reports whether godbus would find a session bus
// without launching one: an address in the environment, or the systemd
// user bus socket.
func sessionBusAvailable(getenv func(string) string, exists func(path string) bool) bool {
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	dir := getenv("XDG_RUNTIME_DIR")
	return dir != "" && exists(filepath.Join(dir, "bus"))
}
