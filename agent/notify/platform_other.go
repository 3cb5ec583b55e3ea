//go:build !darwin

package notify

import (
	"context"
	"runtime"

	"github.com/gen2brain/beeep"
)

// platformSend on Linux and Windows is beeep: D-Bus
// org.freedesktop.Notifications (then notify-send, kdialog) on Linux, toast
// on Windows. beeep takes no context; Desktop.Notify bounds the wait.
func platformSend(d Desktop) sendFunc {
	icon := beeepIcon(runtime.GOOS, d.Icon)
	return func(_ context.Context, title, body string) error {
		return beeep.Notify(title, body, icon)
	}
}

// beeepIcon is our PNG when we have one; otherwise the freedesktop stock
// icon on Linux, and nothing on Windows (beeep reads a string as a path there).
func beeepIcon(goos string, png []byte) any {
	switch {
	case png != nil:
		return png
	case goos == "windows":
		return ""
	default:
		return "dialog-information"
	}
}

func setAppName(name string) { beeep.AppName = name }
