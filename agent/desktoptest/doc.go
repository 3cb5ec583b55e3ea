// Package desktoptest fakes the Linux desktop session that the tray and
// notification code talk to over D-Bus, for tests:
//
//   - StartBus: a private dbus-daemon only the test talks to;
//   - OwnWatcher: an org.kde.StatusNotifierWatcher, the panel's half of the
//     tray protocol, that records the items registering with it;
//   - OwnNotifications: an org.freedesktop.Notifications server that records
//     each Notify call instead of drawing anything;
//   - NewItem: a reader of a StatusNotifierItem and its com.canonical.dbusmenu
//     menu as a panel sees them (icon pixels, tooltip, layout, clicks).
//
// Why fakes: the real session bus belongs to whoever is logged in, and a real
// desktop's watcher and notification daemon draw on the screen, are missing
// on a CI machine, or are racy (Debian's watcher). A test-owned bus with
// test-owned services is deterministic and hands back exactly what the code
// under test sent. The bus has no service directories, so nothing real is
// ever auto-started on it.
//
// Use it only from _test.go files. Constructors take a testing.TB and undo
// what they start through its Cleanup. Without dbus-daemon StartBus skips the
// test, or fails it when IDPULSE_REQUIRE_DBUS=1 (CI sets it).
//
// Linux only: on other systems the package is empty.
package desktoptest
