package run

// trayUnavailable: a Mac always has a menu bar.
func trayUnavailable() string { return "" }
