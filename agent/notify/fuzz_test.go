package notify

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/idpulse/idpulse/agent/alert"
	"github.com/idpulse/idpulse/agent/applescript/applescripttest"
	"github.com/idpulse/idpulse/agent/verdict"
	"github.com/idpulse/idpulse/probes/textsafe"
)

// FuzzNotificationText runs untrusted text (a verdict's headline and
// reason, a fix title, a code, as they come from probes' error texts and
// Apple's feed) through everything that makes a notification: the alert
// policy's texts, Sanitize, the D-Bus body escaping and the AppleScript
// source. What reaches the user has no C0/C1 control, DEL, format
// character (bidi overrides, isolates, zero-width spaces) or invalid
// UTF-8, fits the limits, and cannot become markup; the AppleScript is the
// one `display notification` statement holding exactly the sanitised text.
func FuzzNotificationText(f *testing.F) {
	f.Add("DNS is not working", "your resolver 10.0.0.1 refuses apple.com", "Flush DNS Cache", "dns_failure", true)
	f.Add("\x1b]52;c;aGk=\x07Apple ID\u202egnp.exe", "<a href=\"https://evil.example\">fix</a> &amp; <img src=x>", "Sync\nClock\r\n\u2028x", "\u0085\x9b2J", true)
	f.Add("ok\"& do shell script \"id", `\" & return & "`, "\\", "offline", false)
	f.Add("\xff\xfe\u200b\u2066x\u2069", "  ", "", "", false)
	t0 := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, headline, reason, fix, code string, markup bool) {
		p := alert.New(alert.Config{RaiseAfter: 1, PerCause: 3, Window: time.Hour})
		s := alert.Settings{Enabled: true, NotifyRecovery: true}
		obs := []alert.Observation{
			{At: t0, Level: verdict.LevelOK, Code: verdict.CodeOK},
			{At: t0.Add(time.Minute), Level: verdict.LevelDown, Code: verdict.Code(code), Headline: headline, Reason: reason, Fix: fix},
			{At: t0.Add(2 * time.Minute), Level: verdict.LevelDegraded, Code: verdict.Code(code + "_2"), Headline: reason, Reason: headline, Fix: fix},
			{At: t0.Add(3 * time.Minute), Level: verdict.LevelOK, Code: verdict.CodeOK},
		}
		for _, o := range obs {
			for _, n := range p.Observe(o, s) {
				checkNotification(t, n.Title, n.Body, markup)
			}
		}
		// The notifier takes any caller's text, not only the policy's.
		checkNotification(t, headline, reason, markup)
	})
}

func checkNotification(t *testing.T, rawTitle, rawBody string, markup bool) {
	t.Helper()
	title, body := Sanitize(rawTitle, MaxTitle), Sanitize(rawBody, MaxBody)
	for _, c := range []struct {
		text string
		max  int
	}{{title, MaxTitle}, {body, MaxBody}} {
		if !utf8.ValidString(c.text) || utf8.RuneCountInString(c.text) > c.max {
			t.Fatalf("%q: invalid UTF-8 or over %d characters", c.text, c.max)
		}
		if i := strings.IndexFunc(c.text, unshowable); i >= 0 {
			t.Fatalf("%q holds %U", c.text, []rune(c.text[i:])[0])
		}
		if c.text != strings.TrimSpace(c.text) || strings.Contains(c.text, "  ") {
			t.Fatalf("%q: white space not collapsed", c.text)
		}
	}

	sent := textsafe.NotificationBody(body, markup)
	if markup {
		if strings.ContainsAny(sent, "<>") {
			t.Fatalf("markup body %q holds a tag character", sent)
		}
		if unescaped := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(sent); unescaped != body {
			t.Fatalf("markup body %q does not read back as %q", sent, body)
		}
	} else if sent != body {
		t.Fatalf("plain body %q, want the sanitised %q", sent, body)
	}

	script := AppleScriptNotification(title, body)
	rest, ok := strings.CutPrefix(script, "display notification ")
	gotBody, rest, err1 := applescripttest.Cut(rest)
	rest, ok2 := strings.CutPrefix(rest, " with title ")
	gotTitle, rest, err3 := applescripttest.Cut(rest)
	if !ok || err1 != nil || !ok2 || err3 != nil || rest != "" {
		t.Fatalf("script %q is not one display notification statement (%v, %v)", script, err1, err3)
	}
	if gotBody != body || gotTitle != title {
		t.Fatalf("script %q shows %q / %q, want %q / %q", script, gotTitle, gotBody, title, body)
	}
}

// unshowable is what no notification may hold: controls (C0, DEL, C1) and
// format characters (bidi embeddings, overrides, isolates, marks; zero-width
// spaces), except the zero-width joiner of emoji sequences.
func unshowable(r rune) bool {
	return unicode.IsControl(r) || (unicode.Is(unicode.Cf, r) && r != zwj)
}
