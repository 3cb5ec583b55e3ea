// Package notify shows desktop notifications: osascript on macOS, D-Bus
// (through beeep) on Linux, toast (through beeep) on Windows.
//
// Notification text can carry strings from the network (server errors,
// resolver names), so it is treated as untrusted: it is sanitised, it never
// reaches a shell, and on macOS it is quoted by AppleScript's own rules.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/applescript"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// Notifier shows one notification.
type Notifier interface {
	Notify(ctx context.Context, title, body string) error
}

// Limits on what is shown; longer text is cut with "…". Notification
// banners show about this much, and a bound keeps a hostile string small.
const (
	MaxTitle = 80
	MaxBody  = 240
)

// DefaultTimeout bounds one notification when Desktop.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// sendFunc shows an already sanitised notification. It should honour ctx
// where it can (osascript is killed); beeep cannot, see Desktop.Notify.
type sendFunc func(ctx context.Context, title, body string) error

// Desktop is the platform's notifier. Build it with NewDesktop.
type Desktop struct {
	AppName string
	Icon    []byte        // PNG; shown on Linux (macOS shows Script Editor's icon, see osascript)
	Timeout time.Duration // per notification; zero means DefaultTimeout
	Logger  *slog.Logger  // nil: discard

	send sendFunc // the backend; tests inject a fake one
}

// NewDesktop returns the notifier for this platform.
//
// On Linux and Windows it sets beeep.AppName, a package variable of the
// dependency (the D-Bus app_name / toast AppID). That is the one global
// write we accept: it happens once at startup, before any notification, and
// nothing else in idpulse uses beeep.
func NewDesktop(appName string, icon []byte) Desktop {
	setAppName(appName)
	d := Desktop{AppName: appName, Icon: icon, Timeout: DefaultTimeout}
	d.send = platformSend(d)
	return d
}

var _ Notifier = Desktop{}

// Notify sanitises title and body and shows them. It returns when the
// backend finishes, or with an error wrapping context.DeadlineExceeded (or
// the caller's ctx error) when Timeout or ctx runs out first.
//
// On timeout the backend goroutine is left to finish on its own: beeep's
// D-Bus call and notify-send exec take no context, so it cannot be stopped,
// and waiting for it would hang the agent's loop behind a stuck
// notification daemon. The goroutine's result goes to a buffered channel,
// so it exits as soon as the backend returns; notifications are rare
// (state changes only), so at worst a few goroutines wait on a dead daemon.
// The osascript backend honours ctx: its process is killed.
func (d Desktop) Notify(ctx context.Context, title, body string) error {
	title, body = Sanitize(title, MaxTitle), Sanitize(body, MaxBody)
	if title == "" && body == "" {
		return errors.New("notify: nothing to show (empty title and body)")
	}
	send := d.send
	if send == nil {
		send = platformSend(d)
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	done := make(chan error, 1) // buffered: a late backend must not block forever
	go func() { done <- send(ctx, title, body) }()
	select {
	case err := <-done:
		if err != nil {
			if ctx.Err() != nil { // killed because time ran out or the caller gave up
				return stopped(title, timeout, errors.Join(ctx.Err(), err))
			}
			return fmt.Errorf("notify %q: %w", title, err)
		}
		d.logger().Debug("notification shown", "title", title)
		return nil
	case <-ctx.Done():
		d.logger().Debug("notification backend still running; leaving it", "title", title, "timeout", timeout)
		return stopped(title, timeout, ctx.Err())
	}
}

// stopped is the error for a notification cut short by ctx.
func stopped(title string, timeout time.Duration, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("notify %q: no answer within %v: %w", title, timeout, err)
	}
	return fmt.Errorf("notify %q: %w", title, err)
}

func (d Desktop) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// zwj joins emoji sequences; it is invisible but harmless, so it stays.
const zwj = '\u200d'

// Sanitize makes s safe and tidy to show: escape sequences go whole (their
// payload too, textsafe.Terminal), invalid UTF-8, control and format
// characters (including bidi overrides and zero-width spaces) and other
// unprintable runes are dropped; any whitespace run (newlines included)
// becomes one space; the ends are trimmed; and the result is cut to max
// runes, the last being "…" when something was cut.
//
// It does not escape markup: that depends on the server (see markupBody).
func Sanitize(s string, max int) string {
	if max <= 0 {
		return ""
	}
	s = textsafe.Terminal(s)
	var b strings.Builder
	pendingSpace := false
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError)):
			// an invalid byte, not a literal U+FFFD: drop
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
		case strconv.IsPrint(r) || r == zwj:
			if pendingSpace {
				b.WriteByte(' ')
				pendingSpace = false
			}
			b.WriteRune(r)
		}
	}
	return textsafe.Truncate(b.String(), max)
}

// AppleScriptNotification is the script osascript runs to show title and
// body. Each is one AppleScript string literal (applescript.String), so no
// text can end the literal and become script. Invalid UTF-8 and control
// characters other than line breaks and tabs are dropped first: they are
// nothing to show.
func AppleScriptNotification(title, body string) string {
	return "display notification " + applescript.String(showable(body)) + " with title " + applescript.String(showable(title))
}

// showable drops invalid UTF-8 and the control characters the literal does
// not write as escapes.
func showable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}
