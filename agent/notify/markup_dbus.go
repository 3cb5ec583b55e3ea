//go:build !darwin && !windows

package notify

import (
	"context"
	"slices"

	"github.com/godbus/dbus/v5"
)

// bodyMarkup asks the notification server whether it reads bodies as markup
// (the "body-markup" capability of the Desktop Notifications spec). It uses
// the session connection beeep then sends on, so it starts no bus of its
// own. When the server cannot be asked, the answer is yes: an escaped body
// on a plain-text server shows "&amp;", an unescaped one on a markup server
// (or through notify-send and kdialog, beeep's fallbacks) shows a link.
func bodyMarkup(ctx context.Context) bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return true
	}
	var caps []string
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	if err := obj.CallWithContext(ctx, "org.freedesktop.Notifications.GetCapabilities", 0).Store(&caps); err != nil {
		return true
	}
	return slices.Contains(caps, "body-markup")
}
