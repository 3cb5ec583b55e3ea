package notify

// platformSend on macOS runs osascript directly rather than through beeep:
// beeep quotes with Go's %q (broken for AppleScript) and has no timeout.
// The absolute path matters: launchd's PATH is minimal.
func platformSend(Desktop) sendFunc { return osascript("/usr/bin/osascript") }

// setAppName does nothing: osascript notifications always come from Script Editor.
func setAppName(string) {}
