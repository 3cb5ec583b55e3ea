package run

// trayUnavailable: a Mac always has a menu bar.
func trayUnavailable() string { return "" }

// sessionBus: macOS notifies through osascript, no D-Bus involved.
func sessionBus() bool { return true }
