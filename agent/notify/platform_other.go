//go:build !darwin

package notify

import (
	"context"
	"runtime"

	"github.com/gen2brain/beeep"

	"github.com/idpulse/idpulse/probes/textsafe"
)

// platformSend on Linux and Windows is beeep: D-Bus
// org.freedesktop.Notifications (then notify-send, kdialog) on Linux, toast
// on Windows. beeep takes no context; Desktop.Notify bounds the wait.
//
// The body is escaped for servers that read it as markup (bodyMarkup):
// beeep sends it as given, and an <a href> or <img src> from the network
// would become a link or fetch an image.
func platformSend(d Desktop) sendFunc {
	icon := beeepIcon(runtime.GOOS, d.Icon)
	return func(ctx context.Context, title, body string) error {
		return beeep.Notify(title, textsafe.NotificationBody(body, bodyMarkup(ctx)), icon)
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
