//go:build !linux && !darwin

package run

// trayUnavailable: the menu bar agent targets macOS and Linux desktops.
func trayUnavailable() string { return "no menu bar support on this system" }

// sessionBus: beeep's notifications here need no D-Bus either.
func sessionBus() bool { return true }
